#!/bin/sh
# nsset-enter, the setuid helper: what a user gets from it, in every mode,
# run as real unprivileged test users against an installed setuid copy
# (see lib.sh). Hostile inheritance is in t_inherit.sh, attacks on the
# running helper, the store and the policy in t_attack.sh.
#
#   sh tests/lib/sandbox.sh sh tests/security/t_enter.sh

. "$(dirname "$0")/lib.sh"

POLICY='root        none
frank       none
erin        user      mnt,ipc                 nnp=yes
solo        user      mnt,ipc
@students   group     mnt,uts,ipc,pid,net     tmp=private hostname=lab-%g
alice       user      mnt,uts,ipc,pid         tmp=private hostname=box-%u
bob         user      mnt,ipc
*           user      mnt,ipc                 keep=sessions'
write_policy "$POLICY"
HOST_MNT=$(readlink /proc/self/ns/mnt)
HOST_BND=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
ZERO=0000000000000000
NOCAPS="caps=$ZERO,$ZERO,$ZERO,$ZERO"

# ---------------------------------------------------------------------------
case_begin "placed: the program runs as alice, in her set, and not as PID 1"
run as alice "$ENTER" -- sh -c 'id -u; id -g; id -G; echo $$; cat /proc/1/comm; sed -n 1p /run/nsset/self; hostname; readlink /proc/self/ns/mnt; pwd'
assert_eq 0 "$RC" "exit status" &&
	assert_eq "2001
2001
2001" "$(printf '%s\n' "$STDOUT" | sed -n 1,3p)" "ids" &&
	assert_ne 1 "$(printf '%s\n' "$STDOUT" | sed -n 4p)" "pid in the set" &&
	assert_eq "nsset-init
set=user/2001
box-alice" "$(printf '%s\n' "$STDOUT" | sed -n 5,7p)" "init, marker, hostname" &&
	assert_ne "$HOST_MNT" "$(printf '%s\n' "$STDOUT" | sed -n 8p)" "mount namespace" &&
	assert_eq "$NSSET_TEST_HOME/alice" "$(printf '%s\n' "$STDOUT" | sed -n 9p)" "cwd is the home"
[ -d "$NSSET_STORE/user/2001" ] || fail "no user/2001 in the store"
assert_log_contains "user alice entered set user/2001"

# ---------------------------------------------------------------------------
case_begin "final program: no capabilities and no way back to root (pid set, plain set, group set, scope none)"
for spec in "alice 2001 2001" "bob 2002 2002" "carol 2003 2003,3001" "frank 2006 2006,3003"; do
	set -- $spec
	run as "$1" "$ENTER" -- "$PROBE" creds
	assert_eq 0 "$RC" "$1: exit status" || continue
	assert_eq "uid=$2,$2,$2 gid=$2,$2,$2 groups=$3 $NOCAPS bnd=$HOST_BND nnp=0
regain: none" "$STDOUT" "$1: credentials"
done

case_begin "nnp=yes: empty bounding set and no_new_privs in the program"
run as erin "$ENTER" -- "$PROBE" creds
assert_eq 0 "$RC" "exit status" &&
	assert_eq "uid=2005,2005,2005 gid=2005,2005,2005 groups=2005,3002 $NOCAPS bnd=$ZERO nnp=1
regain: none" "$STDOUT" "credentials"

# ---------------------------------------------------------------------------
case_begin "pid set: the waiting parent is unprivileged, forwards SIGTERM and SIGHUP, exits with the child's status"
rm -f "$OUT/pidset.pid"
(as_exec alice "$ENTER" -- sh -c 'echo $$ >"$0"; trap "exit 7" TERM; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done' "$OUT/pidset.pid" </dev/null) &
P=$!
wait_file pidset.pid
assert_ne 1 "$(cat "$OUT/pidset.pid")" "the shell is not PID 1 of the set"
CHILD=$(cat "/proc/$P/task/$P/children" 2>/dev/null | cut -d' ' -f1)
[ -n "$CHILD" ] || fail "the helper $P has no child: did it fork?"
assert_eq "$(proc_ids "$CHILD")" "$(proc_ids "$P")" "parent and child have the same ids"
assert_contains "$(proc_ids "$P")" "Uid: 2001 2001 2001 2001" "parent's uids"
assert_eq "CapPrm: $ZERO" "$(grep CapPrm "/proc/$P/status" | tr -s '\t ' ' ')" "parent's capabilities"
kill -INT "$P"           # ignored by the parent (the terminal sends it to the child itself)
sleep 0.3
kill -0 "$P" 2>/dev/null || fail "SIGINT ended the waiting parent"
as alice kill -TERM "$P" || fail "alice cannot signal her own session parent"
wait "$P"
assert_eq 7 "$?" "status after SIGTERM (the child's trap exits 7)"
rm -f "$OUT/pidset.pid"
(as_exec alice "$ENTER" -- sh -c 'echo $$ >"$0"; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done' "$OUT/pidset.pid" </dev/null) &
P=$!
wait_file pidset.pid
kill -HUP "$P"
wait "$P"
assert_eq 129 "$?" "status after SIGHUP (child killed by it: 128+1)"

