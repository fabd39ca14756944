#!/bin/sh
# The systemd tier's test, run INSIDE the booted Debian 12 guest by
# nsset-test.service (see run.sh), as root, after sshd and logind are up.
# Real SSH logins on the guest's loopback through the stock Debian PAM stack
# (common-session with pam_systemd) plus pam_nsset as README.md says.
#
# Writes `PASS systemd/CASE: what` / `FAIL ...` lines to /nsset-test/result
# and the details (loginctl, systemd-cgls, cgroups) to /nsset-test/log; the
# last line of result is `done`.  Then the unit powers the guest off.
set -u
T=/nsset-test
RES=$T/result
LOG=$T/log
: >"$RES"
exec >>"$LOG" 2>&1
PATH=/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '%s\n' "$*" >>"$RES"; printf '%s\n' "$*"; }
pass() { say "PASS systemd/$1: $2"; }
fail() { say "FAIL systemd/$1: $2${3:+ ($3)}"; }
# check CASE WHAT CMD...: PASS when CMD succeeds.
check() {
	_c=$1 _w=$2
	shift 2
	if "$@"; then pass "$_c" "$_w"; else fail "$_c" "$_w" "failed: $*"; fi
}
note() { printf '\n==== [%s s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
# wait_for SECONDS CMD...: until CMD succeeds.  By the clock: under UML a
# single systemctl call can take seconds.
wait_for() {
	_end=$(($(cut -d. -f1 /proc/uptime) + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}

A= B= H= I= HC= UM=
SSH="ssh -n -i /root/.ssh/id -o BatchMode=yes -o StrictHostKeyChecking=no
 -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"

# ---- setup --------------------------------------------------------------
note setup
groupadd -g 2000 lab
useradd -m -u 1001 -G lab -s /bin/bash alice
useradd -m -u 1002 -G lab -s /bin/bash bob
useradd -m -u 1003 -s /bin/bash carol
useradd -m -u 1005 -s /bin/bash erin
groupadd -g 2001 team
useradd -m -u 1006 -G team -s /bin/bash dave
useradd -m -u 1007 -G team -s /bin/bash frank
mkdir -p /root/.ssh /srv/t
ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id
for u in alice bob carol erin dave frank; do
	install -d -m 0700 -o "$u" -g "$u" /home/$u/.ssh
	install -m 0600 -o "$u" -g "$u" /root/.ssh/id.pub /home/$u/.ssh/authorized_keys
	install -d -m 0755 -o "$u" -g "$u" /srv/t/$u
done
cat >/etc/security/nsset.conf <<'CONF'
root     none
@lab     group   mnt,uts,ipc,pid,cgroup   hostname=lab-%g keep=sessions
carol    user    mnt,uts,ipc              tmp=private keep=sessions
erin     user    mnt,ipc,pid              keep=sessions
@team    group   mnt,pid,cgroup           keep=sessions memory.max=96m pids.max=64
CONF
chmod 0644 /etc/security/nsset.conf
# README's PAM lines: account after common-account, session as the last line.
add_nsset() {
	sed -i 's/^@include common-account$/&\naccount    required     pam_nsset.so/' "$1"
	echo 'session    required     pam_nsset.so' >>"$1"
}
add_nsset /etc/pam.d/sshd
# systemd-user stays stock for now: README says to leave pam_nsset out of it
# when sets have pid or cgroup namespaces (lab's do).
[ -f /etc/pam.d/systemd-user ] || cp /usr/lib/pam.d/systemd-user /etc/pam.d/systemd-user
for f in /etc/pam.d/sshd /etc/pam.d/systemd-user /etc/security/nsset.conf; do
	note "$f"; grep -v '^#' "$f" | grep -v '^$'
done
note versions
uname -r; systemctl --version | head -n1; ssh -V
[ -d /run/systemd/system ] && echo "sd_booted: yes"
note "boot (systemd-analyze)"
systemd-analyze 2>&1 | head -n 3
systemd-analyze blame 2>&1 | head -n 12

logind_kup() {
	mkdir -p /etc/systemd/logind.conf.d
	printf '[Login]\nKillUserProcesses=%s\n' "$1" >/etc/systemd/logind.conf.d/nsset-test.conf
	systemctl restart systemd-logind
	wait_for 30 systemctl is-active -q systemd-logind
}

# ---- helpers over logins ------------------------------------------------
# login USER: an SSH session that stays (a no-pty command), its client pid in
# /srv/t/USER.client; ready once the session wrote /srv/t/USER/info (then
# /srv/t/USER/ready):
# "SESSION-ID MNT-NS OWN-CGROUP INIT'S-CGROUP", as seen inside the set.
login() {
	rm -f /srv/t/$1/info /srv/t/$1/ready
	$SSH "$1@127.0.0.1" 'd=/srv/t/$USER; echo "$XDG_SESSION_ID $(readlink /proc/self/ns/mnt) $(cat /proc/self/cgroup) $(cat /proc/1/cgroup 2>&1)" >$d/info &&
		: >$d/ready; exec sleep 100000' &
	echo $! >/srv/t/$1.client
	wait_for 90 sh -c "test -e /srv/t/$1/ready || ! kill -0 \$(cat /srv/t/$1.client)" 
	[ -e /srv/t/$1/ready ] || { echo "login $1: no session"; return 1; }
	echo "login $1: $(cat /srv/t/$1/info)"
}
sid() { cut -d' ' -f1 /srv/t/$1/info; }
# The host pid of USER's session command (the sleep).
sleeper() { pgrep -u "$1" -x sleep | head -n1; }
holder_of() { nssetctl show "$1" 2>/dev/null | sed -n 's/^ *holder *pid \([0-9]*\).*/\1/p'; }
init_of() { nssetctl show "$1" 2>/dev/null | sed -n 's/^ *init *pid \([0-9]*\).*/\1/p'; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
cg() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }
in_cg() { [ "$(cg "$1")" = "$2" ]; }
session_gone() { ! loginctl show-session "$1" -p State 2>/dev/null | grep -q 'State=\(active\|online\)'; }
# A unit is gone once stopped for good: "deactivating" (a stop waiting for
# its timeout, what a holder in a login's scope used to cause) is not gone.
unit_gone() { case $(systemctl show -p ActiveState --value "$1") in inactive | failed) ;; *) return 1 ;; esac; }
scope_gone() { unit_gone "session-$1.scope"; }
no_sessions() { [ -z "$(loginctl list-sessions --no-legend)" ]; }
# end all logins and sets; each case starts from nothing
reset_all() {
	for u in alice bob carol erin dave frank; do
		loginctl terminate-user "$u" 2>/dev/null
		loginctl disable-linger "$u" 2>/dev/null
	done
	pkill -x ssh
	wait_for 60 no_sessions || echo "reset: sessions remain: $(loginctl list-sessions --no-legend)"
	nssetctl destroy group/2000 group/2001 user/1003 user/1005 >/dev/null 2>&1
	wait_for 30 sh -c '! pgrep -x nsset-holder >/dev/null'
}
snapshot() {
	note "snapshot: $*"
	loginctl list-sessions --no-legend
	nssetctl list
	systemd-cgls --no-pager -l /nsset.slice /user.slice 2>&1
}

# A group set made by alice (the first member) and joined by bob.
two_members() {
	login alice && login bob || return 1
	H=$(holder_of group/2000) I=$(init_of group/2000)
	echo "holder $H init $I"
}
# The set outlives what just happened to alice: holder, init, bob's session
# and his processes, and the set is still where it was.
survives() {
	_c=$1
	check "$_c" "the group set's holder lives" alive "$H"
	check "$_c" "the group set's init lives" alive "$I"
	check "$_c" "the holder is still in nsset.slice/nsset-group-2000.scope" \
		in_cg "$H" /nsset.slice/nsset-group-2000.scope
	check "$_c" "bob's session stays" sh -c "loginctl show-session $(sid bob) -p State | grep -q 'State=\(active\|online\)'"
	check "$_c" "bob's processes live" alive "$(sleeper bob)"
	check "$_c" "the set is listed and alive" sh -c 'nssetctl list | grep "group/2000" | grep -qv stale'
}

# ---- cases --------------------------------------------------------------
logind_kup no
reset_all

note "case: logins"
if two_members; then
	snapshot logins
	A=$(sid alice) B=$(sid bob)
	check login "alice's SSH login has a logind session (sshd, user alice)" \
		sh -c "loginctl show-session $A -p Name -p Service | tr '\n' ' ' | grep -q 'Name=alice Service=sshd'"
	check login "bob's SSH login has a logind session" \
		sh -c "loginctl show-session $B -p Name | grep -q Name=bob"
	check login "systemd --user runs for alice (user@1001.service, stock systemd-user stack)" \
		wait_for 60 systemctl is-active -q user@1001.service
	check login "systemd --user runs for bob (user@1002.service)" \
		wait_for 60 systemctl is-active -q user@1002.service
	check login "alice and bob share the set's mount namespace" \
		test "$(cut -d' ' -f2 /srv/t/alice/info)" = "$(cut -d' ' -f2 /srv/t/bob/info)"
	check cgroup "the holder sits in nsset.slice/nsset-group-2000.scope" \
		in_cg "$H" /nsset.slice/nsset-group-2000.scope
	check cgroup "the set's init sits in the same scope" \
		in_cg "$I" /nsset.slice/nsset-group-2000.scope
	# Their titles, as ps and systemd-cgls show them (with CAP_SYS_RESOURCE
	# the holder moves its command line; 6.1 reads it only from an
	# anonymous mapping).
	check titles "the holder's command line names its set (ps: nsset-holder group/2000)" \
		test "$(ps -o args= -p "$H")" = "nsset-holder group/2000"
	check titles "the init's command line names its set (ps: nsset-init group/2000)" \
		test "$(ps -o args= -p "$I")" = "nsset-init group/2000"
	check cgroup "nothing but the set's own processes in its scope" \
		sh -c "[ \"\$(sort /sys/fs/cgroup/nsset.slice/nsset-group-2000.scope/cgroup.procs | tr '\n' ' ')\" = \"\$(printf '%s\n' $H $I | sort | tr '\n' ' ')\" ]"
	check cgroup "alice's session scope holds no nsset process" \
		sh -c "! grep -qx -e $H -e $I /sys/fs/cgroup/user.slice/user-1001.slice/session-$A.scope/cgroup.procs"
	check cgroupns "the set's cgroup namespace is rooted at its scope (the init's cgroup reads 0::/ there)" \
		test "$(nsenter -t "$I" -C cat /proc/$I/cgroup 2>/dev/null)" = "0::/"
	check cgroupns "inside the set, /proc/1/cgroup (the init) reads 0::/ for alice" \
		test "$(cut -d' ' -f4- /srv/t/alice/info)" = "0::/"
	check cgroupns "bob sees his own cgroup relative to the set's scope, not alice's" \
		test "$(cut -d' ' -f3 /srv/t/bob/info)" = "0::/../../user.slice/user-1002.slice/session-$B.scope"
else
	fail login "alice and bob log in over SSH" "see the log"
fi

note "case: KillUserProcesses=no, the first member logs out"
pkill -u alice -x sleep          # her command ends: sshd closes the session
wait_for 60 session_gone "$A"
snapshot "after alice's logout (KillUserProcesses=no)"
survives kup-no

reset_all
logind_kup yes
note "case: KillUserProcesses=yes, the first member logs out"
if two_members; then
	A=$(sid alice)
	kill "$(cat /srv/t/alice.client)"   # the client goes; sshd closes the session
	# The scope is gone for good only when everything in it died: the old
	# failure (the holder in it) showed when the stop timed out.
	check kup-yes "alice's session scope is stopped (KillUserProcesses=yes)" wait_for 150 scope_gone "$A"
	check kup-yes "alice's processes were killed with it" sh -c '! pgrep -u alice -x sleep'
	snapshot "after alice's logout (KillUserProcesses=yes)"
	survives kup-yes
else
	fail kup-yes "two members log in" "see the log"
fi

reset_all
note "case: loginctl terminate-user alice"
if two_members; then
	A=$(sid alice)
	loginctl terminate-user alice
	check terminate-user "alice's session scope is stopped for good" wait_for 150 scope_gone "$A"
	check terminate-user "alice's processes are gone" sh -c '! pgrep -u alice -x sleep'
	snapshot "after terminate-user alice"
	survives terminate-user
else
	fail terminate-user "two members log in" "see the log"
fi

reset_all
note "case: systemctl stop user-1001.slice"
if two_members; then
	systemctl stop user-1001.slice
	snapshot "after stop user-1001.slice"
	check stop-slice "user-1001.slice is stopped" wait_for 150 unit_gone user-1001.slice
	survives stop-slice
else
	fail stop-slice "two members log in" "see the log"
fi

reset_all
logind_kup no
note "case: a scope of the set's name is left over (a stale set remade)"
systemd-run --scope --unit=nsset-group-2000 --slice=nsset.slice sleep 100000 &
wait_for 60 systemctl is-active -q nsset-group-2000.scope
OLD=$(cat /sys/fs/cgroup/nsset.slice/nsset-group-2000.scope/cgroup.procs 2>/dev/null | head -n1)
echo "left-over scope: pid $OLD"
if login alice; then
	H=$(holder_of group/2000)
	check stale-scope "the holder stopped the left-over scope and made its own" \
		sh -c "journalctl -b --no-pager -t nsset-holder | grep -q 'stopping nsset-group-2000.scope, left from the set'"
	check stale-scope "what was left in it is gone" sh -c "! kill -0 $OLD"
	check stale-scope "the holder sits in the new nsset-group-2000.scope" \
		in_cg "$H" /nsset.slice/nsset-group-2000.scope
else
	fail stale-scope "alice logs in" "see the log"
fi

reset_all
note "case: systemd refuses the scope (nsset.slice masked)"
ln -sf /dev/null /etc/systemd/system/nsset.slice
systemctl daemon-reload
login alice
check refused "alice's login is refused (no set outside a scope of its own)" \
	test ! -e /srv/t/alice/ready
check refused "the holder says why" \
	sh -c "journalctl -b --no-pager -t nsset-holder | grep -q \"creation failed: systemd did not make the set's scope nsset-group-2000.scope\""
check refused "no set was made, no holder left" \
	sh -c '! nssetctl show group/2000 >/dev/null 2>&1 && ! pgrep -x nsset-holder'
rm -f /etc/systemd/system/nsset.slice
systemctl daemon-reload

reset_all
logind_kup yes
note "case: a group set with limits, two members (KillUserProcesses=yes)"
# The set's cgroup is below its own scope, which systemd delegated to nsset
# (setcg.h); each login moves from its session scope into it.
SETCG=/nsset.slice/nsset-group-2001.scope/set
if login dave && login frank; then
	D=$(sid dave) F=$(sid frank)
	HT=$(holder_of group/2001)
	snapshot "team with limits"
	check limits "the holder sits in the set's own cgroup, below its scope ($SETCG)" \
		in_cg "$HT" "$SETCG"
	check limits "dave's session processes are in the set's cgroup" in_cg "$(sleeper dave)" "$SETCG"
	check limits "frank's too: one budget for the group" in_cg "$(sleeper frank)" "$SETCG"
	check limits "memory.max of the set's cgroup is 96m" \
		test "$(cat /sys/fs/cgroup$SETCG/memory.max)" = 100663296
	check limits "pids.max of the set's cgroup is 64" test "$(cat /sys/fs/cgroup$SETCG/pids.max)" = 64
	check limits "the set's scope is delegated to nsset (Delegate=yes)" \
		sh -c 'systemctl show -p Delegate --value nsset-group-2001.scope | grep -qx yes'
	check limits "inside the set, dave's /proc/self/cgroup reads 0::/" \
		test "$(cut -d' ' -f3 /srv/t/dave/info)" = "0::/"
	note "what logind shows after the move (pam_nsset(8))"
	loginctl show-session "$D"
	systemctl show -p ActiveState -p SubState -p ControlGroup "session-$D.scope"
	cat "/sys/fs/cgroup/user.slice/user-1006.slice/session-$D.scope/cgroup.procs" 2>&1
	ls -ld /run/user/1006
	systemctl show -p ActiveState user@1006.service
	check logind "dave's logind session is still listed, active or online" \
		sh -c "loginctl show-session $D -p State | grep -q 'State=\\(active\\|online\\)'"
	check logind "dave's XDG_RUNTIME_DIR (/run/user/1006) is there" test -d /run/user/1006
	check logind "dave's systemd --user runs (user@1006.service)" \
		wait_for 60 systemctl is-active -q user@1006.service
	$SSH dave@127.0.0.1 'head -c 300m /dev/zero | tail -n 1 >/dev/null; echo "rc=$?"' >/srv/t/oom.out 2>&1
	cat /srv/t/oom.out
	check oom "a process past memory.max in the set is killed" grep -q rc=137 /srv/t/oom.out
	check oom "the holder logs the OOM kill, with the set's name" wait_for 30 sh -c \
		"journalctl -b --no-pager -t nsset-holder | grep -q 'set group/2001: the kernel killed 1 process of the set'"
	nssetctl show group/2001
	check oom "nssetctl show counts it" sh -c "nssetctl show group/2001 | grep -q 'oom kills 1'"
	check oom "frank's session lives on" alive "$(sleeper frank)"
	kill "$(cat /srv/t/dave.client)"
	check limits-logout "dave's logind session ends at his logout" wait_for 150 session_gone "$D"
	check limits-logout "frank's processes live" alive "$(sleeper frank)"
	check limits-logout "the set's holder lives" alive "$HT"
	check limits-logout "the holder is still in the set's cgroup" in_cg "$HT" "$SETCG"
	check logind "user@1006.service stops after dave's last session" \
		wait_for 90 sh -c '! systemctl is-active -q user@1006.service'
	check logind "dave's XDG_RUNTIME_DIR is removed after it" wait_for 60 test ! -d /run/user/1006
	snapshot "after dave's logout (KillUserProcesses=yes)"
	loginctl show-session "$F"
else
	fail limits "dave and frank log in over SSH" "see the log"
fi
logind_kup no

reset_all
note "case: systemd-user stack with pam_nsset (README: sets without pid and cgroup)"
add_nsset /etc/pam.d/systemd-user
note /etc/pam.d/systemd-user; grep -v '^#' /etc/pam.d/systemd-user | grep -v '^$'
# A lingering user: user@1003.service starts with no login, and its PAM
# session (the systemd-user stack) makes her set.
loginctl enable-linger carol
if wait_for 120 systemctl is-active -q user@1003.service; then
	pass systemd-user "carol's user@1003.service starts through the systemd-user stack with pam_nsset"
else
	fail systemd-user "carol's user@1003.service starts through the systemd-user stack with pam_nsset" \
		"$(systemctl is-active user@1003.service)"
	systemctl status --no-pager -l user@1003.service
fi
HC=$(holder_of user/1003)
snapshot "carol lingering"
check systemd-user "user@.service made carol's set; its holder sits in nsset-user-1003.scope" \
	in_cg "$HC" /nsset.slice/nsset-user-1003.scope
UM=$(systemctl show -p MainPID --value user@1003.service)
SETMNT=$(nsenter --mount=/run/nsset/user/1003/mnt readlink /proc/self/ns/mnt 2>/dev/null)
check systemd-user "carol's systemd --user sits in her set's mount namespace" \
	test -n "$SETMNT" -a "$(readlink /proc/$UM/ns/mnt 2>/dev/null)" = "$SETMNT"
# A user service: forked by her systemd --user, it writes into the set's
# private /tmp, not the host's.
rm -f /tmp/probe
runuser -u carol -- env XDG_RUNTIME_DIR=/run/user/1003 systemd-run --user --unit=nsset-probe \
	sh -c 'readlink /proc/self/ns/mnt >/tmp/probe'
check systemd-user "carol's user services run in her set (they write its private /tmp)" \
	wait_for 60 sh -c "[ \"\$(nsenter --mount=/run/nsset/user/1003/mnt cat /tmp/probe)\" = '$SETMNT' ]"
check systemd-user "... and not the host's /tmp" test ! -e /tmp/probe
if login carol; then
	check systemd-user "carol's SSH login joins the same set as her systemd --user" \
		test "$(cut -d' ' -f2 /srv/t/carol/info)" = "$SETMNT"
else
	fail systemd-user "carol logs in over SSH" "see the log"
fi

note "case: systemd-user stack with pam_nsset, a user whose set has a pid namespace"
loginctl enable-linger erin
wait_for 120 sh -c 'systemctl is-failed -q user@1005.service'
systemctl status --no-pager -l user@1005.service
check systemd-user-pid "erin's user@1005.service is refused (pid set)" \
	systemctl is-failed -q user@1005.service
check systemd-user-pid "... with pam_nsset's reason in the journal" \
	sh -c "journalctl -b --no-pager | grep -q \"user erin: systemd's user manager cannot run in a set with a pid namespace\""
check systemd-user-pid "... and no set made for it" sh -c '! nssetctl show user/1005 >/dev/null 2>&1'
loginctl disable-linger erin
if login erin; then
	check systemd-user-pid "erin's SSH login still works and is placed in her pid set" \
		sh -c 'nssetctl list | grep -q "user/1005"'
else
	fail systemd-user-pid "erin logs in over SSH" "see the log"
fi
journalctl -b --no-pager -t nsset-holder -t sshd -t systemd-logind -t '(systemd)' | tail -n 80

reset_all
note end
snapshot end
journalctl -b --no-pager | grep -i -e nsset -e 'user@' | tail -n 60
echo done >>"$RES"
sync
