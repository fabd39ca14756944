#!/bin/sh
# Integration tests of pam_nsset.so and nsset-holder, driven through libpam
# by nsset-login in the hermetic sandbox: real namespaces, real mounts, real
# test users. Namespaces are compared by inode between processes alive at
# the same time (ids are reused as soon as a namespace is freed).
#
#   sh tests/lib/sandbox.sh sh tests/pam/t_core.sh

. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER"

POLICY='# test policy
root        none
frank       none
@students   group     mnt,uts,ipc,pid,net     tmp=private hostname=lab-%g
@ci         session   mnt,net,ipc             tmp=private
alice       user      mnt,uts,ipc,net,pid     tmp=private hostname=box-%u
dave2       user      mnt,cgroup,time
*           user      mnt,ipc                 tmp=private keep=sessions'
write_policy "$POLICY"
write_service nsset-test "debug"

ALL="mnt uts ipc net pid"
# Prints "type:inode" of every namespace of a live process.
ns_all() {
	for _t in $ALL cgroup time; do ns_of "$1" "$_t"; done
}
same_ns() { # PID1 PID2 TYPES... : every listed type identical
	_a=$1 _b=$2; shift 2
	for _t in "$@"; do
		assert_eq "$(ns_of "$_a" "$_t")" "$(ns_of "$_b" "$_t")" "$_t of $_a and $_b" || return 1
	done
}
diff_ns() { # PID1 PID2 TYPES... : every listed type different
	_a=$1 _b=$2; shift 2
	for _t in "$@"; do
		assert_ne "$(ns_of "$_a" "$_t")" "$(ns_of "$_b" "$_t")" "$_t of $_a and $_b" || return 1
	done
}
wait_ended() { # PID: until the process is gone or a zombie (5 s at most)
	_n=0
	while [ $_n -lt 100 ] && [ -d "/proc/$1" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		sleep 0.05; _n=$((_n + 1))
	done
}
settle_gone() { # PATH [TIMEOUT]: wait until PATH no longer exists
	_n=0
	while [ -e "$1" ]; do
		_n=$((_n + 1)); [ $_n -lt $((${2:-10} * 20)) ] || return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------
case_begin "one user's two sessions share one set"
login_bg alice a1 'echo $$'; A1=$LOGIN_PID
login_bg alice a2 'echo $$'; A2=$LOGIN_PID
wait_file a1 && wait_file a2 || return
S1=$(session_pid "$A1"); S2=$(session_pid "$A2")
same_ns "$S1" "$S2" $ALL
diff_ns $$ "$S1" $ALL
D=$(set_dir user 2001)
for t in $ALL; do
	assert_eq "$(ns_of "$S1" "$t" | sed 's/.*\[\(.*\)\]/\1/')" "$(stat -L -c %i "$D/$t")" "store $t" || break
done
assert_eq 2 "$(ls "$D/sessions" | wc -l)" "registered sessions"
assert_contains "$(cat "$D/meta")" "scope=user" meta

case_begin "two users do not share"
login_bg bob b1 ':'; B1=$LOGIN_PID
wait_file b1
SB=$(session_pid "$B1")
diff_ns "$S1" "$SB" mnt ipc
assert_eq "$(ns_of $$ net)" "$(ns_of "$SB" net)" "bob's policy has no net ns"

case_begin "pid set: the session is not PID 1 and sees only its set"
login_bg alice a3 'echo pid=$$; cat /proc/1/comm; ls -d /proc/[0-9]* | wc -l; id -u'
wait_file a3
assert_match "$(cat "$OUT/a3")" '^pid=[0-9]+$'
assert_ne "pid=1" "$(sed -n 1p "$OUT/a3")" "own pid"
assert_eq "nsset-init" "$(sed -n 2p "$OUT/a3")" "PID 1 of the set"
# init + the three held shells (sleep) + this snippet's sh and ls
n=$(sed -n 3p "$OUT/a3")
[ "$n" -le 8 ] || fail "sees $n processes"
assert_eq 2001 "$(sed -n 4p "$OUT/a3")" "uid in the set"

case_begin "uts set: hostname from the template, host untouched"
login_bg alice a4 'hostname'
wait_file a4
assert_eq "box-alice" "$(cat "$OUT/a4")" hostname
assert_eq "nsset-test" "$(hostname)" "sandbox hostname"

case_begin "net set: only lo, and it is up"
login_bg alice a5 'ip -o link show | cut -d: -f2 | tr -d " "; ip -o link show lo'
wait_file a5
assert_eq "lo" "$(sed -n 1p "$OUT/a5")" interfaces
assert_contains "$(sed -n 2p "$OUT/a5")" "UP" "lo flags"

case_begin "ipc set: private /dev/shm and SysV IPC"
login_bg alice a6 'touch /dev/shm/alice-shm; ls /dev/shm; ipcmk -M 4096 >/dev/null && ipcs -m | grep -c 0x'
wait_file a6
assert_contains "$(cat "$OUT/a6")" "alice-shm"
[ ! -e /dev/shm/alice-shm ] || fail "/dev/shm file visible on the host"
login_bg bob b2 'ls /dev/shm; ipcs -m | grep -c 0x || true'
wait_file b2
assert_not_contains "$(cat "$OUT/b2")" "alice-shm" "bob's /dev/shm"

case_begin "/tmp is private to the set and persists across the user's logins"
run login alice sh -c 'echo hello > /tmp/alice-file; echo x > /var/tmp/alice-var'
assert_eq 0 "$RC" "first login"
run login alice cat /tmp/alice-file /var/tmp/alice-var
assert_eq "hello
x" "$STDOUT" "second login sees it"
[ ! -e /tmp/alice-file ] || fail "/tmp/alice-file leaked to the host"
run login bob sh -c 'ls /tmp; ls -ld /tmp'
assert_not_contains "$STDOUT" "alice-file" "bob's /tmp"
assert_contains "$STDOUT" "drwxrwxrwt" "/tmp mode 1777"

case_begin "tmp=private:size is honoured"
write_policy "erin user mnt tmp=private:size=2m
$POLICY"
run login erin sh -c 'df -k /tmp | tail -n1'
assert_eq 0 "$RC" login
assert_match "$STDOUT" '^tmpfs +2048 '
write_policy "$POLICY"

case_begin "members of a group rule share one set, a non-member does not"
login_bg carol c1 'hostname; touch /tmp/carol-was-here'; C1=$LOGIN_PID
login_bg dave d1 'sleep 0.5; ls /tmp; ps -eo comm= | sort | uniq -c | grep -c sleep'; D1=$LOGIN_PID
wait_file c1 && wait_file d1
SC=$(session_pid "$C1"); SD=$(session_pid "$D1")
same_ns "$SC" "$SD" $ALL
assert_eq "lab-students" "$(cat "$OUT/c1")" "group hostname"
assert_contains "$(cat "$OUT/d1")" "carol-was-here" "shared /tmp"
[ -d "$(set_dir group 3001)" ] || fail "no group/3001 in the store"
diff_ns "$SC" "$S1" $ALL
diff_ns "$SC" "$SB" mnt ipc

case_begin "session scope: each login gets a fresh set, gone after close"
login_bg erin e1 'cat /run/nsset/self; touch /tmp/made-by-e1'; E1=$LOGIN_PID
login_bg erin e2 'cat /run/nsset/self; ls /tmp'; E2=$LOGIN_PID
wait_file e1 && wait_file e2
SE1=$(session_pid "$E1"); SE2=$(session_pid "$E2")
diff_ns "$SE1" "$SE2" mnt net ipc
assert_not_contains "$(cat "$OUT/e2")" "made-by-e1" "second session's /tmp"
N1=$(sed -n 's|^set=session/||p' "$OUT/e1"); N2=$(sed -n 's|^set=session/||p' "$OUT/e2")
assert_match "$N1" '^[0-9a-f]{16}$' "session id"
[ -d "$(set_dir session "$N1")" ] || fail "session set $N1 not in the store"
NET1=$(ns_of "$SE1" net)
end_session "$E1"
[ ! -e "$(set_dir session "$N1")" ] || fail "session set $N1 still there after close"
[ -e "$(set_dir session "$N2")" ] || fail "the other session's set went too"
assert_eq 0 "$(nsfs_mount_count "$NET1")" "nsfs mounts of the closed set's net ns"
[ ! -e "$NSSET_STORE/session/$N1.lock" ] || fail "lock file of the closed session left behind"
end_session "$E2"
settle_gone "$(set_dir session "$N2")" || fail "second session set not removed"

case_begin "a scope directory gone from the store is made again by the next login of that scope"
settle_gone "$NSSET_STORE/session/$N2.lock" || fail "the second session's lock file stayed"
rmdir "$NSSET_STORE/session" || fail "session/ was not empty: $(ls -A "$NSSET_STORE/session")"
login_bg erin e3 'cat /run/nsset/self'; E3=$LOGIN_PID
wait_file e3
assert_match "$(cat "$OUT/e3")" '^set=session/[0-9a-f]{16}' "placed after session/ was removed"
assert_eq "700 0:0" "$(stat -c '%a %u:%g' "$NSSET_STORE/session")" "session/ made again"
end_session "$E3"

case_begin "session.max=2: a third session set of one user is refused, another user still gets one"
# issue 12: one user must not hold unbounded session sets.
write_policy "session.max=2
grp01       session   mnt,ipc
$POLICY"
login_bg erin m1 'cat /run/nsset/self'; M1=$LOGIN_PID
login_bg erin m2 'cat /run/nsset/self'; M2=$LOGIN_PID
wait_file m1 && wait_file m2
log_mark
run login erin true
assert_eq 11 "$RC" "erin's third concurrent session"
assert_log_contains "user erin: refusing a new session set: erin (uid 2005) already has 2 live session set(s), the most session.max=2 allows"
assert_eq 2 "$(ls "$NSSET_STORE/session" | grep -c '^[0-9a-f]*$')" "session sets in the store"
assert_eq 2 "$(ls "$NSSET_STORE/session" | grep -c '\.lock$')" "session lock files (none left by the refusal)"
login_bg grp01 o1 'cat /run/nsset/self'; O1=$LOGIN_PID
wait_file o1
assert_match "$(cat "$OUT/o1")" '^set=session/[0-9a-f]{16}' "grp01's session set, while erin is at her cap"
# One of erin's sets ends: she may make one again.
N1=$(sed -n 's|^set=session/||p' "$OUT/m1")
end_session "$M1"
settle_gone "$(set_dir session "$N1")" || fail "erin's first session set not removed"
run login erin cat /run/nsset/self
assert_eq 0 "$RC" "erin's login once one of her sets has ended"
end_session "$M2"
end_session "$O1"
# Five logins at once: the count and the create are one step per user,
# so exactly two are placed.
alive() { case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in Z | '') return 1 ;; esac; }
for i in 1 2 3 4 5; do login_bg erin p$i 'cat /run/nsset/self'; done
n=0
while [ $n -lt 600 ]; do
	undecided=0
	for i in 1 2 3 4 5; do
		[ -e "$OUT/p$i" ] || ! alive "$(cat "$OUT/p$i.pid")" || undecided=1
	done
	[ $undecided = 0 ] && break
	sleep 0.05; n=$((n + 1))
done
placed=0
for i in 1 2 3 4 5; do [ -e "$OUT/p$i" ] && placed=$((placed + 1)); done
assert_eq 2 "$placed" "erin's logins placed of five at once"
for i in 1 2 3 4 5; do end_session "$(cat "$OUT/p$i.pid")"; done
write_policy "$POLICY"

case_begin "keep=sessions: the set outlives the first session and goes with the last"
login_bg bob k1 ':'; K1=$LOGIN_PID   # bob already has b1 and b2 open
wait_file k1
end_session "$K1"
end_session "$B1"
[ -d "$(set_dir user 2002)" ] || fail "set gone while a session lives"
end_session "$(cat "$OUT/b2.pid")"
settle_gone "$(set_dir user 2002)" || fail "set not destroyed after the last session"

case_begin "keep=sessions: a killed session process (no close_session) still ends the set"
login_bg bob k2 'echo $$'; K2=$LOGIN_PID
wait_file k2
MNT=$(ns_of "$(session_pid "$K2")" mnt)
abort_session "$K2"                # nsset-login killed: no close_session
kill -KILL "$(cat "$OUT/k2")" 2>/dev/null
settle_gone "$(set_dir user 2002)" 10 || fail "set of a killed session not destroyed"
assert_eq 0 "$(nsfs_mount_count "$MNT")" "nsfs mounts left"

case_begin "root and 'none' users are left alone"
run login -n root sh -c 'readlink /proc/self/ns/mnt'
assert_eq 0 "$RC" "root login"
assert_eq "$(ns_of $$ mnt)" "$STDOUT" "root's mnt ns"
run login frank sh -c 'readlink /proc/self/ns/mnt'
assert_eq 0 "$RC" "frank login"
assert_eq "$(ns_of $$ mnt)" "$STDOUT" "frank's mnt ns"

if have_ns time; then
case_begin "cgroup and time namespaces"
write_policy "solo user cgroup,time,uts
$POLICY"
login_bg solo s1 ':'; SO=$LOGIN_PID
wait_file s1
SS=$(session_pid "$SO")
diff_ns $$ "$SS" cgroup time uts
assert_eq "$(ns_of $$ mnt)" "$(ns_of "$SS" mnt)" "no mnt ns asked"
end_session "$SO"
write_policy "$POLICY"
else
# A kernel built without time namespaces (user-mode-linux's 6.1): the
# cgroup part as above, and a rule asking for time must refuse the login
# cleanly, leaving no set, instead of placing it in fewer namespaces.
case_begin "cgroup namespaces; time namespaces absent from this kernel: a time rule is refused cleanly"
echo "  this kernel has no time namespaces (no /proc/self/ns/time): checking the refusal" >&2
write_policy "solo user cgroup,uts
$POLICY"
login_bg solo s1 ':'; SO=$LOGIN_PID
wait_file s1
SS=$(session_pid "$SO")
diff_ns $$ "$SS" cgroup uts
assert_eq "$(ns_of $$ mnt)" "$(ns_of "$SS" mnt)" "no mnt ns asked"
end_session "$SO"
# (grp30 has no set yet: an existing set would be joined as it is.)
write_policy "grp30 user cgroup,time,uts
$POLICY"
log_mark
run login grp30 true
# Refused by name in the account phase, before anything is made (t_kernel
# checks the same with a played kernel).
assert_eq 10 "$RC" "the account phase refused the time rule"
assert_log_contains "user grp30: refusing login: /etc/security/nsset.conf:1: namespace 'time' is not supported by this kernel"
[ ! -e "$(set_dir user 2130)" ] || fail "a set user/2130 was left after the refusal"
write_policy "$POLICY"
fi

case_begin "a killed init is recovered on the next login"
D=$(set_dir user 2001)
INIT=$(sed -n 's/^init_pid=//p' "$D/meta")
log_mark
kill -KILL "$INIT"
# SIGKILL is delivered asynchronously: log in once the init has ended.
wait_ended "$INIT"
run login alice sh -c 'cat /proc/1/comm; readlink /proc/self/ns/pid'
assert_eq 0 "$RC" "login after the init died"
assert_eq "nsset-init" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "new init"
# (A freed namespace's inode is reused at once: compare inits, not inodes.)
NEWINIT=$(sed -n 's/^init_pid=//p' "$D/meta")
assert_ne "$INIT" "$NEWINIT" "init of the new set"
kill -0 "$NEWINIT" || fail "new init not running"
assert_log_contains "user/2001"
assert_match "$(log_since_mark)" "init (process )?died"
for p in $A1 $A2; do end_session "$p"; done

case_begin "a killed holder makes the set stale: recreated and logged"
login_bg alice h1 ':'; H1=$LOGIN_PID
wait_file h1
D=$(set_dir user 2001)
HOLDER=$(sed -n 's/^holder_pid=//p' "$D/meta")
log_mark
kill -KILL "$HOLDER"
# Gone (or a zombie, whose lock is released as well) before the next login.
wait_ended "$HOLDER"
run login alice sh -c 'cat /proc/1/comm'
assert_eq 0 "$RC" "login after the holder died"
assert_eq "nsset-init" "$STDOUT" "a live init in the new set"
# (Namespace inodes are reused once freed: compare holders, not inodes.)
NEWHOLDER=$(sed -n 's/^holder_pid=//p' "$D/meta")
assert_ne "$HOLDER" "$NEWHOLDER" "holder of the new set"
kill -0 "$NEWHOLDER" || fail "new holder not running"
assert_log_contains "set user/2001 is stale (its holder is gone): recreating it"
end_session "$H1"

case_begin "30 parallel first logins of one user make exactly one set"
write_policy "solo user mnt,uts,ipc,net,pid tmp=private
$POLICY"
pids=
for i in $(seq 1 30); do
	login_bg solo par$i 'readlink /proc/self/ns/net'
	pids="$pids $LOGIN_PID"
done
for i in $(seq 1 30); do wait_file par$i 60 || break; done
assert_eq 1 "$(for i in $(seq 1 30); do cat "$OUT/par$i"; done | sort -u | wc -l)" "distinct net namespaces"
assert_eq 30 "$(ls "$(set_dir user 2200)/sessions" | wc -l)" "sessions registered"
assert_eq 0 "$(ls -d "$NSSET_STORE"/.build-* 2>/dev/null | wc -l)" "half-built sets"
for p in $pids; do end_session "$p"; done
write_policy "$POLICY"

case_begin "150 sets live at once (no per-set inotify instance: its limit is 128)"
i=0
while [ $i -lt 150 ]; do
	i=$((i + 1))
	echo "many$i:x:$((4000 + i)):$((4000 + i))::/:/bin/sh" >>/etc/passwd
	echo "many$i:x:$((4000 + i)):" >>/etc/group
done
write_policy "* user ipc,uts keep=always"
log_mark
i=0
while [ $i -lt 150 ]; do
	i=$((i + 1))
	"$NSSET_LOGIN" -s "$NSSET_SERVICE" "many$i" true || { fail "login many$i"; break; }
done
sleep 1
alive=0
for d in "$NSSET_STORE"/user/4*; do
	h=$(sed -n 's/^holder_pid=//p' "$d/meta")
	kill -0 "$h" 2>/dev/null && alive=$((alive + 1))
done
assert_eq 150 "$alive" "sets with a live holder"
assert_log_not_contains "cannot watch its sessions"
write_policy "$POLICY"
case_begin "a member removed from the group lands elsewhere on the next login"
group_del_member students dave
run login dave cat /run/nsset/self
assert_eq 0 "$RC" login
assert_contains "$STDOUT" "set=user/2004" "dave's new set"
group_add_member students dave
run login dave cat /run/nsset/self
assert_contains "$STDOUT" "set=group/3001" "dave back in the group set"

case_begin "a changed rule remakes a set with no session and no process"
run login bob readlink /proc/self/ns/ipc   # makes user/2002 (keep=sessions: gone after)
write_policy "$(printf '%s\n' "$POLICY" | sed 's/^alice .*/alice user mnt,uts tmp=private/')"
log_mark
run login alice sh -c 'cat /run/nsset/self; hostname'
assert_eq 0 "$RC" login
assert_not_contains "$STDOUT" "net=" "net ns no longer in the set"
assert_log_contains "set user/2001 no longer matches its rule (hostname=\"\" (was box-alice), namespaces=mnt,uts (was mnt,uts,ipc,net,pid)) and is empty: recreating it for alice"
write_policy "$POLICY"

case_begin "a bad config denies the login and names file:line and the word"
write_policy 'root none
alice user mnt,foo'
log_mark
run login alice true
assert_eq 10 "$RC" "account refused"
assert_log_contains "/etc/security/nsset.conf:2: unknown namespace: 'foo'"

case_begin "ignore_config_error lets the login through, unplaced"
write_service nsset-lenient "ignore_config_error"
run login -s nsset-lenient alice readlink /proc/self/ns/mnt
assert_eq 0 "$RC" login
assert_eq "$(ns_of $$ mnt)" "$STDOUT" "not placed"

case_begin "a config writable by others is refused"
write_policy "$POLICY"
chmod 0666 /etc/security/nsset.conf
log_mark
run login alice true
assert_eq 10 "$RC" "account refused"
assert_log_contains "writable by group or others"
chmod 0644 /etc/security/nsset.conf

case_begin "a failing holder denies the session and leaves nothing behind"
write_policy "$POLICY"
write_service nsset-broken "holder=/bin/false"
log_mark
run login -s nsset-broken erin true
assert_eq 11 "$RC" "open_session refused"
assert_log_contains "exited without creating the set"
assert_eq "" "$(ls -A "$NSSET_STORE/session")" "session dir after the failure"
assert_eq 0 "$(ls -d "$NSSET_STORE"/.build-* 2>/dev/null | wc -l)" "half-built sets"

case_begin "account fails when the holder is not a root-owned executable"
cp "$NSSET_HOLDER" "$NSSET_TEST_DIR/holder-copy"
chmod 0777 "$NSSET_TEST_DIR/holder-copy"
write_service nsset-badholder "holder=$NSSET_TEST_DIR/holder-copy"
run login -s nsset-badholder erin true
assert_eq 10 "$RC" "account refused"

summary
