#!/bin/sh
# nsset-enter against a hostile inheritance: environment, fds, signals,
# resource limits and umask of the caller. Nothing of it may steer a
# privileged step or reach a root process (the holder, the set's init); the
# program finally run gets the caller's own environment, limits, umask back,
# default signal handling and no fd but 0-2.
#
#   sh tests/lib/sandbox.sh sh tests/security/t_inherit.sh

. "$(dirname "$0")/lib.sh"

# grp21: a set of every namespace type.  `all` includes time, which
# user-mode-linux's 6.1 lacks (a time rule is refused there: t_core), so on
# such a kernel it names the others.
ALL_NS=all
have_ns time || ALL_NS=mnt,uts,ipc,net,pid,cgroup
POLICY='root        none
frank       none
grp01       user      mnt,uts,ipc,pid,net     tmp=private hostname=h-%u
grp21       user      '$ALL_NS'
grp22       user      mnt,ipc,net             net=none hook=probe
grp23       user      mnt,ipc,net             net=none hook=probe
grp24       user      mnt,ipc,net             net=none hook=probe
@crowd      user      mnt,ipc,pid
alice       user      mnt,uts,ipc,pid         tmp=private
bob         user      mnt,ipc
*           user      mnt,ipc                 keep=sessions'
write_policy "$POLICY"
ZERO=0000000000000000
FIXED_ENV="PATH=/usr/sbin:/usr/bin:/sbin:/bin"

environ_of() {
	tr '\0' '\n' <"/proc/$1/environ"
}

# ---------------------------------------------------------------------------
# A caller's environment at its worst: loader and library variables naming
# the test's own library, locale and time zone names with '/', a PATH of
# fake system tools, shell start-up files, and NSSET-like variables that a
# careless helper might read as paths or a set name.
EVIL=$OUT/evil
mkdir -p "$EVIL/bin" "$EVIL/lib" "$EVIL/gconv" "$EVIL/store"
cp "$PRELOAD" "$EVIL/lib/libcap-ng.so.0"
cp "$PRELOAD" "$EVIL/lib/libmount.so.1"
cp "$PRELOAD" "$EVIL/lib/libc.so.6.evil"
cp "$PRELOAD" "$EVIL/gconv/PWNED.so"
printf 'module  INTERNAL  PWNED//  PWNED  1\nmodule  PWNED//  INTERNAL  PWNED  1\n' >"$EVIL/gconv/gconv-modules"
for t in mount umount sh bash nsset-holder ip hostname unshare nsenter id true sleep logger cat; do
	printf '#!/bin/sh\necho "$0 $(/usr/bin/id -u) $(/usr/bin/id -ru)" >>%s/ran\nexec /usr/bin/%s "$@"\n' "$EVIL" "$t" >"$EVIL/bin/$t"
	chmod 0755 "$EVIL/bin/$t"
done
printf 'echo BASH_ENV-ran $(/usr/bin/id -u) $(/usr/bin/id -ru) >>%s/ran\n' "$EVIL" >"$EVIL/bashenv"
chmod -R a+rX "$EVIL"
PRELOAD_LOG=$OUT/preload.log
: >"$PRELOAD_LOG" && chmod 0666 "$PRELOAD_LOG"
rm -f /run/nsset-sec-preload.log

