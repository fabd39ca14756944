#!/bin/sh
# Proves that the security tests test something: builds variants of
# nsset-enter with one protection removed each ("mutants"), runs the
# security test that guards that protection against each variant (installed
# setuid in the sandbox through NSSET_SEC_ENTER), and checks that the named
# case FAILS. A mutant that survives means a test that no longer guards its
# protection.
#
#   make check-security-mutants          (builds first; passes CC, ALL_CFLAGS...)
#   sh tests/security/mutants.sh [NAME...]
#
# Output: `PASS mutant NAME: caught by SCRIPT: CASE`, `FAIL mutant NAME: ...`
# (also when its patch no longer applies to the source: the code changed,
# update the patch), then `N passed, M failed`.
# A mutant of a lib file is linked into a variant holder as well, which the
# sandbox installs in place of the real one (NSSET_SEC_HOLDER).
# The variants live in $NSSET_BUILD/tests/security/mutants/NAME/ and are
# never installed anywhere but the sandbox's /usr/local. Sources are read,
# never written.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
NSSET_BUILD=${NSSET_BUILD:-$TOP/build}
export NSSET_BUILD
CC=${CC:-cc}
ALL_CFLAGS=${ALL_CFLAGS:?run through make check-security-mutants}
ALL_LDFLAGS=${ALL_LDFLAGS:-}
LIBA=${LIBA:-$NSSET_BUILD/libnsset.a}
LIBS=${LIBS:--lmount -lcap-ng -lmnl}
HOLDER_LIBS=${HOLDER_LIBS:-}
# As the Makefile links nsset-enter: section GC and a link map, which
# t_boundary reads.
GC_LDFLAGS=${GC_LDFLAGS:--Wl,--gc-sections}
MDIR=$NSSET_BUILD/tests/security/mutants

patch_src() { # SRC DST SUBST
	perl -0pe "$3" "$1" >"$2" || return 1
	! cmp -s "$1" "$2"
}

# build NAME HELPER-SUBST [LIBFILE LIB-SUBST] -> $MDIR/NAME/nsset-enter
# Substitutions are perl -0pe expressions; "" leaves that file as it is.
build() {
	_d=$MDIR/$1
	rm -rf "$_d" && mkdir -p "$_d" || return 1
	_helper_o=$NSSET_BUILD/helper/nsset-enter.o
	_extra=
	if [ -n "$2" ]; then
		patch_src helper/nsset-enter.c "$_d/nsset-enter.c" "$2" || return 2
		# shellcheck disable=SC2086
		$CC $ALL_CFLAGS -Wno-error -c -o "$_d/nsset-enter.o" "$_d/nsset-enter.c" || return 1
		_helper_o=$_d/nsset-enter.o
	fi
	if [ -n "${3:-}" ]; then
		_b=$(basename "$3" .c)
		patch_src "$3" "$_d/$_b.c" "$4" || return 2
		# shellcheck disable=SC2086
		$CC $ALL_CFLAGS -Wno-error -c -o "$_d/$_b.o" "$_d/$_b.c" || return 1
		_extra=$_d/$_b.o
	fi
	# The patched object comes before the archive, so the archive's copy
	# is not pulled in. (A patched holder.o brings the holder's libraries
	# along.)
	# shellcheck disable=SC2086
	$CC $ALL_LDFLAGS $GC_LDFLAGS -Wl,-Map="$_d/nsset-enter.map" -pie -o "$_d/nsset-enter" \
		"$_helper_o" $_extra "$LIBA" $LIBS ${_extra:+$HOLDER_LIBS} || return 1
	# A patched lib file may be the holder's: it gets the variant too.
	if [ -n "$_extra" ]; then
		# shellcheck disable=SC2086
		# (helper/holder.o is the daemon: the patched copy replaces it.)
		_daemon=$NSSET_BUILD/helper/holder.o
		[ "$_b" != holder ] || _daemon=
		$CC $ALL_LDFLAGS -pie -o "$_d/nsset-holder" "$NSSET_BUILD/helper/nsset-holder.o" \
			$_extra $_daemon "$LIBA" $LIBS $HOLDER_LIBS || return 1
	fi
}

