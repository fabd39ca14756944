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
# Output: `PASS mutant NAME: caught by SCRIPT: CASE`, `FAIL mutant NAME: ...`,
# `SKIP mutant NAME (...)` when its patch no longer applies to the source
# (the helper changed: update the patch), then `N passed, M failed`.
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
LIBS=${LIBS:--lmount -lcap-ng}
MDIR=$NSSET_BUILD/tests/security/mutants

# NAME|FILE|PERL-SUBSTITUTION(S)|SCRIPT|CASE (a fixed substring of the case name)
# FILE is helper/nsset-enter.c or lib/spawn.c (then the helper is patched by
# the mutant named in the substitution field after "+", see below).
MUTANTS='no-clearenv|helper/nsset-enter.c|s/\tclearenv\(\);\n\tsetenv\("PATH", "[^"]*", 1\);\n//|t_inherit|nothing of it is honoured while privileged
holder-gets-env|lib/spawn.c+no-clearenv|s/execve\(holder_path, argv, envp\);/(void)envp; execve(holder_path, argv, environ);/|t_inherit|holder and set init get only the fixed PATH
no-close-inherited|helper/nsset-enter.c|s/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfor \(int fd = 3; fd < 65536; fd\+\+\)\n\t\t\tclose\(fd\);\n//|t_inherit|inherited fds 3..1000
no-close-at-all|helper/nsset-enter.c|s/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfor \(int fd = 3; fd < 65536; fd\+\+\)\n\t\t\tclose\(fd\);\n//; s/\tif \(close_range\(3, ~0U, 0\) < 0\)\n\t\tfail\(EXIT_CANNOT_PLACE, "close_range: %m"\);\n//|t_inherit|inherited fds 3..1000
no-signal-reset|helper/nsset-enter.c|s/\tfor \(int sig = 1; sig < NSIG; sig\+\+\)\n\t\tsignal\(sig, SIG_DFL\);\n\tsigprocmask\(SIG_SETMASK, &none, NULL\);\n\n\tif \(chdir/\t(void)none;\n\tif (chdir/|t_inherit|signals blocked and ignored by the caller
real-uid-stays-root|helper/nsset-enter.c|s/(static void drop_privileges\(const struct nsset_user \*u, bool nnp\)\n\{\n).*?\n\}\n/$1\t(void)nnp;\n\tif (setgroups(u->ngroups, u->groups) < 0 \|\| setresgid(u->gid, u->gid, u->gid) < 0 \|\|\n\t    setresuid((uid_t)-1, u->uid, u->uid) < 0)\n\t\tfail(EXIT_CANNOT_PLACE, "drop");\n}\n/s|t_enter|no capabilities and no way back to root
groups-not-reset|helper/nsset-enter.c|s/\tif \(setgroups\(u->ngroups, u->groups\) < 0\)\n\t\tfail\(EXIT_CANNOT_PLACE, "setgroups: %m"\);\n//; s/\t    !same_groups\(u\)\)/\t    0)/|t_attack|process groups do not count
no-bounding-clear|helper/nsset-enter.c|s/CAPNG_CLEAR_AMBIENT \| \(nnp \? CAPNG_CLEAR_BOUNDING : CAPNG_NO_FLAG\)/CAPNG_CLEAR_AMBIENT/; s/\tif \(nnp && capng_have_capabilities\(CAPNG_SELECT_BOUNDS\) != CAPNG_NONE\)\n\t\tfail\(EXIT_CANNOT_PLACE, "bounding set not cleared"\);\n//; s/capng_clear\(nnp \? CAPNG_SELECT_ALL : /capng_clear((/|t_enter|nnp=yes: empty bounding set
caller-can-signal|helper/nsset-enter.c|s/\t\tif \(setresuid\(0, 0, 0\) < 0\)\n\t\t\tfail\(EXIT_CANNOT_PLACE, "setresuid: %m"\);\n//|t_attack|cannot stop, signal or trace the helper
no-limit-lift|helper/nsset-enter.c|s/\t\tlift_limits\(\);\n//|t_inherit|placement works'

patch_src() { # SRC DST SUBST
	perl -0pe "$3" "$1" >"$2" || return 1
	! cmp -s "$1" "$2"
}

build() { # NAME FILE SUBST -> $MDIR/NAME/nsset-enter
	_d=$MDIR/$1
	rm -rf "$_d" && mkdir -p "$_d" || return 1
	_file=${2%%+*}
	_extra=
	_helper_o=$NSSET_BUILD/helper/nsset-enter.o
	case $2 in
	*+*)
		_base=${2#*+}
		_bsubst=$(printf '%s\n' "$MUTANTS" | awk -F'|' -v n="$_base" '$1 == n { print $3 }')
		patch_src helper/nsset-enter.c "$_d/nsset-enter.c" "$_bsubst" || return 2
		;;
	esac
	case $_file in
	helper/nsset-enter.c)
		patch_src helper/nsset-enter.c "$_d/nsset-enter.c" "$3" || return 2
		;;
	lib/*.c)
		_o=$_d/$(basename "$_file" .c).o
		patch_src "$_file" "$_d/$(basename "$_file")" "$3" || return 2
		# shellcheck disable=SC2086
		$CC $ALL_CFLAGS -c -o "$_o" "$_d/$(basename "$_file")" || return 1
		_extra=$_o
		;;
	esac
	if [ -f "$_d/nsset-enter.c" ]; then
		# shellcheck disable=SC2086
		$CC $ALL_CFLAGS -Ihelper -c -o "$_d/nsset-enter.o" "$_d/nsset-enter.c" || return 1
		_helper_o=$_d/nsset-enter.o
	fi
	# The patched object comes before the archive, so the archive's copy
	# is not pulled in.
	# shellcheck disable=SC2086
	$CC $ALL_LDFLAGS -pie -o "$_d/nsset-enter" "$_helper_o" $_extra "$LIBA" $LIBS
}

want=$*
passed=0
failed=0
tab=$(printf '\t')
printf '%s\n' "$MUTANTS" | {
	while IFS='|' read -r name file subst script casename; do
		if [ -n "$want" ]; then
			case " $want " in *" $name "*) ;; *) continue ;; esac
		fi
		build "$name" "$file" "$subst" >"$MDIR.$name.build.log" 2>&1
		rc=$?
		if [ $rc = 2 ]; then
			echo "SKIP mutant $name (its patch no longer applies to $file)"
			continue
		elif [ $rc != 0 ]; then
			echo "FAIL mutant $name: does not build (see $MDIR.$name.build.log)"
			failed=$((failed + 1))
			continue
		fi
		out=$(NSSET_SEC_ENTER=$MDIR/$name/nsset-enter NSSET_TEST_LOGS=$MDIR/$name \
			sh tests/security/run.sh "$script" 2>&1)
		hit=$(printf '%s\n' "$out" | grep -F "FAIL security/$script: " | grep -F -- "$casename" | head -n 1)
		if [ -n "$hit" ]; then
			echo "PASS mutant $name: caught by ${hit#FAIL security/}" | cut -c1-240
			passed=$((passed + 1))
		else
			echo "FAIL mutant $name: survived $script (no failing case matching '$casename')"
			printf '%s\n' "$out" | grep -E '^(FAIL|[0-9]+ passed)' | sed "s/^/    | /"
			failed=$((failed + 1))
		fi
	done
	: "$tab"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