# hostile USER CMD...: CMD (nsset-enter, or the launcher) as USER, with the
# hostile environment given to that exec only (not to setpriv or a shell).
hostile() {
	_h_user=$1
	shift
	setpriv --reuid="$_h_user" --regid="$_h_user" --init-groups -- "$LAUNCH" \
		--rawenv "LD_PRELOAD=$PRELOAD" --rawenv "LD_LIBRARY_PATH=$EVIL/lib" \
		--rawenv "LD_AUDIT=$PRELOAD" --rawenv "LD_DEBUG=all" --rawenv "LD_SHOW_AUXV=1" \
		--rawenv "GCONV_PATH=$EVIL/gconv" --rawenv "CHARSET=PWNED" \
		--rawenv "LANG=../../../../tmp/x" --rawenv "LC_ALL=/tmp/x" --rawenv "LC_MESSAGES=/etc" \
		--rawenv "LOCPATH=$EVIL" --rawenv "NLSPATH=$EVIL/%N" --rawenv "LANGUAGE=../../x" \
		--rawenv "TZ=/etc/shadow" --rawenv "TZDIR=$EVIL" --rawenv "MALLOC_CHECK_=3" \
		--rawenv "MALLOC_TRACE=$EVIL/mtrace" --rawenv "MALLOC_PERTURB_=85" \
		--rawenv "GLIBC_TUNABLES=glibc.malloc.check=3:glibc.malloc.mmap_threshold=1" \
		--rawenv "LIBMOUNT_DEBUG=all" --rawenv "LIBBLKID_DEBUG=all" \
		--rawenv "LIBMOUNT_MTAB=$EVIL/mtab" --rawenv "LIBMOUNT_FSTAB=$EVIL/fstab" \
		--rawenv "BASH_ENV=$EVIL/bashenv" --rawenv "ENV=$EVIL/bashenv" --rawenv "IFS=/ " \
		--rawenv "CDPATH=$EVIL" --rawenv "PATH=$EVIL/bin:/usr/bin:/bin" \
		--rawenv "SHELL=$EVIL/bin/sh" --rawenv "HOME=/root" --rawenv "USER=root" \
		--rawenv "LOGNAME=root" --rawenv "TMPDIR=$EVIL" --rawenv "HOSTALIASES=$EVIL/hosts" \
		--rawenv "RES_OPTIONS=debug" --rawenv "LOCALDOMAIN=evil" \
		--rawenv "NSSET_STORE=$EVIL/store" --rawenv "NSSET_STORE_PATH=$EVIL/store" \
		--rawenv "NSSET_CONF=$EVIL/conf" --rawenv "NSSET_CONF_PATH=$EVIL/conf" \
		--rawenv "NSSET_HOLDER=$EVIL/bin/nsset-holder" \
		--rawenv "NSSET_HOLDER_PATH=$EVIL/bin/nsset-holder" --rawenv "NSSET_SET=user/2002" \
		--rawenv "NSSET_DEBUG=1" --rawenv "NSSET_SEC_PRELOAD_LOG=$PRELOAD_LOG" \
		--rawenv "SSH_ORIGINAL_COMMAND=" --rawenv "=" --rawenv "NOEQUALS" \
		-- "$@"
}
: >"$EVIL/ran" && chmod 0666 "$EVIL/ran"
touch "$EVIL/.stamp"
# Raising a hard limit takes CAP_SYS_RESOURCE, which root in some containers
# lacks (it is not in this sandbox's bounding set when it is not there).
BND=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
if [ $(( (0x$BND >> 24) & 1 )) = 1 ]; then SYS_RESOURCE=1; else SYS_RESOURCE=0; fi

case_begin "hostile environment: the holder and set init get only the fixed PATH, and no library or tool of the caller runs as root"
: >"$EVIL/ran"
hostile grp01 "$ENTER" -- /usr/bin/env >"$OUT/env1" 2>"$OUT/env1.err" </dev/null
RC=$?
assert_eq 0 "$RC" "exit status: $(head -c 300 "$OUT/env1.err")"
[ -d "$NSSET_STORE/user/2101" ] || fail "not placed in the compiled-in store"
H=$(holder_pid user/2101)
I=$(init_pid user/2101)
[ -n "$H" ] && [ -d "/proc/$H" ] || fail "no live holder for user/2101"
[ -n "$I" ] && [ -d "/proc/$I" ] || fail "no live init for user/2101"
[ -z "$H" ] || assert_eq "$FIXED_ENV" "$(environ_of "$H")" "environment of the holder"
[ -z "$I" ] || assert_eq "$FIXED_ENV" "$(environ_of "$I")" "environment of the set's init"
assert_eq "" "$(grep -h 'uid=[0-9]*,0,\|uid=0,' "$PRELOAD_LOG" /run/nsset-sec-preload.log 2>/dev/null)" \
	"the caller's library ran with uid or euid 0"