want=$*
passed=0
failed=0

# mutant NAME SCRIPT CASE HELPER-SUBST [LIBFILE LIB-SUBST]
# CASE is a fixed substring of the name of the case that must fail.
mutant() {
	_name=$1 _script=$2 _case=$3
	shift 3
	if [ -n "$want" ]; then
		case " $want " in *" $_name "*) ;; *) return 0 ;; esac
	fi
	mkdir -p "$MDIR"
	build "$_name" "$@" >"$MDIR/$_name.build.log" 2>&1
	_rc=$?
	if [ $_rc = 2 ]; then
		# A protection whose mutant no longer applies is a protection
		# no longer proven: a failure, not a skip.
		echo "FAIL mutant $_name: its patch no longer applies to the source (update it)"
		failed=$((failed + 1))
		return 0
	elif [ $_rc != 0 ]; then
		echo "FAIL mutant $_name: does not build (see $MDIR/$_name.build.log)"
		failed=$((failed + 1))
		return 0
	fi
	_holder=
	[ ! -x "$MDIR/$_name/nsset-holder" ] || _holder=$MDIR/$_name/nsset-holder
	_out=$(NSSET_SEC_ENTER=$MDIR/$_name/nsset-enter NSSET_SEC_HOLDER=$_holder \
		NSSET_TEST_LOGS=$MDIR/$_name sh tests/security/run.sh "$_script" 2>&1)
	_hit=$(printf '%s\n' "$_out" | grep -F "FAIL security/$_script: " | grep -F -- "$_case" | head -n 1)
	if [ -n "$_hit" ]; then
		echo "PASS mutant $_name: caught by ${_hit#FAIL security/}" | cut -c1-240
		passed=$((passed + 1))
	else
		echo "FAIL mutant $_name: survived $_script (no failing case matching '$_case')"
		printf '%s\n' "$_out" | grep -E '^(FAIL|[0-9]+ passed)' | sed "s/^/    | /"
		failed=$((failed + 1))
	fi
}

# The caller's environment reaches the holder: clearenv() gone and the
# holder exec'd with environ instead of its fixed envp. (Either alone cannot
# be seen from outside: ld.so, glibc and libmount ignore the environment of
# a setuid process by themselves, and the fixed envp hides the other.)
mutant user-env-reaches-holder t_inherit "holder and set init get only the fixed PATH" \
	's/\tclearenv\(\);\n\tsetenv\("PATH", "[^"]*", 1\);\n//' \
	lib/spawn.c 's/posix_spawn\(&child, holder_path, &fa, &at, argv, envp\);/posix_spawn(\&child, holder_path, \&fa, \&at, argv, environ);/'

# Inherited fds are not closed at the start (the placed path still closes
# everything before the exec; "not placed" and "already inside" do not).
mutant no-close-inherited t_inherit "inherited fds 3..1000" \
	's/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfor \(int fd = 3; fd < 65536; fd\+\+\)\n\t\t\tclose\(fd\);\n//'

# ... and not before the exec either.
mutant no-close-at-all t_inherit "inherited fds 3..1000" \
	's/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfor \(int fd = 3; fd < 65536; fd\+\+\)\n\t\t\tclose\(fd\);\n//; s/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfail\(EXIT_CANNOT_PLACE, "close_range: %m"\);\n//'

# (No mutant for the /dev/null fill of closed fds 0-2: for a setuid program
# glibc fills them itself before main(), so that code is a second line that
# no test can tell apart from the first. Nor for clearenv() alone or the
# umask reset alone: nothing in the privileged part reads the environment
# (ld.so, glibc and libmount ignore it in a setuid process) and every file
# is created with an explicit 0600/0700 mode, so removing either changes
# nothing observable; the tests check the outcome.)

# The program inherits the caller's blocked and ignored signals.
mutant no-signal-reset t_inherit "signals blocked and ignored by the caller" \
	's/\tfor \(int sig = 1; sig < NSIG; sig\+\+\)\n\t\tsignal\(sig, SIG_DFL\);\n\tsigprocmask\(SIG_SETMASK, &none, NULL\);\n/\t(void)none;\n/'