# ---------------------------------------------------------------------------
case_begin "-c COMMAND: the shell runs the string, untouched"
run as bob "$ENTER" -c 'printf "%s|" "$0" "a  b" '\''$HOME'\'' "\\n"; echo; exit 3'
assert_eq 3 "$RC" "exit status" && assert_eq 'sh|a  b|$HOME|\n|' "$STDOUT"
run as bob "$ENTER" -c 'echo $(id -u) $(readlink /proc/self/ns/mnt)'
assert_eq 0 "$RC" && assert_ne "2002 $HOST_MNT" "$STDOUT" "runs in the set"

case_begin "-- CMD ARGS: runs CMD directly with its arguments untouched"
run as bob "$ENTER" -- printf '[%s]' 'a b' '$HOME' '\n' '*' '' '-c' '--' 'x;y' "$(printf 'l1\nl2')"
assert_eq 0 "$RC" && assert_eq '[a b][$HOME][\n][*][][-c][--][x;y][l1
l2]' "$STDOUT"
run as bob "$ENTER" -- /bin/sh -c 'echo "$0"' zero
assert_eq "zero" "$STDOUT" "argv[0] of CMD is its own"

case_begin "login shell: argv[0] '-nsset-enter' starts the shell as a login shell"
run as bob "$LAUNCH" --argv0 -nsset-enter "$ENTER" -c 'echo $0'
assert_eq 0 "$RC" && assert_eq "-sh" "$STDOUT" "login, -c"
run as bob "$LAUNCH" --argv0 nsset-enter "$ENTER" -c 'echo $0'
assert_eq "sh" "$STDOUT" "not login, -c"
printf 'echo "interactive $0"\n' >"$OUT/stdin.sh"
STDOUT=$(as bob "$LAUNCH" --argv0 -nsset-enter "$ENTER" <"$OUT/stdin.sh" 2>/dev/null)
assert_eq "interactive -sh" "$STDOUT" "login shell reading stdin"

# ---------------------------------------------------------------------------
case_begin "ForceCommand: SSH_ORIGINAL_COMMAND runs as shell -c, empty gives the shell, arguments win"
run env SSH_ORIGINAL_COMMAND='echo forced $((6*7)) $0; readlink /proc/self/ns/mnt' setpriv --reuid=bob --regid=bob --init-groups -- "$ENTER"
assert_eq 0 "$RC" && assert_eq "forced 42 sh" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "forced command"
assert_ne "$HOST_MNT" "$(printf '%s\n' "$STDOUT" | sed -n 2p)" "forced command runs in the set"
STDOUT=$(SSH_ORIGINAL_COMMAND='echo $0' as bob "$LAUNCH" --argv0 -nsset-enter "$ENTER" </dev/null 2>&1)
assert_eq "-sh" "$STDOUT" "forced command in a login shell"
STDOUT=$(SSH_ORIGINAL_COMMAND= as bob "$ENTER" <"$OUT/stdin.sh" 2>&1)
assert_eq "interactive sh" "$STDOUT" "empty SSH_ORIGINAL_COMMAND gives the shell"
run env SSH_ORIGINAL_COMMAND='echo forced' setpriv --reuid=bob --regid=bob --init-groups -- "$ENTER" -- echo direct
assert_eq "direct" "$STDOUT" "-- wins over SSH_ORIGINAL_COMMAND"
run env SSH_ORIGINAL_COMMAND='echo forced' setpriv --reuid=bob --regid=bob --init-groups -- "$ENTER" -c 'echo given'
assert_eq "given" "$STDOUT" "-c wins over SSH_ORIGINAL_COMMAND"