assert_eq "" "$(cat "$EVIL/ran")" "a tool or start-up file of the caller ran"
assert_eq "" "$(find "$EVIL" -mindepth 1 -newer "$EVIL/.stamp" -user 0 ! -name ran)" "files written by root in the caller's directory"
assert_eq "" "$(ls -A "$EVIL/store")" "the fake store was touched"
assert_not_contains "$(cat "$OUT/env1.err")" "libmount" "stderr"
# The probes themselves work: loaded by a plain program, the library records.
as grp01 env LD_PRELOAD="$PRELOAD" NSSET_SEC_PRELOAD_LOG="$PRELOAD_LOG" /bin/true
printf 'x' | as grp01 env GCONV_PATH="$EVIL/gconv" NSSET_SEC_PRELOAD_LOG="$PRELOAD_LOG" \
	iconv -f PWNED -t UTF-8 >/dev/null 2>&1
assert_eq 2 "$(grep -c 'uid=2101,2101,2101' "$PRELOAD_LOG")" "the probe library recorded LD_PRELOAD and GCONV_PATH loads"
assert_eq "" "$(grep -v '^nsset-enter:' "$OUT/env1.err")" "only nsset-enter's own messages on stderr"

case_begin "the caller's environment reaches the program after the drop, with HOME USER LOGNAME SHELL from passwd"
assert_file_contains "$OUT/env1" "IFS=/ "
assert_file_contains "$OUT/env1" "BASH_ENV=$EVIL/bashenv"
assert_file_contains "$OUT/env1" "TZ=/etc/shadow"
assert_file_contains "$OUT/env1" "LC_ALL=/tmp/x"
assert_file_contains "$OUT/env1" "NSSET_SET=user/2002"
assert_file_contains "$OUT/env1" "PATH=$EVIL/bin:/usr/bin:/bin"
assert_file_contains "$OUT/env1" "HOME=$NSSET_TEST_HOME/grp01"
assert_file_contains "$OUT/env1" "USER=grp01"
assert_file_contains "$OUT/env1" "LOGNAME=grp01"
assert_file_contains "$OUT/env1" "SHELL=/bin/sh"
assert_eq 1 "$(grep -c '^HOME=' "$OUT/env1")" "one HOME"
: >"$EVIL/ran"
run hostile grp01 "$ENTER" -- id -u
assert_eq 0 "$RC" && assert_eq 2101 "$STDOUT" "the caller's PATH finds its own id, run as the user"
assert_eq "$EVIL/bin/id 2101 2101" "$(cat "$EVIL/ran" 2>/dev/null)" "what the caller's PATH ran"
run env -u PATH /usr/bin/setpriv --reuid=bob --regid=bob --init-groups -- "$ENTER" -- /usr/bin/printenv PATH
assert_eq "/usr/local/bin:/usr/bin:/bin" "$STDOUT" "PATH when the caller had none"

# ---------------------------------------------------------------------------
case_begin "fds 0-2 closed by the caller: the program gets /dev/null (or glibc's /dev/full) there, nothing privileged"
# For a setuid program glibc itself fills closed fds 0-2 before main():
# /dev/full (write-only) on 0, /dev/null (read-only) on 1 and 2.
for u in bob grp02; do           # joins an existing set / creates one
	as "$u" "$LAUNCH" --close 0 --close 1 --close 2 "$ENTER" -- sh -c "exec $PROBE fds >$OUT/fds012.$u"
	assert_eq 0 "$?" "$u: exit status" || continue
	assert_match "$(grep "^0 " "$OUT/fds012.$u")" '^0 /dev/(null|full)$' "$u: fd 0 of the program"
	assert_eq "2 /dev/null" "$(grep "^2 " "$OUT/fds012.$u")" "$u: fd 2 of the program"
	assert_eq 3 "$(wc -l <"$OUT/fds012.$u")" "$u: number of fds of the program"
	assert_eq "1 $OUT/fds012.$u" "$(grep "^1 " "$OUT/fds012.$u")" "$u: fd 1"
done
[ -d "$NSSET_STORE/user/2102" ] || fail "grp02's set was not made"