# The drop leaves the real uid root (and checks nothing).
mutant real-uid-stays-root t_enter "no capabilities and no way back to root" \
	's/(static void drop_privileges\(const struct nsset_user \*u, bool nnp\)\n\{\n).*?\n\}\n/$1\t(void)nnp;\n\tif (setgroups(u->ngroups, u->groups) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||\n\t    setresuid((uid_t)-1, u->uid, u->uid) < 0)\n\t\tfail(EXIT_CANNOT_PLACE, "drop");\n}\n/s'

# The rule's namespaces, not the joined set's, decide the fork: a set made
# with pid under an earlier policy (outdated, joined as it is) leaves the
# program itself outside its pid namespace.
mutant enter-forks-by-rule t_enter "outdated pid set" \
	's/\tif \(p\.ns_flags & CLONE_NEWPID\) \{/\tif (m.ns_flags \& CLONE_NEWPID) {/'

# The drop keeps the caller's supplementary groups.
mutant groups-not-reset t_attack "process groups do not count" \
	's/\tif \(setgroups\(u->ngroups, u->groups\) < 0\)\n\t\tfail\(EXIT_CANNOT_PLACE, "setgroups: %m"\);\n//; s/\t    !same_groups\(u\)\)/\t    0)/'

# nnp=yes no longer clears the bounding set.
mutant no-bounding-clear t_enter "nnp=yes: empty bounding set" \
	's/CAPNG_CLEAR_AMBIENT \| \(nnp \? CAPNG_CLEAR_BOUNDING : CAPNG_NO_FLAG\)/CAPNG_CLEAR_AMBIENT/; s/\tif \(nnp && capng_have_capabilities\(CAPNG_SELECT_BOUNDS\) != CAPNG_NONE\)\n\t\tfail\(EXIT_CANNOT_PLACE, "bounding set not cleared"\);\n//; s/capng_clear\(nnp \? CAPNG_SELECT_ALL : /capng_clear(/'

# The real uid is not made root while privileged: the caller may signal.
mutant caller-can-signal t_attack "cannot stop, signal or trace the helper" \
	's/ \|\| setresuid\(0, 0, 0\) < 0\)\n\t\t\tfail\(EXIT_CANNOT_PLACE, "becoming root: %m"\);/)\n\t\t\tfail(EXIT_CANNOT_PLACE, "becoming root: %m");/'

# The caller's limits stay in force while privileged (they are still saved
# and given back).
mutant no-limit-lift t_inherit "placement works" \
	's/\t\tif \(setrlimit\(saved_limits\[i\], &r\) < 0\) \{/\t\tif (1) {\n\t\t\tcontinue;/'

# lib/: namespace files are opened without O_NOFOLLOW (a symlink in the
# store is followed to whatever it names)...
mutant nsfs-follows-symlinks t_attack "symlink to the host's namespace" "" \
	lib/nsfs.c 's/O_RDONLY \| O_CLOEXEC \| O_NOFOLLOW \| O_NONBLOCK \| O_NOCTTY/O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY/'

# ... without O_NONBLOCK (a FIFO blocks the open) ...
mutant nsfs-blocks-on-fifo t_attack "replaced by a FIFO is refused without hanging" "" \
	lib/nsfs.c 's/O_RDONLY \| O_CLOEXEC \| O_NOFOLLOW \| O_NONBLOCK \| O_NOCTTY/O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY/'

# ... without checking the namespace type ...
mutant nsfs-any-type t_attack "of another type" "" \
	lib/nsfs.c 's/if \(type != flag\)\n/if (0)\n/'

# ... or who owns it (a namespace a user made in their own user namespace).
mutant nsfs-any-owner t_attack "made by a user" "" \
	lib/nsfs.c 's/ust.st_ino != INIT_USER_NS_INO\)/0)/'

