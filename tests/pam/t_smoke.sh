#!/bin/sh
# Smoke test of the test infrastructure itself: the sandbox, the nsset-login
# driver and the helpers of tests/lib/assert.sh, with stock PAM modules only
# (pam_permit, pam_deny, pam_exec, pam_echo, pam_unix): no pam_nsset.so needed.
#
#   sh tests/lib/sandbox.sh sh tests/pam/t_smoke.sh

. "$(dirname "$0")/../lib/assert.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

require_file "$NSSET_LOGIN"

# The host's root file system without the sandbox's mounts on top: a
# read-only, non-recursive bind of /, private to this sandbox.
HOSTROOT=$NSSET_TEST_DIR/hostroot
mkdir -p "$HOSTROOT"
mount --bind / "$HOSTROOT" && mount -o remount,bind,ro "$HOSTROOT" ||
	fail "cannot bind the host root read-only"
host_sums() {
	(cd "$HOSTROOT/etc" && sha256sum passwd group shadow gshadow)
}
HOST_SUMS_START=$(host_sums)

write_stock_service nsset-test pam_permit.so pam_permit.so

# --------------------------------------------------------------------------
case_begin "sandbox: hostname, only lo (up), private /run /etc/pam.d /dev"
assert_eq nsset-test "$(hostname)" hostname
assert_eq "lo" "$(ip -o link show | awk -F': ' '{ print $2 }')" "interfaces"
assert_contains "$(ip -o link show lo)" "UP" "lo state"
assert_eq tmpfs "$(findmnt -n -o FSTYPE --mountpoint /run | tail -n1)" "/run"
assert_ne "" "$(findmnt -n --mountpoint /etc/pam.d)" "/etc/pam.d is a mount"
assert_ne "" "$(findmnt -n --mountpoint /etc/security)" "/etc/security is a mount"
assert_eq "755 root" "$(stat -c '%a %U' /etc/security)" "/etc/security mode"
assert_eq devpts "$(findmnt -n -o FSTYPE --mountpoint /dev/pts | tail -n1)" "/dev/pts"
[ -S /dev/log ] || fail "/dev/log is not a socket"
assert_eq 1777 "$(stat -c %a "$OUT")" "out/ mode"
assert_eq 1 "$(cat /proc/1/cmdline | tr '\0' '\n' | grep -c -- --nsset-sandbox-inner)" "pid 1"

case_begin "test accounts and groups exist only in the sandbox"
assert_eq "2001" "$(id -u alice)" alice
assert_eq "2003 2003 3001" "$(id -u carol) $(id -g carol) $(id -G carol | tr ' ' '\n' | grep 3001)" carol
assert_eq "2130" "$(id -u grp30)" grp30
assert_eq "2200" "$(id -u solo)" solo
assert_eq 30 "$(getent group crowd | cut -d: -f4 | tr ',' '\n' | grep -c .)" "crowd members"
assert_eq "3002:erin" "$(getent group ci | cut -d: -f3,4)" "group ci"
assert_eq "755 alice alice" "$(stat -c '%a %U %G' "$NSSET_TEST_HOME/alice")" "home of alice"
assert_eq "$NSSET_TEST_HOME/alice" "$(getent passwd alice | cut -d: -f6)" "home field"
assert_eq "" "$(grep '^alice:' "$HOSTROOT/etc/passwd")" "alice on the host"

case_begin "nsset-login alice id -u prints 2001"
run login alice id -u
assert_eq 0 "$RC" "exit status"
assert_eq 2001 "$STDOUT" stdout
assert_eq "" "$STDERR" stderr

case_begin "the session process is really carol, with her groups, at home"
run login carol cat /proc/self/status
assert_eq 0 "$RC" "exit status"
assert_eq "2003 2003 2003 2003" "$(printf '%s\n' "$STDOUT" | awk '/^Uid:/ { print $2, $3, $4, $5 }')" Uid
assert_eq "2003 2003 2003 2003" "$(printf '%s\n' "$STDOUT" | awk '/^Gid:/ { print $2, $3, $4, $5 }')" Gid
assert_eq "2003 3001" "$(printf '%s\n' "$STDOUT" | awk '/^Groups:/ { $1 = ""; print }' | xargs -n1 | sort -n | xargs)" Groups
assert_eq "0000000000000000" "$(printf '%s\n' "$STDOUT" | awk '/^CapEff:/ { print $2 }')" CapEff
run login carol pwd
assert_eq "$NSSET_TEST_HOME/carol" "$STDOUT" cwd
run login carol env
assert_eq "HOME LOGNAME PATH SHELL USER" "$(printf '%s\n' "$STDOUT" | cut -d= -f1 | sort | xargs)" "environment"
assert_contains "$STDOUT" "PATH=/usr/bin:/bin" PATH