case_begin "inherited fds 3..1000 reach neither the program nor the holder (placed, pid set, not placed, inside)"
for u in alice bob frank grp03; do
	run as "$u" "$LAUNCH" --fds 1000 "$ENTER" -- "$PROBE" fds
	assert_eq 0 "$RC" "$u: exit status" &&
		assert_eq "" "$(printf '%s\n' "$STDOUT" | grep -v '^[012] ')" "$u: fds beyond 2 in the program"
done
H=$(holder_pid user/2103)
[ -n "$H" ] && assert_eq "" "$(ls -l "/proc/$H/fd" | grep -E -- '-> (/|/etc/passwd)$')" \
	"inherited fds in the holder"
login_bg alice fds-in "$LAUNCH --fds 1000 $ENTER -- $PROBE fds"
wait_file fds-in
assert_eq "" "$(grep -v '^[012] ' "$OUT/fds-in")" "already inside: fds beyond 2 in the program"

case_begin "signals blocked and ignored by the caller: the program gets an empty mask and default handling"
# Signals 32 and 33 are glibc's own (SIGCANCEL, SIGSETXID): no glibc program
# can change their disposition (signal() and sigaction() refuse), glibc sets
# its handlers itself where it needs them, and a caller's SIG_IGN for them
# passes through any exec. They are left out.
sigs_ok() { # "blocked=HEX ignored=HEX" -> 0 if both empty but for 32 and 33
	_b=${1#blocked=}
	_b=${_b%% *}
	_i=${1##*ignored=}
	[ $(( 0x$_b )) = 0 ] && [ $(( 0x$_i & ~0x180000000 )) = 0 ]
}
for u in alice bob frank; do
	run as "$u" "$LAUNCH" --block-signals --ignore-signals "$ENTER" -- "$PROBE" signals
	sigs_ok "$STDOUT" || fail "$u: $STDOUT"
	[ "$u" = alice ] || assert_eq 0 "$RC" "$u: exit status"
done
login_bg alice sig-in "$LAUNCH --block-signals --ignore-signals $ENTER -- $PROBE signals"
wait_file sig-in
sigs_ok "$(cat "$OUT/sig-in")" || fail "already inside: $(cat "$OUT/sig-in")"

case_begin "SIGCHLD ignored by the caller: the pid-set parent still waits and returns the program's status"
run as alice "$LAUNCH" --ignore-signals "$ENTER" -- sh -c 'exit 42'
assert_eq 42 "$RC" "exit status (125 would claim nothing was started)"
run as alice "$LAUNCH" --ignore-signals "$ENTER" -- true
assert_eq 0 "$RC" "exit status of true"

# ---------------------------------------------------------------------------
case_begin "limits: the program gets the caller's limits back exactly (soft and hard)"
for u in bob alice frank; do
	WANT=$(as "$u" "$PROBE" limits)
	run as "$u" "$ENTER" -- "$PROBE" limits
	assert_eq 0 "$RC" "$u: exit status" && assert_eq "$WANT" "$STDOUT" "$u: limits"
done

case_begin "limits set low (nofile, nproc, fsize, core, as): placement works or fails cleanly (125), the program gets them back"
n=4
for lim in "--nofile=12:12 nofile=12:12" "--nproc=30:30 nproc=30:30" "--fsize=0:unlimited fsize=0:unlimited" \
	"--core=0:0 core=0:0" "--as=200000000:200000000 as=200000000:200000000" \
	"--fsize=0:0 fsize=0:0" \
	"--nofile=12:12 --nproc=30:30 --fsize=0:unlimited --core=0:0 --as=200000000:200000000 nofile=12:12" \
	"--nofile=8:20000 -"; do
	u=$(printf 'grp%02d' $n)
	# The last one: a set of all 7 namespaces needs more fds than that
	# while it is joined (the exact limits that come back: see the case
	# before).
	[ "$n" = 11 ] && u=grp21
	uid=$(id -u "$u")
	n=$((n + 1))
	opts=${lim% *}
	want=${lim##* }
	# Through a pipe, not run(): with a file size limit of 0 the program
	# could not write its answer into a file.
	# shellcheck disable=SC2086
	STDOUT=$(as "$u" prlimit $opts "$ENTER" -- sh -c "$PROBE limits; sed -n 1p /run/nsset/self" 2>"$OUT/err.$u" </dev/null)
	RC=$?
	[ ! -s "$OUT/err.$u" ] || sed 's/^/  err| /' "$OUT/err.$u" >&2
	assert_eq "" "$(store_leftovers)" "$u ($opts): leftovers in the store"
	# A hard limit below what a holder needs (fsize 0, nofile 12, 200 MB of
	# address space) cannot be lifted without CAP_SYS_RESOURCE: the holder
	# refuses such a start; a clean refusal is fine, a half-made set is not.
	low_hard=0
	case $opts in *--fsize=0:0* | *--nofile=12:12* | *--as=200000000:200000000*) low_hard=1 ;; esac
	if [ "$RC" = 125 ] && [ "$SYS_RESOURCE" = 0 ] && [ "$low_hard" = 1 ]; then
		echo "  (no CAP_SYS_RESOURCE here: refused cleanly)" >&2
		# (With a file size limit of 0 the message cannot reach the file.)
		case $opts in *--fsize=0:0*) ;; *)
			assert_contains "$(cat "$OUT/err.$u")" "too low for a set's holder" "$u ($opts): the reason" ;;
		esac
		assert_eq "" "$STDOUT" "$u ($opts): nothing ran"
		[ ! -e "$NSSET_STORE/user/$uid" ] || fail "$u ($opts): a set was left after a refusal"
		continue
	fi
	assert_eq 0 "$RC" "$u ($opts): exit status" || continue
	[ "$want" = - ] || assert_contains "$STDOUT" "$want" "$u ($opts): the program's limit"
	assert_contains "$STDOUT" "set=user/$uid" "$u ($opts): placed"
	H=$(holder_pid "user/$uid")
	[ -n "$H" ] && assert_eq "unlimited" "$(awk '/^Max file size/ { print $4 }' "/proc/$H/limits")" \
		"$u ($opts): the holder's file size limit"