# lib/: a policy file writable by others is accepted.
mutant policy-writable t_attack "policy: writable by others" "" \
	lib/trusted.c 's/if \(st->st_mode & \(S_IWGRP \| S_IWOTH\)\)\n\t\treturn nsset_fail\(e, 0, "%s: refusing %s: writable/if (0)\n\t\treturn nsset_fail(e, 0, "%s: refusing %s: writable/'

# ---- the clean room (t_cleanroom) ------------------------------------------

# The holder keeps its starter's resource limits...
mutant cleanroom-limits-kept t_cleanroom "a hostile first member's limits" "" \
	lib/cleanroom.c 's/(static int reset_limits\(struct nsset_err \*e\)\n\{\n)/$1\tif (e) return 0;\n/'

# ... its scheduling, nice value, I/O class and affinity ...
mutant cleanroom-sched-kept t_cleanroom "a hostile first member's limits" "" \
	lib/cleanroom.c 's/(static int reset_scheduling\(struct nsset_err \*e\)\n\{\n)/$1\tif (e) return 0;\n/'

# ... or the rest: oom_score_adj, personality, THP, TSC, timer slack.
mutant cleanroom-misc-kept t_cleanroom "a hostile first member's limits" "" \
	lib/cleanroom.c 's/(static int reset_misc\(struct nsset_err \*e\)\n\{\n)/$1\tif (e) return 0;\n/'

# The holder stays in its starter's namespaces.
mutant hostns-not-entered t_cleanroom "foreign network namespace starts a holder in the host" "" \
	lib/hostns.c 's/if \(fds\[i\] >= 0 && setns\(fds\[i\], nsset_nstypes\[i\].flag\) < 0\)/if (0)/'

# A caller inside another set's namespace is let through.
mutant no-caller-check t_cleanroom "inside another set's network namespace is refused" "" \
	lib/place.c 's/if \(nsset_caller_check\(&st, &p->id, e\) < 0\) \{/if (0) {/'

# The holder looks at every session when one login comes or goes.
mutant holder-rescans t_cleanroom "a join costs the holder no scan" "" \
	helper/holder.c 's/(static void look_at\(struct holder \*h, struct watchlist \*wl, pid_t pid, uint64_t tag\)\n\{\n)/$1\trescan(h, wl);\n\t(void)pid, (void)tag;\n\treturn;\n/'

# ---- what the policy promises one user (t_addrplan) --------------------------

# Session sets probe the whole IPv4 pool again, formula addresses included.
mutant sessions-take-any-address t_addrplan "only ever gets addresses of the session block" "" \
	lib/netaddr.c 's/offset = 2 \+ q.low \+ \(\(uint64_t\)n \+ step\) % q.sessions;/offset = 2 + ((uint64_t)n + step) % q.hosts;/'

# A size past 2^63-1 bytes is taken (and wraps in the kernel).
mutant size-overflow-taken t_addrplan "a tmp size that would wrap" "" \
	lib/policy.c 's/if \(v > \(unsigned long long\)NSSET_SIZE_MAX >> shift\) \{/if (0) {/'

# ---- the privilege boundary (t_boundary) ---------------------------------------

# The patches append to the file, so that they apply whatever the file
# holds; a constructor is kept by the linker however unreachable its body.

# A file nsset-enter links (store.c) calls into net.c: net.o and netlink.o,
# and libmnl with them, come into the setuid binary.
mutant boundary-store-calls-net t_boundary "nsset-enter: no denied code" "" \
	lib/store.c 's/\z/\n#include "net.h"\n__attribute__((constructor)) static void mutant_net(void)\n{\n\tstatic volatile int never;\n\tif (never)\n\t\tnsset_net_down(NULL, NULL, NULL);\n}\n/'

# nsset-enter itself calls into libmount: a library beyond its list.
mutant boundary-enter-needs-libmount t_boundary "nsset-enter: needs only" \
	's/\z/\n#include <libmount\/libmount.h>\n__attribute__((constructor)) static void mutant_mount(void)\n{\n\tstatic volatile int never;\n\tif (never)\n\t\tmnt_free_context(mnt_new_context());\n}\n/'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