case_begin "nsset-login -n keeps root"
run login -n alice id -u
assert_eq 0 "$RC" "exit status"
assert_eq 0 "$STDOUT" uid

case_begin "exit status and signals of the session pass through"
run login alice sh -c 'exit 7'
assert_eq 7 "$RC" "exit 7"
run login alice sh -c 'kill -TERM $$'
assert_eq 143 "$RC" "killed by SIGTERM"
run login alice /nonexistent/cmd
assert_eq 127 "$RC" "exec failure"

case_begin "account refused: exit 10"
write_stock_service deny-account pam_deny.so pam_permit.so
run login -s deny-account alice sh -c 'echo ran'
assert_eq 10 "$RC" "exit status"
assert_contains "$STDERR" "nsset-login: account: " stderr
assert_eq "" "$STDOUT" "session must not run"

case_begin "open_session failure: exit 11"
write_stock_service deny-session pam_permit.so pam_deny.so
run login -s deny-session alice sh -c 'echo ran'
assert_eq 11 "$RC" "exit status"
assert_contains "$STDERR" "nsset-login: open_session: " stderr
assert_eq "" "$STDOUT" "session must not run"

case_begin "close_session failure: exit 12"
# libpam replays the chain frozen at open_session: a module's close result
# counts only if it did not return PAM_IGNORE at open (pam_exec
# type=close_session does), so: succeed at open, fail at close.
printf '#!/bin/sh\n[ "$PAM_TYPE" != close_session ]\n' >"$NSSET_TEST_DIR/fail-on-close"
chmod 0755 "$NSSET_TEST_DIR/fail-on-close"
write_service_raw fail-close "account required pam_permit.so
session required pam_exec.so quiet $NSSET_TEST_DIR/fail-on-close"
run login -s fail-close alice sh -c 'echo ran'
assert_eq 12 "$RC" "exit status"
assert_contains "$STDERR" "nsset-login: close_session: " stderr
assert_eq "ran" "$STDOUT" "session ran"

case_begin "a missing service file is an error, not a fallback to 'other'"
run login -s no-such-service alice true
assert_eq 2 "$RC" "exit status"
assert_contains "$STDERR" "no PAM service file" stderr

case_begin "module messages reach the conversation (stderr)"
write_service_raw echo "account required pam_permit.so
session required pam_permit.so
session optional pam_echo.so hello from pam_echo"
run login -s echo alice true
assert_eq 0 "$RC" "exit status"
assert_contains "$STDERR" "hello from pam_echo" stderr
run login -q -s echo alice true
assert_not_contains "$STDERR" "hello from pam_echo" "stderr with -q (PAM_SILENT)"

case_begin "/dev/log is captured: logger"
log_mark
logger -t nsset-test "hello-$$-smoke"
assert_log_contains "nsset-test: hello-$$-smoke"
assert_eq 1 "$(log_since_mark | grep -c "hello-$$-smoke")" "one line per message"

case_begin "/dev/log is captured: pam_syslog of a module"
write_service_raw unix "account required pam_unix.so
session required pam_unix.so"
log_mark
run login -s unix alice true
assert_eq 0 "$RC" "exit status"
assert_log_contains "pam_unix(unix:session): session opened for user alice"
assert_log_contains "pam_unix(unix:session): session closed for user alice"
assert_log_not_contains "pam_unix(unix:session): session opened for user bob"

case_begin "held sessions: login_bg, wait_file, session_pid, ns_of, end_session"
login_bg alice a1 'id -u; readlink /proc/self/ns/mnt'
a1=$LOGIN_PID
login_bg bob b1 'id -u; readlink /proc/self/ns/net'
b1=$LOGIN_PID
wait_file a1 && wait_file b1 &&
	assert_eq "2001" "$(sed -n 1p "$OUT/a1")" "alice uid" &&
	assert_eq "2002" "$(sed -n 1p "$OUT/b1")" "bob uid" &&
	sa=$(session_pid "$a1") &&
	assert_eq "2001" "$(stat -c %u "/proc/$sa")" "owner of alice's session" &&
	assert_eq "$(ns_of "$sa" mnt)" "$(sed -n 2p "$OUT/a1")" "mnt seen inside and outside" &&
	assert_eq "$(ns_of $$ mnt)" "$(ns_of "$sa" mnt)" "pam_permit places nobody" &&
	assert_eq "$(ns_of $$ net)" "$(sed -n 2p "$OUT/b1")" "net of bob" &&
	assert_match "$(ns_id "$sa" mnt)" '^[0-9]+$' "ns_id"