done

case_begin "limits too low to run at all: fails cleanly, nothing half-made"
for opts in "--nofile=3:3" "--as=1000000:1000000" "--nproc=0:0" "--stack=4096:4096"; do
	# shellcheck disable=SC2086
	run as grp20 prlimit $opts "$ENTER" -- echo SHOULD-NOT-RUN-OR-FINE
	case $RC in
	0 | 125 | 126 | 127 | 139) ;;
	*) fail "grp20 ($opts): exit status $RC" ;;
	esac
	assert_eq "" "$(store_leftovers)" "grp20 ($opts): leftovers in the store"
done

# ---------------------------------------------------------------------------
case_begin "umask 000: the store stays 0700/0600, the program gets the caller's umask back"
run as grp11 sh -c "umask 000; exec $ENTER -- $PROBE umask"
assert_eq 0 "$RC" "exit status" && assert_eq "0000" "$STDOUT" "the program's umask"
D=$NSSET_STORE/user/2111
assert_eq "700" "$(stat -c %a "$D")" "set directory"
assert_eq "600 600" "$(stat -c %a "$D/meta" "$D/holder.lock" | tr '\n' ' ' | sed 's/ $//')" "meta, holder.lock"
assert_eq "700" "$(stat -c %a "$D/sessions")" "sessions/"
assert_eq "600" "$(stat -c %a "$NSSET_STORE/user/2111.lock")" "the set's lock file"
assert_eq "" "$(find "$NSSET_STORE" -maxdepth 1 -perm /077 ! -type l)" "group/other bits in the store"
rm -f "$OUT/u000"
as grp11 sh -c "umask 000; exec $ENTER -- sh -c 'touch $OUT/u000; sleep 1'" &
U=$!
wait_file u000
SESS=$(ls "$D/sessions" | head -n 1)
assert_ne "" "$SESS" "a session entry" && assert_eq "600" "$(stat -c %a "$D/sessions/$SESS")" "a session entry"
assert_eq "666" "$(stat -c %a "$OUT/u000")" "a file the program made"
wait "$U"
run as grp11 sh -c "umask 0777; exec $ENTER -- $PROBE umask"
assert_eq "0777" "$STDOUT" "umask 0777 comes back too"
run as grp11 sh -c "umask 027; exec $ENTER -- $PROBE umask"
assert_eq "0027" "$STDOUT" "umask 027 comes back"