# ---------------------------------------------------------------------------
case_begin "usage errors: exit 64, usage on stderr, nothing placed"
log_mark
for args in "-x" "-c" "-c|a|b" "--" "--|" "-h|extra" "--help|x" "-cfoo" "user/2002" "--set|user/2002" "-|x"; do
	old_ifs=$IFS; IFS='|'
	# shellcheck disable=SC2086
	set -- $args
	IFS=$old_ifs
	[ "$args" = "--|" ] && set -- -- ""
	run as solo "$ENTER" "$@"
	assert_eq 64 "$RC" "nsset-enter $args" || continue
	assert_eq "" "$STDOUT" "stdout of nsset-enter $args"
	assert_contains "$STDERR" "usage: nsset-enter" "stderr of nsset-enter $args"
done
[ ! -e "$NSSET_STORE/user/2200" ] || fail "a set was made for solo"
assert_log_not_contains "entered set"

case_begin "-h and --help: exit 0, usage on stdout, nothing placed"
for h in -h --help; do
	run as solo "$ENTER" "$h"
	assert_eq 0 "$RC" "$h" && assert_contains "$STDOUT" "usage: nsset-enter" "$h"
done
[ ! -e "$NSSET_STORE/user/2200" ] || fail "a set was made for solo"

# ---------------------------------------------------------------------------
case_begin "exit codes: 126 not executable, 127 not found, else the program's own status"
assert_status 126 as bob "$ENTER" -- /etc/passwd
assert_status 126 as bob "$ENTER" -- /etc
assert_status 127 as bob "$ENTER" -- /nonexistent/cmd
# (A PATH with a directory the user cannot search would give EACCES: 126.)
assert_status 127 env PATH=/usr/bin:/bin setpriv --reuid=bob --regid=bob --init-groups -- "$ENTER" -- no-such-command-anywhere
assert_status 42 as bob "$ENTER" -- sh -c 'exit 42'
assert_status 42 as bob "$ENTER" -c 'exit 42'
assert_status 0 as bob "$ENTER" -- true

case_begin "the shell: shell= wins, nsset-enter itself or a relative passwd shell is refused (125)"
write_policy "solo user mnt,ipc shell=/bin/dash
$POLICY"
run as solo "$ENTER" -c 'readlink /proc/$$/exe'
assert_eq 0 "$RC" && assert_eq "/usr/bin/dash" "$(readlink -f "$STDOUT")" "shell= is used"
write_policy "solo user mnt,ipc shell=/nonexistent/sh
$POLICY"
assert_status 127 as solo "$ENTER" -c true
etc_edit /etc/passwd "s|^\\(solo:.*:\\)[^:]*\$|\\1$ENTER|"
write_policy "$POLICY"
run as solo "$ENTER" -c 'echo SHOULD-NOT-RUN'
assert_eq 125 "$RC" "passwd shell is nsset-enter, no shell=" &&
	assert_eq "" "$STDOUT" && assert_contains "$STDERR" "nsset-enter itself"
run as solo "$ENTER" -- echo direct
assert_eq 0 "$RC" "-- needs no shell" && assert_eq "direct" "$STDOUT"
etc_edit /etc/passwd "s|^\\(solo:.*:\\)[^:]*\$|\\1bin/sh|"
run as solo "$ENTER" -c 'echo SHOULD-NOT-RUN'
assert_eq 125 "$RC" "relative passwd shell" && assert_eq "" "$STDOUT"
etc_edit /etc/passwd "s|^\\(solo:.*:\\)[^:]*\$|\\1/bin/sh|"

case_begin "nsset-enter as the passwd shell: started as '-nsset-enter' with shell=, it runs the real shell as a login shell"
etc_edit /etc/passwd "s|^\\(solo:.*:\\)[^:]*\$|\\1$ENTER|"
write_policy "solo user mnt,ipc shell=/bin/sh
$POLICY"
run as solo "$LAUNCH" --argv0 -nsset-enter "$ENTER" -c 'echo $0 $SHELL; sed -n 1p /run/nsset/self'
assert_eq 0 "$RC" && assert_eq "-sh /bin/sh
set=user/2200" "$STDOUT"
etc_edit /etc/passwd "s|^\\(solo:.*:\\)[^:]*\$|\\1/bin/sh|"
write_policy "$POLICY"