end_session "$a1"
assert_eq 0 "$?" "end_session status"
kill -0 "$a1" 2>/dev/null && fail "alice's nsset-login still alive"
kill_sessions
kill -0 "$b1" 2>/dev/null && fail "bob's nsset-login still alive"
login_bg -s fail-close alice fc
wait_file fc && end_session "$LOGIN_PID"
assert_eq 12 "$?" "end_session when close_session fails"

case_begin "a failing login_bg is reported by wait_file at once"
login_bg -s deny-account alice never
t0=$(date +%s)
try wait_file never 20 2>/dev/null && fail "wait_file succeeded"
assert_eq 1 "$(($(date +%s) - t0 < $(slow 5)))" "gave up early"

case_begin "helpers: group members, cpus, on_cpu, nsfs_mount_count"
group_add_member staff alice
assert_eq "frank,alice" "$(getent group staff | cut -d: -f4)" "add"
assert_contains "$(id -Gn alice)" staff "alice in staff"
group_del_member staff alice
assert_eq "frank" "$(getent group staff | cut -d: -f4)" "del"
group_del_member ci erin
assert_eq "ci:x:3002:" "$(getent group ci)" "del last"
group_add_member ci erin
assert_ne "" "$(cpus)" cpus
last=$(cpus | tail -n1)
assert_eq "$last" "$(on_cpu "$last" sh -c 'taskset -pc $$' | sed 's/.*: *//')" on_cpu
touch "$NSSET_TEST_DIR/netns"
mount --bind /proc/self/ns/net "$NSSET_TEST_DIR/netns"
assert_eq 1 "$(nsfs_mount_count "$(ns_of $$ net)")" "one nsfs mount"
umount "$NSSET_TEST_DIR/netns"
assert_eq 0 "$(nsfs_mount_count "$(ns_id $$ net)")" "none after umount"

case_begin "a nested sandbox (no stdin) leaves its caller untouched"
sums() { sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/pam.d/nsset-test; }
nprocs() { set -- /proc/[0-9]*; echo $#; }
before_sums=$(sums)
before_mounts=$(cat /proc/self/mountinfo)
before_procs=$(nprocs)
sh "$REPO/tests/lib/sandbox.sh" sh -c '
	echo "intruder:x:9999:9999::/:/bin/sh" >>/etc/passwd
	echo "# changed" >>/etc/pam.d/nsset-test
	grep -c "^alice:" /etc/passwd
	mount -t tmpfs nested /mnt
	(sleep 1000 &)
	sleep 1000 &
	logger -t nested "only-in-the-nested-log"
	echo nested-ok' <&- >"$NSSET_TEST_DIR/nested.out" 2>&1
assert_eq 0 "$?" "nested exit status"
assert_eq "1
nested-ok" "$(cat "$NSSET_TEST_DIR/nested.out")" "nested output"
assert_eq "$before_sums" "$(sums)" "files of the caller"
assert_eq "$before_mounts" "$(cat /proc/self/mountinfo)" "mount table of the caller"
assert_eq "" "$(pgrep -x -f 'sleep 1000')" "processes left behind"
assert_eq "$before_procs" "$(nprocs)" "process count"
assert_eq 1 "$(pgrep -c nsset-syslog)" "syslog catchers"
log_mark
logger -t nsset-test "after-nested-$$"
assert_log_contains "after-nested-$$"
assert_eq "" "$(grep only-in-the-nested-log "$NSSET_TEST_LOG")" "nested syslog went to the nested capture"

case_begin "the host's /etc is untouched (seen through a read-only bind of /)"
echo "# sandbox-marker-$$" >>/etc/passwd
assert_eq "" "$(grep "sandbox-marker-$$" "$HOSTROOT/etc/passwd")" "marker on the host"
etc_edit /etc/passwd "/sandbox-marker-$$/d"
assert_eq "" "$(grep "sandbox-marker-$$" /etc/passwd)" "marker removed in the sandbox"
assert_eq "$HOST_SUMS_START" "$(host_sums)" "host checksums"
umount "$HOSTROOT"

summary