# ---------------------------------------------------------------------------
case_begin "the holder and the set's init inherit nothing of a hostile caller"
# Baseline: a set made by a plain call. Then one made by a caller with open
# fds, blocked and ignored signals, umask 000, low limits, odd cwd and the
# hostile environment. Their root processes must look the same.
as grp12 "$ENTER" -- true
mkdir -p "$EVIL/cwd" && chmod 0777 "$EVIL/cwd"
# (Soft limits only here: hard ones, which take CAP_SYS_RESOURCE to raise
# again, have a case of their own below.)
(cd "$EVIL/cwd" && umask 000 && setpriv --reuid=grp13 --regid=grp13 --init-groups -- \
	prlimit --nofile=64: --fsize=0: --core=0: --as=500000000: --stack=100000: \
	"$LAUNCH" --fds 60 --block-signals --ignore-signals "$ENTER" -- true)
# (Its exit status is another case's: SIGCHLD ignored by the caller.)
[ -d "$NSSET_STORE/user/2113" ] || fail "grp13 was not placed"
H1=$(holder_pid user/2112) I1=$(init_pid user/2112)
H2=$(holder_pid user/2113) I2=$(init_pid user/2113)
for pair in "holder $H1 $H2" "init $I1 $I2"; do
	set -- $pair
	[ -n "${2:-}" ] && [ -n "${3:-}" ] || { fail "$1: no pid"; continue; }
	# (Gid and Groups: see the next case.)
	for f in SigBlk SigIgn Umask NoNewPrivs Seccomp CapInh CapPrm CapEff CapBnd CapAmb Uid; do
		assert_eq "$(grep "^$f:" "/proc/$2/status")" "$(grep "^$f:" "/proc/$3/status")" "$1: $f"
	done
	assert_eq "" "$(diff "/proc/$2/limits" "/proc/$3/limits" | sed -n 's/^> *//p' | tr -s ' ')" \
		"$1: limits that differ from those of a plain call"
	assert_eq "$(environ_of "$2")" "$(environ_of "$3")" "$1: environment"
	assert_eq "$(ls "/proc/$2/fd" | wc -l)" "$(ls "/proc/$3/fd" | wc -l)" "$1: number of fds"
	assert_eq "$(readlink "/proc/$2/cwd")" "$(readlink "/proc/$3/cwd")" "$1: cwd"
	# Its own session (setsid), no controlling terminal.
	assert_eq "$3 0" "$(cut -d' ' -f6,7 "/proc/$3/stat")" "$1: session and tty"
done
# And the hostile environment: made by grp01 in the first case.
H=$(holder_pid user/2101)
[ -z "$H" ] || assert_eq "$(environ_of "$H1")" "$(environ_of "$H")" "holder made with the hostile environment"

case_begin "the caller's low hard limits do not reach the holder: it runs with its own, or the set is refused cleanly"
(setpriv --reuid=grp14 --regid=grp14 --init-groups -- \
	prlimit --nofile=64:64 --nproc=50:50 --as=500000000:500000000 --fsize=100000:100000 \
	"$ENTER" -- true) >"$OUT/hard.out" 2>&1
RC=$?
H=$(holder_pid user/2114)
if [ -z "$H" ]; then
	# Refused: fine if clean (no root could lift the limits here).
	assert_eq 125 "$RC" "exit status without a holder: $(cat "$OUT/hard.out")"
	assert_eq "" "$(store_leftovers)" "leftovers in the store"
	[ ! -e "$NSSET_STORE/user/2114" ] || fail "a set without a holder was left"
else
	assert_eq "" "$(diff "/proc/$H1/limits" "/proc/$H/limits" | sed -n 's/^> *//p' | tr -s ' ')" \
		"holder limits that differ from those of a plain call"
fi