# ---------------------------------------------------------------------------
case_begin "argc 0: never an argument taken from the environment"
# As in the pkexec exploit (CVE-2021-4034), where argv[1] aliased envp[0]:
# were that read, this environment would run the probe. Linux >= 5.18 turns
# argc 0 into argc 1 with argv[0] "" before the program starts (then this is
# an ordinary start: a shell reading /dev/null); older kernels deliver argc
# 0, and nsset-enter must then leave with 64 before reading or writing
# anything.
log_mark
run setpriv --reuid=grp01 --regid=grp01 --init-groups -- "$LAUNCH" --argc0 \
	--rawenv -- --rawenv "$PROBE" --rawenv creds --rawenv 'GCONV_PATH=.' --rawenv 'CHARSET=PWNKIT' "$ENTER"
assert_eq "" "$STDOUT" "stdout (the probe must not run)" &&
	assert_eq "" "$STDERR" "stderr"
case $RC in
64) assert_log_not_contains "nsset-enter" ;;
0) echo "  (this kernel turned argc 0 into argc 1)" >&2 ;;
*) fail "exit status $RC, expected 64 (argc 0 seen) or 0 (kernel made it argc 1)" ;;
esac

case_begin "empty argv[0]: an ordinary (non-login) start"
run as bob "$LAUNCH" --argv0 "" "$ENTER" -c 'echo $0'
assert_eq 0 "$RC" && assert_eq "sh" "$STDOUT"
run as bob "$LAUNCH" --argv0 "" "$ENTER" -- echo ok
assert_eq 0 "$RC" && assert_eq "ok" "$STDOUT"

case_begin "100000 arguments are passed on"
# Not through run(): its log line would hold every argument.
# shellcheck disable=SC2046
STDOUT=$(as bob "$ENTER" -- sh -c 'echo $# ${1} ${100000}' sh $(seq 100000) </dev/null 2>"$OUT/err")
RC=$?
assert_eq 0 "$RC" "exit status: $(head -c 300 "$OUT/err")" && assert_eq "100000 1 100000" "$STDOUT"
# shellcheck disable=SC2046
as bob "$ENTER" --bogus $(seq 100000) </dev/null >/dev/null 2>&1
assert_eq 64 "$?" "an unknown option with 100000 arguments"

case_begin "a megabyte of arguments and the longest single argument (128 KiB) are passed on"
BIG=$(head -c 131071 /dev/zero | tr '\0' a)
STDOUT=$(as bob "$ENTER" -- sh -c 'n=0; for a; do n=$((n + ${#a})); done; echo $# $n' sh \
	"$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" "$BIG" </dev/null 2>"$OUT/err")
RC=$?
assert_eq 0 "$RC" "exit status: $(head -c 300 "$OUT/err")" && assert_eq "8 1048568" "$STDOUT"
CMD=$(printf '#%s\necho long-ok' "$(head -c 131000 /dev/zero | tr '\0' a)")
STDOUT=$(as bob "$ENTER" -c "$CMD" </dev/null 2>"$OUT/err")
RC=$?
assert_eq 0 "$RC" "-c with 128 KiB: $(head -c 300 "$OUT/err")" && assert_eq "long-ok" "$STDOUT"
# As SSH_ORIGINAL_COMMAND (the whole NAME=VALUE string must fit in 128 KiB).
STDOUT=$(SSH_ORIGINAL_COMMAND=$CMD as bob "$ENTER" </dev/null 2>"$OUT/err")
RC=$?
assert_eq 0 "$RC" "SSH_ORIGINAL_COMMAND of 128 KiB: $(head -c 300 "$OUT/err")" && assert_eq "long-ok" "$STDOUT"

# ---------------------------------------------------------------------------
case_begin "already inside after a PAM login: nsset-enter just execs (nothing joined, no new session)"
login_bg alice in1 "readlink /proc/self/ns/mnt /proc/self/ns/ipc /proc/self/ns/pid_for_children
$ENTER -- readlink /proc/self/ns/mnt /proc/self/ns/ipc /proc/self/ns/pid_for_children
echo rc=\$?"
IN1=$LOGIN_PID
wait_file in1
OUTER=$(sed -n 1,3p "$OUT/in1")
INNER=$(sed -n 4,6p "$OUT/in1")
assert_eq "rc=0" "$(sed -n 7p "$OUT/in1")" "nsset-enter inside the session" &&
	assert_eq "$OUTER" "$INNER" "namespaces before and after nsset-enter"
