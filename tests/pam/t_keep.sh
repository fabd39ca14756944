#!/bin/sh
# What a set keeps and shows: keep=processes (the set lives while any process
# lives in it), the holder's and init's process titles, /dev/shm's size
# (shm=) and the time namespace's offsets (uptime=set).
#
#   sh tests/lib/sandbox.sh sh tests/pam/t_keep.sh

. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER"

POLICY='root   none
alice  user   mnt,uts,ipc,pid   keep=processes
bob    user   mnt,ipc           keep=processes
carol  user   mnt,ipc,pid       keep=sessions
dave   user   mnt,ipc           shm=8m
erin   user   mnt
frank  user   mnt,ipc           shm=host
grp01  user   mnt,time          uptime=set
grp02  user   mnt,time
grp03  session mnt,pid'
write_policy "$POLICY"
write_service nsset-test "debug"

settle_gone() { # PATH [TIMEOUT]: wait until PATH no longer exists
	_n=0
	while [ -e "$1" ]; do
		_n=$((_n + 1)); [ $_n -lt $(($(slow "${2:-10}") * 20)) ] || return 1
		sleep 0.05
	done
}
# A detached job (setsid, no terminal, like nohup or tmux's server) that runs
# until the file $OUT/$1 exists.
job() {
	echo "setsid sh -c 'while [ ! -e $OUT/$1 ]; do sleep 0.2; done' </dev/null >/dev/null 2>&1 &"
}
# The processes of a set, by the store's pid namespace file (pid sets) or
# mount namespace file, as host pids.
in_set() { # SETDIR TYPE
	_i=$(stat -L -c %i "$1/$2") || return
	for _p in /proc/[0-9]*; do
		[ "$(stat -L -c %i "$_p/ns/$2" 2>/dev/null)" = "$_i" ] && echo "${_p#/proc/}"
	done
}
cmdline() { tr -d '\0' <"/proc/$1/cmdline"; }
# The command line as it is, NULs shown as '|': one string, then NULs (one
# when the holder could move it, PR_SET_MM; more when it wrote over its
# argv, as without CAP_SYS_RESOURCE).
rawcmd() { tr '\0' '|' <"/proc/$1/cmdline"; }

# ---------------------------------------------------------------------------
case_begin "keep=processes: a detached job keeps a pid set after the last session"
D=$(set_dir user 2001)
login_bg alice k1 "$(job stop-k1) echo started"; K1=$LOGIN_PID
wait_file k1 || return
MNT=$(stat -L -c %i "$D/mnt")
end_session "$K1"
sleep 0.5
[ -d "$D" ] || fail "set ended with its last session although a job runs in it"
assert_ne "" "$(in_set "$D" pid)" "processes in the set"
# The user finds the job at the next login, in the same set.
run login alice sh -c 'stat -L -c %i /proc/self/ns/mnt; for p in /proc/[0-9]*; do tr "\0" " " <$p/cmdline; echo; done'
assert_eq 0 "$RC" "login while the job runs"
assert_eq "$MNT" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "the same set"
assert_contains "$STDOUT" "stop-k1" "the job seen from the next login"
sleep 0.3
[ -d "$D" ] || fail "set ended with the second session although the job still runs"
log_mark
touch "$OUT/stop-k1"
settle_gone "$D" 10 || fail "set not ended after its last process"
assert_log_contains "set user/2001 destroyed: its last session and its last process ended"
assert_eq 0 "$(nsfs_mount_count "$MNT")" "nsfs mounts left"

case_begin "keep=processes: a set with no job ends with its last session"
login_bg alice k2 ':'; K2=$LOGIN_PID
wait_file k2 || return
end_session "$K2"
settle_gone "$D" 10 || fail "an empty keep=processes set was kept"

case_begin "keep=processes without a pid namespace"
D=$(set_dir user 2002)
login_bg bob k3 "$(job stop-k3)"; K3=$LOGIN_PID
wait_file k3 || return
end_session "$K3"
sleep 0.5
[ -d "$D" ] || fail "set ended with its last session although a job runs in it"
touch "$OUT/stop-k3"
settle_gone "$D" 10 || fail "set not ended after its last process"

case_begin "keep=sessions in a pid set ends detached jobs with the last session"
D=$(set_dir user 2003)
login_bg carol k4 "$(job stop-k4) echo started"; K4=$LOGIN_PID
wait_file k4 || return
JOBS=$(in_set "$D" pid)
assert_contains "$(for p in $JOBS; do cmdline "$p"; echo; done)" "stop-k4" "the job runs in the set"
end_session "$K4"
settle_gone "$D" 10 || fail "keep=sessions set outlived its last session"
sleep 0.2
for p in $JOBS; do
	[ -d "/proc/$p" ] && [ "$(cut -d' ' -f3 "/proc/$p/stat")" != Z ] &&
		fail "process $p of the set survived it: $(cmdline "$p")"
done