case_begin "a hook run for a hostile caller's set looks exactly like one run for a plain call"
# The hook records what it got: ids, signals, umask, limits, fds, cwd,
# session, and the names in its environment.
mkdir -p /etc/security/nsset.d && chmod 0755 /etc/security/nsset.d
cat >/etc/security/nsset.d/probe <<'HOOK'
#!/bin/sh
d=/run/nsset-sec-hook
mkdir -p "$d"
{
	# Read by the shell itself, not by a child: dash blocks every signal
	# while it starts a command, and a grep would catch it in that window.
	while IFS= read -r l; do
		case $l in
		SigBlk:*|SigIgn:*|Umask:*|NoNewPrivs:*|Seccomp:*|CapInh:*|CapPrm:*|CapEff:*|CapBnd:*|CapAmb:*|Uid:*|Gid:*|Groups:*)
			printf '%s\n' "$l" ;;
		esac
	done </proc/$$/status
	echo "fds=$(ls /proc/$$/fd | wc -l)"
	echo "cwd=$(readlink /proc/$$/cwd)"
	echo "own session: $(cut -d' ' -f6 /proc/$$/stat | grep -cx $$)"
	echo "tty: $(cut -d' ' -f7 /proc/$$/stat)"
	echo "stdin: $(readlink /proc/$$/fd/0)"
	echo "argv: $0 $1"
	echo "env: $(env | sed 's/=.*//' | sort | tr '\n' ' ')"
	echo "ids: $NSSET_SCOPE $NSSET_OWNER:$NSSET_UID:$NSSET_GID"
	cat /proc/$$/limits
} >"$d/${NSSET_SET#user/}.$1"
HOOK
chmod 0755 /etc/security/nsset.d/probe
rm -rf /run/nsset-sec-hook
as grp22 "$ENTER" -- true
(cd "$EVIL/cwd" && umask 000 && setpriv --reuid=grp23 --regid=grp23 --init-groups -- \
	prlimit --nofile=64: --fsize=0: --core=0: --as=500000000: --stack=100000: \
	"$LAUNCH" --fds 60 --block-signals --ignore-signals "$ENTER" -- true)
P=/run/nsset-sec-hook
[ -s "$P/2122.create" ] || fail "the hook did not run for the plain call"
[ -s "$P/2123.create" ] || fail "the hook did not run for the hostile caller"
assert_eq "$(sed 's/ grp22:2122:2122$/ OWNER/' "$P/2122.create")" \
	"$(sed 's/ grp23:2123:2123$/ OWNER/' "$P/2123.create")" "what the hook got: plain vs hostile"
assert_file_contains "$P/2123.create" "own session: 1"
assert_file_contains "$P/2123.create" "argv: /etc/security/nsset.d/probe create"
assert_file_contains "$P/2123.create" "stdin: /dev/null"
assert_file_contains "$P/2123.create" "Umask:	0022"
assert_file_contains "$P/2123.create" "env: NSSET_GID NSSET_NAMESPACES NSSET_NS_IPC NSSET_NS_MNT NSSET_NS_NET NSSET_OWNER NSSET_PHASE NSSET_SCOPE NSSET_SET NSSET_UID PATH PWD "
assert_file_contains "$P/2123.create" "ids: user grp23:2123:2123"
# And for a caller with the hostile environment.
hostile grp24 "$ENTER" -- true >/dev/null 2>&1
[ -s "$P/2124.create" ] || fail "the hook did not run for the caller with a hostile environment"
assert_eq "$(sed 's/ grp22:2122:2122$/ OWNER/' "$P/2122.create")" \
	"$(sed 's/ grp24:2124:2124$/ OWNER/' "$P/2124.create")" "what the hook got: plain vs hostile environment"

case_begin "the holder and the set's init run as root:root, without the caller's groups"
for p in "holder $(holder_pid user/2112)" "init $(init_pid user/2112)"; do
	set -- $p
	assert_eq "Uid: 0 0 0 0 Gid: 0 0 0 0 Groups: " "$(proc_ids "$2" | sed 's/ *$/ /')" "$1"
done
assert_eq "0:0" "$(stat -c %u:%g "$NSSET_STORE/user/2112")" "owner of the set directory"
assert_eq "0:0" "$(stat -c %u:%g "$NSSET_STORE/user/2112.lock")" "owner of the set's lock file"

summary