assert_eq 1 "$(ls "$NSSET_STORE/user/2001/sessions" | wc -l)" "session entries (only the PAM login's)"

case_begin "already inside, without privilege (no_new_privs, traced): still runs, with the caller's limits"
login_bg alice in2 "ulimit -Sn; ulimit -Hn; ulimit -Ss; ulimit -Sc
setpriv --no-new-privs $ENTER -- sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Ss; ulimit -Sc'
echo nnp-rc=\$?
$LAUNCH --traceme $ENTER -- sh -c 'ulimit -Sn'
echo traced-rc=\$?"
wait_file in2
sed 's/^/  in2| /' "$OUT/in2" >&2
assert_eq "nnp-rc=0" "$(grep '^nnp-rc=' "$OUT/in2")" "under no_new_privs" &&
	assert_eq "$(sed -n 1,4p "$OUT/in2")" "$(sed -n 5,8p "$OUT/in2")" "limits (soft/hard nofile, stack, core)"
assert_eq "traced-rc=0" "$(grep '^traced-rc=' "$OUT/in2")" "traced"

case_begin "inside another set: exit 125 with a message"
rm -f "$OUT/in3.go"
login_bg carol in3 "while [ ! -e $OUT/in3.go ]; do sleep 0.05; done
sed -n 1p /run/nsset/self
$ENTER -- echo SHOULD-NOT-RUN
echo rc=\$?"
sleep 0.5
group_del_member students carol     # the policy now gives carol user/2003
touch "$OUT/in3.go"
wait_file in3
group_add_member students carol
sed 's/^/  in3| /' "$OUT/in3" >&2
assert_eq "set=group/3001" "$(sed -n 1p "$OUT/in3")" "the PAM login placed carol in the group set" &&
	assert_eq "rc=125" "$(grep '^rc=' "$OUT/in3")" "exit status" &&
	assert_not_contains "$(cat "$OUT/in3")" "SHOULD-NOT-RUN" &&
	assert_contains "$(cat "$OUT/in3")" "sits in set group/3001, but the policy assigns user/2003"

# ---------------------------------------------------------------------------
case_begin "outdated pid set: a rule edited to drop pid still runs the program inside the set's pid namespace"
# A job left in alice's pid set keeps it (keep=always), so the edited rule
# finds it outdated and joins it as it is: nsset-enter must fork for its
# pid namespace, as the set has one, whatever the rule now says.
run as alice "$ENTER" -- sh -c 'setsid sleep 2001007 </dev/null >/dev/null 2>&1 &'
assert_eq 0 "$RC" "the job's login"
write_policy "$(printf '%s\n' "$POLICY" | sed 's/^alice .*/alice user mnt,uts,ipc tmp=private hostname=box-%u/')"
log_mark
# The program itself, not only its children: readlink is what runs.
run as alice "$ENTER" -- readlink /proc/self/ns/pid
assert_eq 0 "$RC" "exit status" &&
	assert_eq "pid:[$(stat -L -c %i "$NSSET_STORE/user/2001/pid")]" "$STDOUT" \
		"the program sits in the set's pid namespace"
run as alice "$ENTER" -- sh -c 'hostname; pgrep -xf "sleep 2001007" >/dev/null && echo job'
assert_eq "box-alice
job" "$STDOUT" "the set as it is, with its job"
assert_log_contains "set user/2001 no longer matches its rule (namespaces=mnt,uts,ipc (was mnt,uts,ipc,pid)); alice joins it as it is"
pkill -xf "sleep 2001007"
write_policy "$POLICY"

# ---------------------------------------------------------------------------
case_begin "root is never placed and keeps its own limits"
run sh -c "ulimit -Sn 777; exec $PROBE limits"
WANT=$STDOUT
run sh -c "ulimit -Sn 777; exec $ENTER -- $PROBE limits"
assert_eq 0 "$RC" "exit status" && assert_eq "$WANT" "$STDOUT" "limits"
run "$ENTER" -- readlink /proc/self/ns/mnt
assert_eq "$HOST_MNT" "$STDOUT" "root stays where it is"

summary