case_begin "process titles of the holder and the init, on the host and inside"
D=$(set_dir user 2001)
login_bg alice t1 'tr "\0" "|" </proc/1/cmdline; echo; cat /proc/1/comm'; T1=$LOGIN_PID
wait_file t1 || return
HOLDER=$(sed -n 's/^holder_pid=//p' "$D/meta")
INIT=$(sed -n 's/^init_pid=//p' "$D/meta")
assert_match "$(rawcmd "$HOLDER")" "^nsset-holder user/2001\|+$" "holder's cmdline"
assert_eq "nsset-holder" "$(cat "/proc/$HOLDER/comm")" "holder's comm"
assert_match "$(rawcmd "$INIT")" "^nsset-init user/2001\|+$" "init's cmdline"
assert_eq "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$(tr '\0' '\n' <"/proc/$HOLDER/environ")" "holder's environment, untouched"
assert_eq "nsset-init" "$(cat "/proc/$INIT/comm")" "init's comm"
assert_match "$(sed -n 1p "$OUT/t1")" "^nsset-init user/2001\|+$" "PID 1 inside the set"
assert_eq "nsset-init" "$(sed -n 2p "$OUT/t1")" "PID 1's comm inside the set"
assert_match "$(ps -o args= -p "$HOLDER")" "^nsset-holder user/2001 *$" "ps of the holder"
end_session "$T1"
# A non-pid set's holder too.
login_bg dave t2 ':'; T2=$LOGIN_PID
wait_file t2 || return
HOLDER=$(sed -n 's/^holder_pid=//p' "$(set_dir user 2004)/meta")
assert_match "$(rawcmd "$HOLDER")" "^nsset-holder user/2004\|+$" "holder's cmdline"
end_session "$T2"
# The longest names, a session set's: shown whole.
login_bg grp03 t3 ':'; T3=$LOGIN_PID
wait_file t3 || return
SD=$(ls -d "$NSSET_STORE"/session/* | head -n 1)
SN=session/$(basename "$SD")
assert_match "$(rawcmd "$(sed -n 's/^holder_pid=//p' "$SD/meta")")" "^nsset-holder $SN\|+$" "session set's holder"
assert_match "$(rawcmd "$(sed -n 's/^init_pid=//p' "$SD/meta")")" "^nsset-init $SN\|+$" "session set's init"
end_session "$T3"

case_begin "shm=: /dev/shm's size, the default, and the host's"
SHM='df -k /dev/shm | tail -n 1 | awk "{print \$2}"; stat -c "%d %a" /dev/shm; grep " /dev/shm " /proc/self/mountinfo | tail -n 1'
HOSTSHM=$(stat -c %d /dev/shm)
run login dave sh -c "$SHM"
assert_eq 0 "$RC" "login with shm=8m"
assert_eq 8192 "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "size of /dev/shm with shm=8m (KiB)"
assert_ne "$HOSTSHM 1777" "$(printf '%s\n' "$STDOUT" | sed -n 2p)" "a /dev/shm of its own"
assert_match "$(printf '%s\n' "$STDOUT" | sed -n 2p)" " 1777$" "mode of /dev/shm"
assert_match "$(printf '%s\n' "$STDOUT" | sed -n 3p)" "nosuid,nodev|nodev,nosuid" "mount options"
# bob's set has mnt and ipc and no shm=: the documented default, 64m.
run login bob sh -c "$SHM"
assert_eq 65536 "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "size of /dev/shm by default (KiB)"
# erin's has no ipc: /dev/shm stays the host's, as before shm= existed.
run login erin sh -c "$SHM"
assert_eq "$HOSTSHM" "$(printf '%s\n' "$STDOUT" | sed -n 2p | cut -d' ' -f1)" "erin's /dev/shm is the host's"
run login frank sh -c "$SHM"
assert_eq "$HOSTSHM" "$(printf '%s\n' "$STDOUT" | sed -n 2p | cut -d' ' -f1)" "shm=host keeps the host's /dev/shm"
assert_contains "$("$NSSET_BUILD/nssetctl" show user/2004 2>&1)" "private, size=8m" "nssetctl show"

case_begin "uptime=set: boottime and monotonic start at the set's creation"
if have_ns time; then
	UPTIME='cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets'
	run login grp01 sh -c "$UPTIME"
	assert_eq 0 "$RC" "login with uptime=set"
	UP=$(printf '%s\n' "$STDOUT" | sed -n 1p)
	HOSTUP=$(cut -d. -f1 /proc/uptime)
	[ "$UP" -lt "$(slow 20)" ] || fail "uptime in a new set is $UP s"
	assert_match "$STDOUT" "monotonic +-[0-9]+ +0" "monotonic offset"
	assert_match "$STDOUT" "boottime +-[0-9]+ +0" "boottime offset"
	[ "$HOSTUP" -gt $((UP + 30)) ] || echo "  (the host is up only $HOSTUP s: the host's uptime and the set's are close)" >&2
	# The clocks run on in the set: a later login reads more.
	sleep 1.2
	run login grp01 sh -c "$UPTIME"
	UP2=$(printf '%s\n' "$STDOUT" | sed -n 1p)
	[ "$UP2" -gt "$UP" ] || fail "uptime of the set went from $UP to $UP2 s"
	[ "$UP2" -lt "$HOSTUP" ] || [ "$HOSTUP" -lt 30 ] || fail "uptime of the set ($UP2 s) is the host's ($HOSTUP s)"
	assert_contains "$("$NSSET_BUILD/nssetctl" show user/2101 2>&1)" "from the set's creation" "nssetctl show"
	# Without uptime= the time namespace reads the host's clocks.
	run login grp02 sh -c "$UPTIME"
	UP3=$(printf '%s\n' "$STDOUT" | sed -n 1p)
	HOSTUP=$(cut -d. -f1 /proc/uptime)
	[ $((HOSTUP - UP3)) -le 2 ] && [ $((UP3 - HOSTUP)) -le 2 ] ||
		fail "a time set without uptime= reads $UP3 s, the host $HOSTUP s"
else
	case_skip "this kernel has no time namespaces (no /proc/self/ns/time)"
fi

summary
