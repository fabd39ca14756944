#!/bin/sh
# End-to-end tests with a real OpenSSH server: UsePAM yes, real key-based
# logins, real shells, scp, sftp and port forwarding, all on 127.0.0.1
# inside the hermetic test sandbox.
#
#   sh tests/lib/sandbox.sh sh tests/e2e/t_sshd.sh
#
# Namespaces are compared by inode, and only between processes alive at the
# same time (ids are reused once a namespace is freed): every session whose
# namespaces are looked at is held open (tests/e2e/lib.sh e2e_hold) while
# the comparison runs.  Each scenario also checks what the user can see
# from inside.
#
# Daemons (ports in the sandbox's own network namespace):
#   2201  sshd-test  pam_nsset from $NSSET_BUILD   Subsystem sftp sftp-server
#   2202  sshd-test  pam_nsset from $NSSET_BUILD   Subsystem sftp internal-sftp
#   2203  sshd-hard  installed pam_nsset + holder  Subsystem sftp sftp-server
#   2204  sshd-hard  installed pam_nsset + holder  Subsystem sftp internal-sftp
# sshd-hard is the hardened setup: `make install` into a tmpfs on /usr/local
# (nsset-enter setuid root), the user harry has /usr/local/bin/nsset-enter
# as login shell and shell=/bin/sh in his rule.
#
# Fail closed, as measured here with OpenSSH 9.2p1 (Debian 12): when
# pam_open_session fails, sshd starts nothing in the session (portable
# OpenSSH session.c do_child: "PAM session not opened, exiting", status 254;
# port forwarding is refused by auth_restrict_session).  So with
# `session required pam_nsset.so` sshd itself refuses every path, and the
# cases below prove that for the shell, commands, scp, both sftp servers and
# forwarding.  nsset-enter as login shell is then a second layer; it is
# tested on its own with a stack that has no pam_nsset session line (as if
# the line were missing or `optional`): it refuses the shell, commands and
# sftp-server, but cannot cover internal-sftp, which sshd runs in its own
# process without a shell (shown by the case "limit: ...").

. "$(dirname "$0")/../lib/assert.sh"
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

require_file "$NSSET_MODULE" "$NSSET_HOLDER" "$NSSET_BUILD/nsset-enter"
SFTP_SERVER=/usr/lib/openssh/sftp-server
for c in sshd ssh scp sftp ssh-keygen socat nsenter pgrep pkill ps ss perl ipcs; do
	if ! command -v "$c" >/dev/null 2>&1; then
		case_begin requirements
		fail "missing command $c (sh tests/lib/install-deps.sh)"
		summary
	fi
done
[ -x "$SFTP_SERVER" ] || { case_begin requirements; fail "missing $SFTP_SERVER"; summary; }

MAIN=2201 ISFTP=2202 HARD=2203 HARDI=2204
STORE=$NSSET_STORE
TYPES="mnt uts ipc net pid"
INSTALLED_HOLDER=/usr/local/libexec/nsset/nsset-holder

POLICY='# tests/e2e/t_sshd.sh
net.ipv4=10.66.0.0/16
root        none
vera        user      mnt,uts,ipc,net,pid   tmp=private keep=sessions net=veth
@crowd      group     mnt,uts,ipc,net,pid   tmp=private keep=sessions
@students   group     mnt,uts,ipc,net,pid   tmp=private keep=sessions hostname=lab-%g
@staff      group     mnt,uts,ipc,net,pid   tmp=private keep=sessions hostname=staff
@ci         session   mnt,uts,ipc,net,pid   tmp=private hostname=ci-%u
harry       user      mnt,uts,ipc,net,pid   tmp=private keep=sessions shell=/bin/sh
kim         user      mnt,uts,ipc,net,pid   tmp=private keep=processes
otto        user      mnt,uts,ipc,net,pid   tmp=private keep=always hostname=otto-old
# sue: no tmp=private: su and runuser inside her set load pam_nsset.so from
# the build tree, which a clone under /tmp would hide there.
sue         user      mnt,uts,ipc,net,pid   keep=sessions hostname=sue-box
*           user      mnt,uts,ipc,net,pid   tmp=private keep=sessions hostname=%u-box'

# ---- helpers ---------------------------------------------------------------

# "mnt:I uts:I ipc:I net:I pid:I" of a live process / of a set in the store.
nsv() {
	for _t in $TYPES; do printf '%s:%s ' "$_t" "$(e2e_nsid "$1" "$_t")"; done
}
store_nsv() {
	for _t in $TYPES; do printf '%s:%s ' "$_t" "$(stat -L -c %i "$1/$_t" 2>/dev/null)"; done
}
# PID sits in the set at DIR: every namespace is the store's.
assert_in_set() {
	[ -n "$1" ] || { fail "no process for ${3:-the session}"; return 1; }
	[ -d "$2" ] || { fail "no set $2 in the store (${3:-})"; return 1; }
	assert_eq "$(store_nsv "$2")" "$(nsv "$1")" "${3:+$3: }namespaces of pid $1 vs the store's $2"
}
assert_same_ns() {
	[ -n "$1" ] && [ -n "$2" ] || { fail "${3:-}: a process is missing"; return 1; }
	assert_eq "$(nsv "$1")" "$(nsv "$2")" "${3:+$3: }namespaces of pids $1 and $2"
}
# No namespace type in common.
assert_disjoint() {
	[ -n "$1" ] && [ -n "$2" ] || { fail "${3:-}: a process is missing"; return 1; }
	for _t in $TYPES; do
		assert_ne "$(e2e_nsid "$1" "$_t")" "$(e2e_nsid "$2" "$_t")" \
			"${3:+$3: }$_t of pids $1 and $2" || return 1
	done
}
# KEY=VALUE lines: the value of KEY in FILE ($E2E_OUT/FILE).
val() {
	sed -n "s/^$2=//p" "$E2E_OUT/$1" 2>/dev/null | head -n 1
}
settle_gone() { # PATH [TIMEOUT]
	_n=0
	while [ -e "$1" ]; do
		_n=$((_n + 1))
		[ $_n -lt $((${2:-20} * 20)) ] || return 1
		sleep 0.05
	done
}
pid_gone() { # PID [TIMEOUT]
	_n=0
	while [ -d "/proc/$1" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		_n=$((_n + 1))
		[ $_n -lt $((${2:-20} * 20)) ] || return 1
		sleep 0.05
	done
}
holder_of() {
	sed -n 's/^holder_pid=//p' "$1/meta" 2>/dev/null
}
now_ms() {
	date +%s%3N
}
# Connect to a TCP port; print what comes back, or "refused".
# socat's timeouts (3 s on the host) for answers from a listener that forks
# and execs `echo` per connection: longer under user-mode-linux.
T3=$(slow 3)
# Clients read only (-u): a two-way socat with stdin at EOF half-closes its
# connection, then both ends wait only socat's -t (0.5 s) for the reply, so a
# listener slower than that to fork and exec its `echo` (user-mode-linux
# takes longer) reads as an empty answer rather than as the owner's name.
tcp_get() {
	socat -T "$T3" -u "TCP:127.0.0.1:$1,connect-timeout=$T3" STDOUT </dev/null 2>/dev/null || echo refused
}
wait_listen() { # PORT [TIMEOUT]: in the sandbox's own network namespace
	_n=0
	until ss -Hltn "sport = :$1" | grep -q .; do
		_n=$((_n + 1))
		[ $_n -lt $((${2:-20} * 20)) ] || return 1
		sleep 0.05
	done
}
# ssh -tt with the given input on the terminal; RC, STDOUT (with the pty's
# echo), STDERR.
ssh_tty() { # PORT USER INPUT
	printf '%s\n' "$3" >"$E2E_DIR/tty.in"
	timeout -k 5 60 ssh $E2E_SSH_OPTS -tt -p "$1" "$2@sshd" <"$E2E_DIR/tty.in" \
		>"$E2E_DIR/tty.out" 2>"$E2E_DIR/tty.err"
	RC=$?
	STDOUT=$(tr -d '\r' <"$E2E_DIR/tty.out")
	STDERR=$(tr -d '\r' <"$E2E_DIR/tty.err")
	{
		echo "  \$ ssh -tt -p $1 $2@sshd <<< '$3'   -> $RC"
		[ -z "$STDOUT" ] || printf '%s\n' "$STDOUT" | sed 's/^/  out| /'
		[ -z "$STDERR" ] || printf '%s\n' "$STDERR" | sed 's/^/  err| /'
	} >&2
}
end_many() { # NAME...: log out of many held sessions at once
	for _h; do
		_mk=$(cat "$E2E_DIR/$_h.mark" 2>/dev/null) && pkill -TERM -xf "sleep $_mk"
	done
	for _h; do
		e2e_end "$_h" 20
	done
}
user_procs() { # USER: how many processes the user has (from the sandbox)
	pgrep -c -u "$1" || true
}

# Shared by the isolation and group scenarios, run by users in their sets.
# plant.sh OWNER PORT: leave traces of OWNER in every kind of resource.
cat >"$E2E_OUT/plant.sh" <<'EOF'
o=$1 port=$2
umask 022
echo "secret of $o" >/tmp/$o-secret && echo "$o" >/var/tmp/$o-var
touch /dev/shm/$o-posix && chmod 666 /dev/shm/$o-posix
[ -d /dev/mqueue ] && touch /dev/mqueue/$o-mq
# SysV objects open to everyone (0666): only the namespace can hide them.
perl -MIPC::SysV=IPC_CREAT -e '
	my $k = shift;
	defined shmget($k + 1, 4096, IPC_CREAT | 0666) or die "shmget: $!\n";
	defined msgget($k + 2, IPC_CREAT | 0666) or die "msgget: $!\n";
	defined semget($k + 3, 1, IPC_CREAT | 0666) or die "semget: $!\n";
' "$port"
socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo $o-tcp" </dev/null >/dev/null 2>&1 &
socat ABSTRACT-LISTEN:nsset-e2e-$o,fork SYSTEM:"echo $o-abstract" </dev/null >/dev/null 2>&1 &
n=0
until ss -Hltn "sport = :$port" | grep -q . && ss -Hlx | grep -q "@nsset-e2e-$o"; do
	n=$((n + 1)); [ $n -lt 200 ] || { echo "listeners did not start"; break; }
	sleep 0.05
done
echo "planted=$o"
echo "set=$(sed -n 's/^set=//p' /run/nsset/self)"
echo "hostname=$(hostname)"
EOF
# probe.sh OWNER PORT: which traces of OWNER this user can see (yes/no).
# Its socket timeouts scale with NSSET_TEST_SLOW: under user-mode-linux the
# listener's fork and exec of `echo` can take longer than 3 s.
{ echo "t=$(slow 3)"; cat <<'EOF'
o=$1 port=$2
yn() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi; }
echo "me=$(id -un)"
echo "set=$(sed -n 's/^set=//p' /run/nsset/self 2>/dev/null)"
echo "procs=$(ps -e -o user:32= | awk -v o="$o" '$1 == o' | wc -l)"
echo "listener=$(ps -eo args= | grep -c "^socat TCP-LISTEN:$port")"
echo "tmp=$(yn test -e /tmp/$o-secret)"
echo "vartmp=$(yn test -e /var/tmp/$o-var)"
echo "shm=$(yn test -e /dev/shm/$o-posix)"
echo "mq=$(yn test -e /dev/mqueue/$o-mq)"
perl -e '
	my $k = shift;
	print "sysv_shm=", (defined shmget($k + 1, 0, 0) ? "yes" : "no"), "\n";
	print "sysv_msg=", (defined msgget($k + 2, 0) ? "yes" : "no"), "\n";
	print "sysv_sem=", (defined semget($k + 3, 0, 0) ? "yes" : "no"), "\n";
' "$port"
echo "ipcs=$(ipcs -a | grep -c "$(printf '0x%08x' $((port + 1)))")"
echo "tcp=$(socat -T $t -u TCP:127.0.0.1:$port,connect-timeout=$t STDOUT </dev/null 2>/dev/null || echo refused)"
echo "abstract=$(socat -T $t -u ABSTRACT-CONNECT:nsset-e2e-$o STDOUT </dev/null 2>/dev/null || echo refused)"
echo "hostname=$(hostname)"
EOF
} >"$E2E_OUT/probe.sh"
chmod 0644 "$E2E_OUT/plant.sh" "$E2E_OUT/probe.sh"
PLANT="sh $E2E_OUT/plant.sh"
PROBE="sh $E2E_OUT/probe.sh"

# Every trace of OWNER is visible (yes) / invisible (no) in probe output NAME.
assert_sees() { # NAME OWNER PORT
	for _k in tmp vartmp shm mq sysv_shm sysv_msg sysv_sem; do
		assert_eq yes "$(val "$1" $_k)" "$1 sees $2's $_k" || return 1
	done
	assert_eq "$2-tcp" "$(val "$1" tcp)" "$1 connects to $2's 127.0.0.1:$3" &&
		assert_eq "$2-abstract" "$(val "$1" abstract)" "$1 connects to $2's abstract socket"
}

write_policy "$POLICY"
if ! e2e_init; then
	case_begin "setup: keys and authorized_keys"
	fail "e2e_init failed"
	summary
fi

# ---------------------------------------------------------------------------
# The hardened setup: `make install` into a tmpfs on /usr/local, nsset-enter
# setuid root as harry's login shell.  Done before the first set is made:
# the sandbox's / is rprivate, so a mount made later would not reach the
# template mount namespace that sets are copied from (on a host with shared
# propagation it would).
case_begin "hardened setup: make install into /usr/local (a tmpfs), nsset-enter setuid, harry's login shell"
HARD_OK=0
case $REPO/ in /usr/local/*) fail "the repository lives under /usr/local: cannot mount over it" ;; esac
case $NSSET_BUILD/ in /usr/local/*) fail "the build lives under /usr/local: cannot mount over it" ;; esac
if ! grep -q "NSSET_HOLDER_PATH \"$INSTALLED_HOLDER\"" "$NSSET_BUILD/paths.h" 2>/dev/null; then
	fail "$NSSET_BUILD was not built with the default paths (holder $INSTALLED_HOLDER)"
fi
if [ "$_t_failed" = 0 ]; then
	mount -t tmpfs -o mode=0755 nsset-usr-local /usr/local || fail "tmpfs on /usr/local"
	# (make brings $NSSET_BUILD up to date first, as `make install` does.)
	run make -C "$REPO" install BUILD="$NSSET_BUILD" DESTDIR= PREFIX=/usr/local \
		PAMDIR=/usr/local/lib/security
	assert_eq 0 "$RC" "make install"
	assert_eq "4755 root" "$(stat -c '%a %U' /usr/local/bin/nsset-enter 2>&1)" "nsset-enter mode"
	[ -x "$INSTALLED_HOLDER" ] || fail "no $INSTALLED_HOLDER"
	e2e_add_user harry 2301 /usr/local/bin/nsset-enter || fail "adding harry"
	e2e_pam_service sshd-hard /usr/local/lib/security/pam_nsset.so "$INSTALLED_HOLDER"
	e2e_sshd_start sshd-hard $HARD "$SFTP_SERVER" || fail "sshd on $HARD did not start"
	e2e_sshd_start sshd-hard $HARDI internal-sftp || fail "sshd on $HARDI did not start"
	cp -p "$INSTALLED_HOLDER" "$E2E_DIR/holder.orig" || fail "saving the holder"
	[ "$_t_failed" = 0 ] && HARD_OK=1
fi

# ---------------------------------------------------------------------------
case_begin "setup: sshd (UsePAM yes, pam_nsset account+session) on 127.0.0.1:$MAIN and :$ISFTP"
e2e_pam_service sshd-test "$NSSET_MODULE" "$NSSET_HOLDER"
e2e_sshd_start sshd-test $MAIN "$SFTP_SERVER" || fail "sshd on $MAIN did not start"
e2e_sshd_start sshd-test $ISFTP internal-sftp || fail "sshd on $ISFTP did not start"
E2E_PORT=$MAIN
log_mark
run e2e_ssh alice@sshd 'id -un; cat /run/nsset/self'
assert_eq 0 "$RC" "first login" && assert_contains "$STDOUT" "set=user/2001" "alice's marker"
assert_log_contains "pam_nsset(sshd-test:session): user alice placed in set user/2001"
if [ "$_t_failed" = 1 ]; then
	echo "  sshd log:" >&2
	tail -n 20 "$E2E_DIR/sshd-$MAIN.log" | sed 's/^/  sshd| /' >&2
	summary
fi
# keep=sessions: that login's set goes with it.
settle_gone "$(set_dir user 2001)" 20

# ---------------------------------------------------------------------------
# SSH login isolation: alice (interactive shell on a pty) and bob.
case_begin "isolation: alice's interactive shell sits in her set"
e2e_hold -t alice iso-a "$PLANT alice 7777"
e2e_wait iso-a || fail "alice's session did not start"
A=$(e2e_pid iso-a)
assert_eq alice "$(val iso-a planted)" "plant ran"
assert_eq user/2001 "$(val iso-a set)" "alice's marker"
assert_eq alice-box "$(val iso-a hostname)" "hostname"
assert_in_set "$A" "$(set_dir user 2001)" "alice's shell"
assert_disjoint $$ "$A" "sandbox vs alice"
e2e_hold bob iso-b "$PROBE alice 7777"
e2e_hold alice iso-a2 "$PROBE alice 7777"      # her second login: the control
e2e_wait iso-b || fail "bob's session did not start"
e2e_wait iso-a2 || fail "alice's second session did not start"
B=$(e2e_pid iso-b)
A2=$(e2e_pid iso-a2)

case_begin "isolation: bob sits in his own set, sharing no namespace with alice or the host"
assert_in_set "$B" "$(set_dir user 2002)" "bob's session"
assert_disjoint "$A" "$B" "alice vs bob"
assert_disjoint $$ "$B" "sandbox vs bob"
assert_same_ns "$A" "$A2" "alice's two logins"

case_begin "isolation: bob cannot see alice's processes"
assert_eq 0 "$(val iso-b procs)" "alice's processes seen by bob"
assert_eq 0 "$(val iso-b listener)" "alice's listener in bob's ps"
try assert_ne 0 "$(val iso-a2 procs)" "control: alice sees her own processes" ||
	fail "control: alice's second login does not see her processes"

case_begin "isolation: bob cannot see alice's /tmp and /var/tmp"
assert_eq no "$(val iso-b tmp)" "bob sees /tmp/alice-secret"
assert_eq no "$(val iso-b vartmp)" "bob sees /var/tmp/alice-var"
assert_eq yes "$(val iso-a2 tmp)" "control: alice's second login sees her /tmp"
[ ! -e /tmp/alice-secret ] || fail "/tmp/alice-secret leaked to the host"

case_begin "isolation: bob cannot see alice's SysV IPC, /dev/shm or POSIX message queues"
for k in sysv_shm sysv_msg sysv_sem shm mq; do
	assert_eq no "$(val iso-b $k)" "bob sees alice's $k"
done
assert_eq 0 "$(val iso-b ipcs)" "alice's key in bob's ipcs"
for k in sysv_shm sysv_msg sysv_sem shm mq; do
	assert_eq yes "$(val iso-a2 $k)" "control: alice's second login, $k"
done
[ ! -e /dev/shm/alice-posix ] || fail "/dev/shm/alice-posix leaked to the host"
[ ! -e /dev/mqueue/alice-mq ] || fail "/dev/mqueue/alice-mq leaked to the host"

case_begin "isolation: sockets bound on alice's loopback (TCP, abstract) are out of bob's reach"
assert_eq refused "$(val iso-b tcp)" "bob -> 127.0.0.1:7777"
assert_eq refused "$(val iso-b abstract)" "bob -> @nsset-e2e-alice"
assert_eq alice-tcp "$(val iso-a2 tcp)" "control: alice's second login -> 127.0.0.1:7777"
assert_eq alice-abstract "$(val iso-a2 abstract)" "control: alice's second login -> abstract"
assert_eq refused "$(tcp_get 7777)" "the host -> 127.0.0.1:7777"
end_many iso-a iso-a2 iso-b

# ---------------------------------------------------------------------------
# Multi-tenant: carol and dave are students, frank is staff.
case_begin "multi-tenant: carol and dave (@students) share one set: processes, /tmp, IPC, loopback"
e2e_hold -t carol mt-c "$PLANT carol 7801"
e2e_wait mt-c || fail "carol's session did not start"
e2e_hold -t dave mt-d "$PROBE carol 7801"
e2e_hold -t frank mt-f "$PROBE carol 7801"
e2e_wait mt-d || fail "dave's session did not start"
e2e_wait mt-f || fail "frank's session did not start"
C=$(e2e_pid mt-c) D=$(e2e_pid mt-d) F=$(e2e_pid mt-f)
assert_in_set "$C" "$(set_dir group 3001)" "carol"
assert_same_ns "$C" "$D" "carol and dave"
assert_eq group/3001 "$(val mt-d set)" "dave's marker"
assert_eq lab-students "$(val mt-d hostname)" "dave's hostname"
assert_ne 0 "$(val mt-d procs)" "carol's processes seen by dave"
assert_sees mt-d carol 7801

case_begin "multi-tenant: frank (@staff) shares nothing with them"
assert_in_set "$F" "$(set_dir group 3003)" "frank"
assert_disjoint "$C" "$F" "carol vs frank"
assert_eq staff "$(val mt-f hostname)" "frank's hostname"
assert_eq 0 "$(val mt-f procs)" "carol's processes seen by frank"
for k in tmp vartmp shm mq sysv_shm sysv_msg sysv_sem; do
	assert_eq no "$(val mt-f $k)" "frank sees carol's $k"
done
assert_eq refused "$(val mt-f tcp)" "frank -> carol's port"
assert_eq refused "$(val mt-f abstract)" "frank -> carol's abstract socket"

case_begin "multi-tenant: dave, removed from @students, lands in his own set on his next login"
group_del_member students dave
e2e_hold -t dave mt-d2 "$PROBE carol 7801"
e2e_wait mt-d2 || fail "dave's new session did not start"
D2=$(e2e_pid mt-d2)
assert_eq user/2004 "$(val mt-d2 set)" "dave's new marker"
assert_in_set "$D2" "$(set_dir user 2004)" "dave's new login"
assert_disjoint "$C" "$D2" "carol vs dave's new login"
assert_eq 0 "$(val mt-d2 procs)" "carol's processes seen by dave now"
assert_eq no "$(val mt-d2 tmp)" "carol's /tmp seen by dave now"
assert_eq refused "$(val mt-d2 tcp)" "dave now -> carol's port"
assert_same_ns "$C" "$D" "dave's old login stays where it was"
group_add_member students dave
end_many mt-c mt-d mt-f mt-d2

# ---------------------------------------------------------------------------
# Per-session sets: erin is in @ci (scope session).
case_begin "per-session: two concurrent sessions get their own set, /tmp and loopback (same port twice)"
SNIP='cat /run/nsset/self
touch /tmp/$TAG-file
socat TCP-LISTEN:8080,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo $TAG" </dev/null >/dev/null 2>&1 &
n=0; until ss -Hltn "sport = :8080" | grep -q .; do n=$((n+1)); [ $n -lt 200 ] || break; sleep 0.05; done
echo "tmp=$(ls /tmp | tr "\n" " ")"
echo "tcp=$(socat -T '"$T3"' -u TCP:127.0.0.1:8080 STDOUT </dev/null 2>&1)"'
e2e_hold -t erin ps-1 "TAG=erin-1; $SNIP"
e2e_hold erin ps-2 "TAG=erin-2; $SNIP"
e2e_wait ps-1 || fail "first session did not start"
e2e_wait ps-2 || fail "second session did not start"
E1=$(e2e_pid ps-1) E2=$(e2e_pid ps-2)
S1=$(val ps-1 set) S2=$(val ps-2 set)
assert_match "$S1" '^session/[0-9a-f]{16}$' "first session's set"
assert_match "$S2" '^session/[0-9a-f]{16}$' "second session's set"
assert_ne "$S1" "$S2" "the two sessions' sets"
assert_in_set "$E1" "$STORE/$S1" "first session"
assert_in_set "$E2" "$STORE/$S2" "second session"
assert_disjoint "$E1" "$E2" "the two sessions"
assert_eq "erin-1-file " "$(val ps-1 tmp)" "first session's /tmp"
assert_eq "erin-2-file " "$(val ps-2 tmp)" "second session's /tmp"
assert_eq erin-1 "$(val ps-1 tcp)" "first session's own 127.0.0.1:8080"
assert_eq erin-2 "$(val ps-2 tcp)" "second session's own 127.0.0.1:8080"
# Both listeners alive at once, each answering in its own loopback.
assert_eq erin-1 "$(nsenter -t "$E1" -n socat -T "$T3" -u TCP:127.0.0.1:8080 STDOUT </dev/null 2>&1)" "port 8080 in set 1 now"
assert_eq erin-2 "$(nsenter -t "$E2" -n socat -T "$T3" -u TCP:127.0.0.1:8080 STDOUT </dev/null 2>&1)" "port 8080 in set 2 now"

case_begin "per-session: each session's set is gone when its session ends, the other one lives on"
NET1=$(e2e_nsid "$E1" net) H1=$(holder_of "$STORE/$S1")
e2e_end ps-1
settle_gone "$STORE/$S1" 20 || fail "first session's set still there 20 s after its logout"
pid_gone "$H1" 5 || fail "holder $H1 of the first session's set still running"
assert_eq 0 "$(nsfs_mount_count "$NET1")" "nsfs mounts of the first set's net ns"
assert_in_set "$E2" "$STORE/$S2" "second session after the first ended"
assert_eq erin-2 "$(nsenter -t "$E2" -n socat -T "$T3" -u TCP:127.0.0.1:8080 STDOUT </dev/null 2>&1)" "second set's listener"
H2=$(holder_of "$STORE/$S2")
e2e_end ps-2
settle_gone "$STORE/$S2" 20 || fail "second session's set still there 20 s after its logout"
pid_gone "$H2" 5 || fail "holder $H2 of the second session's set still running"
assert_eq "" "$(ls -A "$STORE/session" 2>/dev/null)" "session sets left"

# ---------------------------------------------------------------------------
# Lifetime with keep=sessions (bob's rule).
BOBSET=$(set_dir user 2002)
settle_gone "$BOBSET" 20
case_begin "keep=sessions: the set outlives the first of two sessions and goes with the last"
e2e_hold -t bob lt-1 'echo started'
e2e_hold -t bob lt-2 'echo started'
e2e_wait lt-1 && e2e_wait lt-2 || fail "bob's sessions did not start"
L1=$(e2e_pid lt-1) L2=$(e2e_pid lt-2)
assert_same_ns "$L1" "$L2" "bob's two sessions"
HB=$(holder_of "$BOBSET")
e2e_end lt-1
sleep 1
[ -d "$BOBSET" ] || fail "set destroyed while a session lives"
assert_in_set "$L2" "$BOBSET" "the remaining session"
assert_eq 1 "$(ls "$BOBSET/sessions" 2>/dev/null | wc -l)" "registered sessions"
MNT=$(e2e_nsid "$L2" mnt)
e2e_end lt-2
settle_gone "$BOBSET" 20 || fail "set still there 20 s after the last logout"
pid_gone "$HB" 5 || fail "holder still running"
assert_eq 0 "$(nsfs_mount_count "$MNT")" "nsfs mounts of the set's mnt ns"
assert_eq 0 "$(user_procs bob)" "bob's processes left"

case_begin "keep=sessions: a SIGKILLed client ends its session only; killing the last one ends the set"
e2e_hold -t bob kc-1 'echo started'
e2e_hold -t bob kc-2 'echo started'
e2e_wait kc-1 && e2e_wait kc-2 || fail "bob's sessions did not start"
K1=$(e2e_pid kc-1) K2=$(e2e_pid kc-2)
HB=$(holder_of "$BOBSET")
e2e_kill_client kc-1
pid_gone "$K1" 10 || fail "the killed client's shell is still running"
sleep 1
[ -d "$BOBSET" ] || fail "set destroyed while a session lives"
assert_in_set "$K2" "$BOBSET" "the remaining session"
assert_eq 1 "$(ls "$BOBSET/sessions" 2>/dev/null | wc -l)" "registered sessions"
MNT=$(e2e_nsid "$K2" mnt)
e2e_kill_client kc-2
pid_gone "$K2" 10 || fail "the second killed client's shell is still running"
settle_gone "$BOBSET" 20 || fail "set still there 20 s after the last client was killed"
pid_gone "$HB" 5 || fail "holder still running"
assert_eq 0 "$(nsfs_mount_count "$MNT")" "nsfs mounts of the set's mnt ns"
assert_eq 0 "$(user_procs bob)" "bob's processes left"

case_begin "keep=sessions: sshd's [priv] SIGKILLed: the set lives as long as the session, then goes"
settle_gone "$BOBSET" 20
e2e_hold -t bob kp-1 'echo started'
e2e_wait kp-1 || fail "bob's session did not start"
P1=$(e2e_pid kp-1) PRIV=$(e2e_priv kp-1)
HB=$(holder_of "$BOBSET")
MNT=$(e2e_nsid "$P1" mnt)
if [ -n "$PRIV" ]; then
	log_mark
	kill -KILL "$PRIV"
	pid_gone "$PRIV" 5
	sleep 1.5
	# sshd's user child carries on without its monitor: the session lives.
	if kill -0 "$P1" 2>/dev/null; then
		[ -d "$BOBSET" ] || fail "set destroyed while the session's shell lives (pid $P1)"
		try assert_in_set "$P1" "$BOBSET" || fail "the living session is no longer in a set of the store"
	else
		fail "the session's shell was killed when [priv] died: $(_t_oneline "$(log_since_mark | grep -o 'nsset-holder.*destroyed.*' | head -n 1)")"
	fi
fi
e2e_kill_client kp-1
pid_gone "$P1" 10 || fail "shell still running after the client was killed"
settle_gone "$BOBSET" 20 || fail "set leaked: still there 20 s after the session ended"
pid_gone "$HB" 5 || fail "holder $HB leaked"
assert_eq 0 "$(nsfs_mount_count "$MNT")" "nsfs mounts of the set's mnt ns"
assert_eq 0 "$(user_procs bob)" "bob's processes left"

case_begin "keep=sessions: the last logout of a pid set frees it at once and holds up no login"
settle_gone "$BOBSET" 20
e2e_hold -t bob lat-1 'echo started'
e2e_wait lat-1 || fail "bob's session did not start"
e2e_end lat-1
T0=$(now_ms)
settle_gone "$BOBSET" 20
GONE_MS=$(($(now_ms) - T0))
e2e_hold -t bob lat-2 'echo started'
e2e_wait lat-2
T1=$(now_ms)
e2e_end lat-2
run e2e_ssh bob@sshd true
LOGIN_MS=$(($(now_ms) - T1))
echo "  set gone ${GONE_MS} ms after the logout; a login right after a logout took ${LOGIN_MS} ms" >&2
# (2 s on the host; a whole ssh login under user-mode-linux takes longer:
# NSSET_TEST_SLOW scales the bound, as it does the waits.)
[ "$GONE_MS" -lt "$(slow 2000)" ] || fail "set torn down only ${GONE_MS} ms after its last logout"
[ "$LOGIN_MS" -lt "$(slow 2000)" ] || fail "a login right after the last logout took ${LOGIN_MS} ms"
settle_gone "$BOBSET" 20

# ---------------------------------------------------------------------------
# Races: first logins in parallel.
race() { # NAME USERS...: parallel held logins, all waited for
	_r=$1
	shift
	_i=0
	RACE_NAMES=
	for _u; do
		_i=$((_i + 1))
		e2e_hold "$_u" "$_r-$_i" 'echo ok'
		RACE_NAMES="$RACE_NAMES $_r-$_i"
	done
	for _h in $RACE_NAMES; do
		e2e_wait "$_h" 90 || { fail "session $_h did not start"; return 1; }
	done
}
# On failure: what the holders, the module and sshd said meanwhile.
race_diag() {
	[ "$_t_failed" = 1 ] || return 0
	echo "  syslog since the start of the race (without pam_unix):" >&2
	log_since_mark | grep -v 'pam_unix' | sed 's/^/  log| /' >&2
	for _h in $RACE_NAMES; do
		[ -e "$E2E_OUT/$_h" ] && continue
		echo "  client $_h: $(tr '\r\n' '  ' <"$E2E_DIR/$_h.log")" >&2
	done
	echo "  sshd log (errors):" >&2
	grep -v -e Accepted -e Postponed -e 'Connection from' -e 'Starting session' -e 'User child' \
		-e 'Close session' -e Transferred -e 'Closing connection' -e 'Received disconnect' \
		-e 'Disconnected from' "$E2E_DIR/sshd-$MAIN.log" | tail -n 30 | sed 's/^/  sshd| /' >&2
}
race_check() { # SETDIR N
	_all=
	for _h in $RACE_NAMES; do
		_p=$(e2e_pid "$_h") || { fail "no process for $_h"; return 1; }
		_all="$_all$(nsv "$_p")
"
	done
	assert_eq 1 "$(printf '%s' "$_all" | sort -u | wc -l)" "distinct namespace sets among $2 sessions"
	assert_eq "$(store_nsv "$1")" "$(printf '%s' "$_all" | sort -u)" "the sessions' namespaces vs the store's"
	assert_eq "$2" "$(ls "$1/sessions" 2>/dev/null | wc -l)" "registered sessions"
	assert_eq 0 "$(ls -d "$STORE"/.build-* "$STORE"/*/.build-* 2>/dev/null | wc -l)" "half-built sets"
}

case_begin "race: 30 parallel first logins of one user make exactly one set, shared by all"
SOLO=$(set_dir user 2200)
[ ! -e "$SOLO" ] || fail "solo has a set before the race"
log_mark
T0=$(now_ms)
# shellcheck disable=SC2046  # thirty words
race r $(seq 1 30 | sed 's/.*/solo/') && race_check "$SOLO" 30
echo "  30 logins in $(($(now_ms) - T0)) ms" >&2
assert_eq 1 "$(log_since_mark | grep -c 'set user/2200 created')" "sets created (syslog)"
race_diag
end_many $RACE_NAMES
settle_gone "$SOLO" 30 || fail "set still there after all 30 sessions ended"

case_begin "race: 30 members of one group log in in parallel: one group set, shared by all"
CROWD=$(set_dir group 3004)
log_mark
T0=$(now_ms)
race g $(seq -f 'grp%02g' 1 30) && race_check "$CROWD" 30
echo "  30 logins in $(($(now_ms) - T0)) ms" >&2
assert_eq 1 "$(log_since_mark | grep -c 'set group/3004 created')" "sets created (syslog)"
race_diag
end_many $RACE_NAMES
settle_gone "$CROWD" 30 || fail "set still there after all 30 sessions ended"

# ---------------------------------------------------------------------------
# Every way in lands in the interactive shell's set.
ALICE=$(set_dir user 2001)
settle_gone "$ALICE" 20
case_begin "paths: a non-interactive command lands in the interactive shell's set"
e2e_hold -t alice pa-sh 'echo "from the shell" >/tmp/from-shell
socat TCP-LISTEN:7000,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo via-set \$(readlink /proc/self/ns/net)" </dev/null >/dev/null 2>&1 &
n=0; until ss -Hltn "sport = :7000" | grep -q .; do n=$((n+1)); [ $n -lt 200 ] || break; sleep 0.05; done
echo ok'
e2e_wait pa-sh || fail "alice's shell did not start"
SH=$(e2e_pid pa-sh)
assert_in_set "$SH" "$ALICE" "the interactive shell"
run e2e_ssh alice@sshd 'for t in mnt uts ipc net pid; do printf "%s:%s " $t $(stat -L -c %i /proc/self/ns/$t); done; echo; cat /tmp/from-shell'
assert_eq 0 "$RC" "ssh alice@sshd CMD"
assert_eq "$(nsv "$SH")" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "the command's namespaces vs the shell's"
assert_eq "from the shell" "$(printf '%s\n' "$STDOUT" | sed -n 2p)" "the command sees the shell's /tmp"

printf 'uploaded by scp\n' >"$E2E_DIR/up.txt"
chmod 0644 "$E2E_DIR/up.txt"
case_begin "paths: scp (SFTP protocol) writes and reads the set's /tmp"
run e2e_scp "$E2E_DIR/up.txt" alice@sshd:/tmp/scp-up
assert_eq 0 "$RC" "scp upload"
assert_eq "uploaded by scp" "$(nsenter -t "$SH" -m cat /tmp/scp-up 2>&1)" "the shell's /tmp/scp-up"
[ ! -e /tmp/scp-up ] || fail "scp wrote the host's /tmp"
rm -f "$E2E_DIR/down.txt"
run e2e_scp alice@sshd:/tmp/from-shell "$E2E_DIR/down.txt"
assert_eq 0 "$RC" "scp download"
assert_eq "from the shell" "$(cat "$E2E_DIR/down.txt" 2>&1)" "downloaded /tmp/from-shell"

case_begin "paths: scp -O (legacy protocol: remote scp run by the shell) lands in the set"
run e2e_scp -O "$E2E_DIR/up.txt" alice@sshd:/tmp/scp-o-up
assert_eq 0 "$RC" "scp -O upload"
assert_eq "uploaded by scp" "$(nsenter -t "$SH" -m cat /tmp/scp-o-up 2>&1)" "the shell's /tmp/scp-o-up"
rm -f "$E2E_DIR/down.txt"
run e2e_scp -O alice@sshd:/tmp/from-shell "$E2E_DIR/down.txt"
assert_eq 0 "$RC" "scp -O download"
assert_eq "from the shell" "$(cat "$E2E_DIR/down.txt" 2>&1)" "downloaded /tmp/from-shell"

# An sftp session held open through a fifo, so that its server process can
# be looked at while it lives: puts $E2E_DIR/up.txt to $SFTP_PUT (default
# /tmp/sftp-up), gets $SFTP_GET (default /tmp/from-shell) into
# $E2E_DIR/sftp-down.txt.  sftp_session PORT USER PGREP-ARGS...
sftp_session() {
	_port=$1 _user=$2
	shift 2
	rm -f "$E2E_DIR/sftp.fifo" "$E2E_DIR/sftp-down.txt"
	mkfifo "$E2E_DIR/sftp.fifo"
	e2e_sftp -P "$_port" -b - "$_user@sshd" <"$E2E_DIR/sftp.fifo" >"$E2E_DIR/sftp.log" 2>&1 &
	_sp=$!
	exec 8>"$E2E_DIR/sftp.fifo"
	# In subshells: if sftp is gone, SIGPIPE ends them, not this script.
	(echo "put $E2E_DIR/up.txt ${SFTP_PUT:-/tmp/sftp-up}" >&8) 2>/dev/null
	(echo "get ${SFTP_GET:-/tmp/from-shell} $E2E_DIR/sftp-down.txt" >&8) 2>/dev/null
	_n=0
	SFTP_PID=
	while [ -z "$SFTP_PID" ] && [ $_n -lt 200 ]; do
		SFTP_PID=$(pgrep -u "$_user" "$@" | head -n 1)
		_n=$((_n + 1))
		sleep 0.05
	done
	# Wait for the transfers (the fifo keeps the server alive meanwhile).
	_n=0
	while [ ! -s "$E2E_DIR/sftp-down.txt" ] && [ $_n -lt 200 ]; do _n=$((_n + 1)); sleep 0.05; done
	SFTP_NS=
	[ -n "$SFTP_PID" ] && SFTP_NS=$(nsv "$SFTP_PID")
	(echo "bye" >&8) 2>/dev/null
	exec 8>&-
	wait "$_sp"
	SFTP_RC=$?
	sed 's/^/  sftp| /' "$E2E_DIR/sftp.log" >&2
}

case_begin "paths: sftp via the sftp-server subsystem runs in the set"
sftp_session $MAIN alice -x sftp-server
assert_eq 0 "$SFTP_RC" "sftp exit status"
[ -n "$SFTP_PID" ] || fail "no sftp-server process of alice seen"
assert_eq "$(nsv "$SH")" "$SFTP_NS" "sftp-server's namespaces vs the shell's"
assert_eq "uploaded by scp" "$(nsenter -t "$SH" -m cat /tmp/sftp-up 2>&1)" "the shell's /tmp/sftp-up"
assert_eq "from the shell" "$(cat "$E2E_DIR/sftp-down.txt" 2>&1)" "downloaded /tmp/from-shell"

case_begin "paths: sftp via internal-sftp (in sshd's own process) runs in the set"
nsenter -t "$SH" -m rm -f /tmp/sftp-up
sftp_session $ISFTP alice -f '^sshd-test: alice@internal-sftp'
assert_eq 0 "$SFTP_RC" "sftp exit status"
[ -n "$SFTP_PID" ] || fail "no 'sshd-test: alice@internal-sftp' process seen"
assert_eq "$(nsv "$SH")" "$SFTP_NS" "internal-sftp's namespaces vs the shell's"
assert_eq "uploaded by scp" "$(nsenter -t "$SH" -m cat /tmp/sftp-up 2>&1)" "the shell's /tmp/sftp-up"
assert_eq "from the shell" "$(cat "$E2E_DIR/sftp-down.txt" 2>&1)" "downloaded /tmp/from-shell"

case_begin "paths: ssh -L forwards to a listener on the set's loopback"
assert_eq refused "$(tcp_get 7000)" "the host's own 127.0.0.1:7000"
# ssh itself in the background (not the e2e_ssh function: $! would be a subshell).
ssh $E2E_SSH_OPTS -p $MAIN -N -o ExitOnForwardFailure=yes -L 127.0.0.1:7100:127.0.0.1:7000 alice@sshd \
	</dev/null >"$E2E_DIR/fwd.log" 2>&1 &
FWD=$!
wait_listen 7100 10 || fail "ssh -L did not listen: $(cat "$E2E_DIR/fwd.log")"
assert_eq "via-set net:[$(e2e_nsid "$SH" net)]" "$(tcp_get 7100)" "answer through the tunnel"
kill "$FWD" 2>/dev/null
wait "$FWD" 2>/dev/null
e2e_end pa-sh
if ! settle_gone "$ALICE" 20; then
	fail "alice's set still there 20 s after her last session: sessions $(_t_oneline "$(ls "$ALICE/sessions")"); alice's processes: $(_t_oneline "$(pgrep -a -u alice)")"
	for f in "$ALICE"/sessions/*; do
		p=$(basename "$f" | cut -d. -f1)
		echo "  session $f: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)" >&2
	done
fi

# ---------------------------------------------------------------------------
# Fail closed.  The fault: a holder that cannot make any set (root's, 0755:
# the account phase finds nothing wrong with it), put in place of the
# installed one, which both pam_nsset (holder=) and nsset-enter (compiled
# in) use.
HARRY=$(set_dir user 2301)
FAILING=$E2E_DIR/bin/failing-holder
printf '#!/bin/sh\necho "injected fault" >&2\nexit 1\n' >"$FAILING"
chmod 0755 "$FAILING"
# By rename: a holder still running keeps its (unchanged) program.
inject_fault() {
	settle_gone "$HARRY" 20
	cp -p "$FAILING" "$INSTALLED_HOLDER.new" && mv -f "$INSTALLED_HOLDER.new" "$INSTALLED_HOLDER"
}
clear_fault() {
	cp -p "$E2E_DIR/holder.orig" "$INSTALLED_HOLDER.new" && mv -f "$INSTALLED_HOLDER.new" "$INSTALLED_HOLDER"
}
hard_needed() {
	[ "$HARD_OK" = 1 ] && return 0
	fail "the hardened setup could not be made"
	return 1
}
# The full hardened stack, or the same without pam_nsset in the session
# stack (nsset-enter alone: what is left when the session layer is missing,
# `optional`, or skipped).
hard_stack() {
	if [ "$1" = full ]; then
		e2e_pam_service sshd-hard /usr/local/lib/security/pam_nsset.so "$INSTALLED_HOLDER"
	else
		e2e_pam_service sshd-hard /usr/local/lib/security/pam_nsset.so "$INSTALLED_HOLDER" account
	fi
}
# A probe that leaves a trace wherever it runs ($E2E_OUT is visible in every
# set and on the host).
ran_probe() { # NAME
	echo "readlink /proc/self/ns/mnt >$E2E_OUT/ran-$1"
}
assert_nothing_ran() { # NAME
	[ ! -e "$E2E_OUT/ran-$1" ] && return 0
	fail "$1 ran anyway, in mnt ns $(cat "$E2E_OUT/ran-$1") (host: $(ns_of $$ mnt))"
	rm -f "$E2E_OUT/ran-$1"
}
# No process of harry but sshd's own (its user child may take a moment to go).
assert_no_harry() {
	_n=0
	while :; do
		_p=$(pgrep -u harry -a | grep -v '^[0-9]* sshd-hard: ')
		[ -z "$_p" ] && return 0
		_n=$((_n + 1))
		[ $_n -lt 40 ] || break
		sleep 0.05
	done
	fail "processes of harry running: $(_t_oneline "$_p")"
}
# In the sandbox's /tmp, which is the host's /tmp if the repository or the
# build lives there (tests/lib/sandbox.sh does not hide them): unique names,
# removed below.
HOST_ONLY=/tmp/nsset-e2e-host-only.$$
printf 'host only\n' >"$HOST_ONLY"
# sftp batches that write a trace and list /tmp.
sftp_batch() { # NAME
	printf 'put %s %s\nls /tmp\n' "$E2E_DIR/up.txt" "$E2E_OUT/ran-$1" >"$E2E_DIR/batch-$1"
	echo "$E2E_DIR/batch-$1"
}
# Refused: a non-zero status, STDOUT+STDERR holding MESSAGE, no trace.
assert_refused() { # NAME MESSAGE
	assert_ne 0 "$RC" "$1: exit status"
	[ -z "$2" ] || assert_contains "$STDOUT $STDERR" "$2" "$1: what the user is told"
	assert_nothing_ran "$1"
}
# sshd's own refusal of a session whose pam_open_session failed (OpenSSH
# portable session.c do_child: "PAM session not opened, exiting", 254).
SSHD_REFUSAL="nsset: cannot place this session in its namespace set."

case_begin "hardened, no fault: harry's shell, a command, sftp-server and internal-sftp land in his set"
if hard_needed; then
	hard_stack full
	e2e_hold -t -p $HARD harry hd-sh 'echo "set=$(sed -n "s/^set=//p" /run/nsset/self)"; echo "from the shell" >/tmp/from-shell'
	e2e_wait hd-sh || fail "harry's shell did not start"
	SH=$(e2e_pid hd-sh)
	assert_eq user/2301 "$(val hd-sh set)" "harry's marker"
	assert_in_set "$SH" "$HARRY" "harry's shell"
	run e2e_ssh -p $HARD harry@sshd 'for t in mnt uts ipc net pid; do printf "%s:%s " $t $(stat -L -c %i /proc/self/ns/$t); done'
	assert_eq 0 "$RC" "ssh harry@sshd CMD"
	assert_eq "$(nsv "$SH")" "$STDOUT" "the command's namespaces vs the shell's"
	sftp_session $HARD harry -x sftp-server
	assert_eq 0 "$SFTP_RC" "sftp (sftp-server) exit status"
	[ -n "$SFTP_PID" ] || fail "no sftp-server process of harry seen"
	assert_eq "$(nsv "$SH")" "$SFTP_NS" "sftp-server's namespaces vs the shell's"
	sftp_session $HARDI harry -f '^sshd-hard: harry@internal-sftp'
	assert_eq 0 "$SFTP_RC" "sftp (internal-sftp) exit status"
	[ -n "$SFTP_PID" ] || fail "no 'sshd-hard: harry@internal-sftp' process seen"
	assert_eq "$(nsv "$SH")" "$SFTP_NS" "internal-sftp's namespaces vs the shell's"
	e2e_end hd-sh
	settle_gone "$HARRY" 20 || fail "harry's set still there after his logout"
fi

case_begin "fail closed: with a fault in set creation, harry's interactive login is refused, no shell runs"
if hard_needed; then
	hard_stack full
	inject_fault || fail "injecting the fault"
	log_mark
	ssh_tty $HARD harry "$(ran_probe tty)
exit"
	assert_refused tty "$SSHD_REFUSAL"
	assert_no_harry
	assert_log_contains "exited without creating the set"
	[ ! -e "$HARRY" ] || fail "a set of harry exists after the failed login"
	clear_fault
fi

case_begin "fail closed: with the fault, harry's command and scp -O are refused, nothing runs"
if hard_needed; then
	inject_fault || fail "injecting the fault"
	run e2e_ssh -p $HARD harry@sshd "$(ran_probe cmd)"
	assert_refused cmd "$SSHD_REFUSAL"
	run e2e_scp -P $HARD -O "$E2E_DIR/up.txt" "harry@sshd:$E2E_OUT/ran-scp"
	assert_refused scp
	assert_no_harry
	clear_fault
fi

case_begin "fail closed: with the fault, harry's sftp (sftp-server subsystem) and scp are refused"
if hard_needed; then
	inject_fault || fail "injecting the fault"
	run e2e_sftp -P $HARD -b "$(sftp_batch sftp)" harry@sshd
	assert_refused sftp
	assert_not_contains "$STDOUT" "$HOST_ONLY" "sftp listed the host's /tmp"
	run e2e_scp -P $HARD "$E2E_DIR/up.txt" "harry@sshd:$E2E_OUT/ran-scp-sftp"
	assert_refused scp-sftp
	assert_no_harry
	clear_fault
fi

case_begin "fail closed: with the fault, harry's sftp via internal-sftp is refused"
if hard_needed; then
	inject_fault || fail "injecting the fault"
	run e2e_sftp -P $HARDI -b "$(sftp_batch isftp)" harry@sshd
	assert_refused isftp
	assert_not_contains "$STDOUT" "$HOST_ONLY" "internal-sftp listed the host's /tmp"
	assert_no_harry
	clear_fault
fi

case_begin "fail closed: with the fault, harry's port forwarding is refused"
if hard_needed; then
	inject_fault || fail "injecting the fault"
	socat TCP-LISTEN:7300,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo host-listener" </dev/null >/dev/null 2>&1 &
	HOSTL=$!
	wait_listen 7300 5 || fail "the host's listener did not start"
	ssh $E2E_SSH_OPTS -p $HARD -N -L 127.0.0.1:7301:127.0.0.1:7300 harry@sshd \
		</dev/null >"$E2E_DIR/fwd-h.log" 2>&1 &
	FWD=$!
	assert_eq host-listener "$(tcp_get 7300)" "control: the host's listener answers"
	if wait_listen 7301 10; then
		# sshd refuses the channel: the local end is closed at once.
		R=$(tcp_get 7301)
		echo "  through the tunnel: '$R'" >&2
		[ "$R" != host-listener ] || fail "the tunnel reached the host's 127.0.0.1:7300"
	else
		fail "ssh -L did not listen: $(_t_oneline "$(cat "$E2E_DIR/fwd-h.log")")"
	fi
	kill "$FWD" "$HOSTL" 2>/dev/null
	wait "$FWD" "$HOSTL" 2>/dev/null
	assert_no_harry
	clear_fault
fi

case_begin "control: with the fault, sshd also refuses a user without nsset-enter (OpenSSH 9.2 does not fail open)"
if hard_needed; then
	settle_gone "$ALICE" 20 || fail "alice still has a set: the fault would not be reached"
	inject_fault || fail "injecting the fault"
	log_mark
	run e2e_ssh -p $HARD alice@sshd "$(ran_probe alice)"
	assert_eq 254 "$RC" "alice's command (sshd: PAM session not opened)"
	assert_refused alice "$SSHD_REFUSAL"
	assert_log_contains "exited without creating the set"
	clear_fault
fi

case_begin "nsset-enter alone (no pam_nsset session line), no fault: a command and sftp-server land in the set"
if hard_needed; then
	hard_stack account-only
	log_mark
	e2e_hold -p $HARD harry ho-cmd 'echo "set=$(sed -n "s/^set=//p" /run/nsset/self)"; echo "from the shell" >/tmp/from-shell'
	e2e_wait ho-cmd || fail "harry's command did not start"
	HC=$(e2e_pid ho-cmd)
	assert_log_contains "user harry entered set user/2301 (created)"
	assert_eq user/2301 "$(val ho-cmd set)" "harry's marker"
	assert_in_set "$HC" "$HARRY" "harry's command"
	run e2e_ssh -p $HARD harry@sshd 'for t in mnt uts ipc net pid; do printf "%s:%s " $t $(stat -L -c %i /proc/self/ns/$t); done'
	assert_eq 0 "$RC" "ssh harry@sshd CMD"
	assert_eq "$(nsv "$HC")" "$STDOUT" "a second command's namespaces vs the first's"
	sftp_session $HARD harry -x sftp-server
	assert_eq 0 "$SFTP_RC" "sftp (sftp-server) exit status"
	assert_eq "$(nsv "$HC")" "$SFTP_NS" "sftp-server's namespaces vs the command's"
	assert_eq "from the shell" "$(cat "$E2E_DIR/sftp-down.txt" 2>&1)" "downloaded /tmp/from-shell"
fi

# (harry's command above still holds his set: the shell joins it.)
case_begin "nsset-enter alone, no fault: an interactive login shell (dash, on a pty) works in a pid set"
if hard_needed; then
	ssh_tty $HARD harry 'echo "in=$(sed -n "s/^set=//p" /run/nsset/self)"
exec true'
	assert_contains "$STDOUT" "in=user/2301" "the shell runs in harry's set"
	assert_not_contains "$STDOUT" "Cannot set tty process group" "the shell's job control"
	assert_eq 0 "$RC" "exit status of 'exec true' in the login shell"
	e2e_end ho-cmd
	settle_gone "$HARRY" 20 || fail "harry's set still there after his logout"
	hard_stack full
fi

case_begin "nsset-enter alone, with the fault: shell, command and sftp-server are refused (125), nothing runs"
if hard_needed; then
	hard_stack account-only
	inject_fault || fail "injecting the fault"
	ssh_tty $HARD harry "$(ran_probe tty2)
exit"
	assert_eq 125 "$RC" "ssh -tt exit status (nsset-enter: cannot place)"
	assert_refused tty2 "nsset-enter: cannot place harry in set user/2301"
	run e2e_ssh -p $HARD harry@sshd "$(ran_probe cmd2)"
	assert_eq 125 "$RC" "ssh CMD exit status"
	assert_refused cmd2 "nsset-enter: cannot place harry in set user/2301"
	run e2e_sftp -P $HARD -b "$(sftp_batch sftp2)" harry@sshd
	assert_refused sftp2
	assert_no_harry
	[ ! -e "$HARRY" ] || fail "a set of harry exists after the failed logins"
	clear_fault
	hard_stack full
fi

# nsset-enter is a login shell: sshd runs internal-sftp in its own process,
# without one.  Shown here, not hidden: only the PAM session layer (above,
# sshd's exit 254) keeps internal-sftp out of the host's namespaces.
case_begin "limit: nsset-enter alone cannot cover internal-sftp: with the fault it runs outside any set"
if hard_needed; then
	hard_stack account-only
	inject_fault || fail "injecting the fault"
	run e2e_sftp -P $HARDI -b "$(sftp_batch isftp2)" harry@sshd
	assert_eq 0 "$RC" "internal-sftp served harry"
	assert_contains "$STDOUT" "$HOST_ONLY" "internal-sftp lists the host's /tmp"
	[ -e "$E2E_OUT/ran-isftp2" ] || fail "internal-sftp wrote nothing"
	rm -f "$E2E_OUT/ran-isftp2"
	# And while it runs: its process has every namespace of the host.
	SFTP_GET=$HOST_ONLY SFTP_PUT=/tmp/nsset-e2e-sftp-up.$$
	sftp_session $HARDI harry -f '^sshd-hard: harry@internal-sftp'
	[ -n "$SFTP_PID" ] || fail "no 'sshd-hard: harry@internal-sftp' process seen"
	assert_eq "$(nsv $$)" "$SFTP_NS" "internal-sftp's namespaces vs the host's"
	assert_eq "host only" "$(cat "$E2E_DIR/sftp-down.txt" 2>&1)" "downloaded $HOST_ONLY"
	assert_eq "uploaded by scp" "$(cat "$SFTP_PUT" 2>&1)" "uploaded into the host's /tmp"
	rm -f "$SFTP_PUT"
	unset SFTP_GET SFTP_PUT
	clear_fault
	hard_stack full
fi

case_begin "hardened: after the fault is cleared, harry logs in to his set again"
if hard_needed; then
	run e2e_ssh -p $HARD harry@sshd 'sed -n "s/^set=//p" /run/nsset/self'
	assert_eq 0 "$RC" "login"
	assert_eq user/2301 "$STDOUT" "harry's set"
fi
rm -f "$HOST_ONLY"

# ---------------------------------------------------------------------------
case_begin "net=veth: vera's SSH login has eth0 with her fixed address and reaches the host's bridge"
e2e_add_user vera 2401 || fail "adding vera"
socat TCP-LISTEN:7900,reuseaddr,fork SYSTEM:"echo via-bridge" </dev/null >/dev/null 2>&1 &
VSRV=$!
wait_listen 7900 10 || fail "the test server did not listen"
# uid 2401 in 10.66.0.0/16: 10.66.0.0 + 2 + 2401 = 10.66.9.99 (nsset.conf(5), Addresses).
e2e_ssh -p $MAIN vera@sshd 'ip -o -4 addr show dev eth0 | awk "{ print \$4 }"; ip route show default;
	socat -T '"$T3"' -u TCP:10.66.0.1:7900,connect-timeout='"$T3"' STDOUT </dev/null' \
	>"$E2E_DIR/veth.out" 2>"$E2E_DIR/veth.err"
assert_eq "0" "$?" "vera's command: $(cat "$E2E_DIR/veth.err")"
assert_eq "10.66.9.99/16
default via 10.66.0.1 dev eth0 proto static 
via-bridge" "$(cat "$E2E_DIR/veth.out")" "vera's address, route and the bridge server"
settle_gone "$(set_dir user 2401)" 20 || fail "vera's set outlived her session"
n=0
while ip link show nsu2401 >/dev/null 2>&1 && [ $n -lt 100 ]; do n=$((n + 1)); sleep 0.05; done
assert_eq "" "$(ip -o link show nsu2401 2>/dev/null)" "vera's host end after logout"
kill "$VSRV" 2>/dev/null; wait "$VSRV" 2>/dev/null

# ---------------------------------------------------------------------------
# su and runuser with pam_nsset in both files of each pair, as an admin who
# adds the lines to su and su-l gets: Debian's su-l includes su, runuser-l
# includes runuser, so the -l stacks run the module twice in one
# transaction. Used by sue from inside her SSH session (a nested login of
# hers: nothing to do), by root on the host (placed once per transaction),
# and by root inside her set (nssetctl enter).
case_begin "su/su-l and runuser/runuser-l with pam_nsset in both files: sue's ssh session, root outside and inside"
e2e_add_user sue 2501 || fail "adding sue"
for f in su su-l runuser runuser-l; do
	cp -p "/etc/pam.d/$f" "$E2E_DIR/pam-$f.orig" || fail "saving /etc/pam.d/$f"
	printf 'account  required  %s debug holder=%s\nsession  required  %s debug holder=%s\n' \
		"$NSSET_MODULE" "$NSSET_HOLDER" "$NSSET_MODULE" "$NSSET_HOLDER" >>"/etc/pam.d/$f"
done
# nsline.sh KEY: "KEY=mnt:I uts:I ipc:I net:I pid:I user".
printf '%s\n' 'printf "%s=" "$1"; for t in mnt uts ipc net pid; do printf "%s:%s " $t $(stat -L -c %i /proc/self/ns/$t); done; id -un' \
	>"$E2E_OUT/nsline.sh"
chmod 0644 "$E2E_OUT/nsline.sh"
NSLINE="sh $E2E_OUT/nsline.sh"
AD=$(set_dir user 2501)
log_mark
# (su's password prompt, on stderr, goes aside.)
rm -f "$E2E_OUT/su-a.err"
e2e_hold sue su-a "$NSLINE outer
printf 'nsset-test\n' | su sue -c '$NSLINE su' 2>>$E2E_OUT/su-a.err; echo su_rc=\$?
printf 'nsset-test\n' | su -l sue -c '$NSLINE sul' 2>>$E2E_OUT/su-a.err; echo sul_rc=\$?"
if e2e_wait su-a; then
	sed 's/^/  su-a| /' "$E2E_OUT/su-a" "$E2E_OUT/su-a.err" >&2
	A=$(e2e_pid su-a)
	OUTER=$(val su-a outer)
	assert_in_set "$A" "$AD" "sue's ssh shell"
	assert_eq "0 0" "$(val su-a su_rc) $(val su-a sul_rc)" "su and su -l run by sue in her set"
	assert_eq "$OUTER" "$(val su-a su)" "su's shell vs the ssh shell" &&
		assert_eq "$OUTER" "$(val su-a sul)" "su -l's shell vs the ssh shell" &&
		assert_contains "$OUTER" "sue" "the user"
	assert_eq 1 "$(ls "$AD/sessions" | wc -l)" "session entries (the ssh login's only)"
	assert_log_contains "pam_nsset(su:session): user sue: already in set user/2501 (a login from inside it)"
	assert_log_contains "pam_nsset(su-l:session): user sue: already in set user/2501 (a login from inside it)"
	assert_eq 2 "$(log_since_mark | grep -c 'already in set user/2501 (a login')" "one line per transaction"
	assert_log_not_contains "refusing"

	# Root on the host: each a real placement, once per transaction.
	log_mark
	for how in "su sue -c" "su -l sue -c" "runuser -u sue -- sh -c" "runuser -l sue -c"; do
		# shellcheck disable=SC2086  # $how is a command and its options
		run $how "$NSLINE in"
		assert_eq 0 "$RC" "root: $how" || break
		assert_eq "in=$OUTER" "$STDOUT" "root: $how: its namespaces vs sue's ssh shell" || break
		assert_eq 1 "$(ls "$AD/sessions" | wc -l)" "root: $how: session entries after it" || break
	done
	assert_eq 4 "$(log_since_mark | grep -c 'user sue placed in set user/2501')" "placements logged"
	assert_log_contains "pam_nsset(su-l:session): sue: this transaction's session is in set user/2501 already"
	assert_log_contains "pam_nsset(runuser-l:session): sue: this transaction's session is in set user/2501 already"

	# Root inside sue's set: runuser -l sue is already there; su -l bob
	# from there is refused, with the class and no set named.
	log_mark
	run "$NSSET_BUILD/nssetctl" enter user/2501 runuser -l sue -c "$NSLINE in"
	assert_eq 0 "$RC" "runuser -l sue inside her set"
	assert_eq "in=$OUTER" "$STDOUT" "its namespaces vs sue's ssh shell"
	assert_log_contains "pam_nsset(runuser-l:session): user sue: already in set user/2501"
	run "$NSSET_BUILD/nssetctl" enter user/2501 su -l bob -c true
	assert_ne 0 "$RC" "su -l bob inside sue's set"
	assert_contains "$STDOUT $STDERR" "This login comes from inside another namespace set" "what su shows"
	assert_not_contains "$STDOUT $STDERR" "user/" "a set's name"
	assert_eq 1 "$(printf '%s\n' "$STDERR" | grep -c 'This login comes from inside')" "said once"
	[ ! -e "$(set_dir user 2002)" ] || fail "a set of bob was made"
	e2e_end su-a
	settle_gone "$AD" 20 || fail "sue's set outlived her session"
else
	fail "sue's session did not start"
fi
for f in su su-l runuser runuser-l; do
	cat "$E2E_DIR/pam-$f.orig" >"/etc/pam.d/$f"
done

# ---------------------------------------------------------------------------
# Issue 15: a policy edit while otto has a session and a nohup job loses no
# process and refuses no login; migrate ends what its dry run listed.
CTL=$NSSET_BUILD/nssetctl
e2e_add_user otto 2402 || fail "adding otto"
OTTOSET=$(set_dir user 2402)
case_begin "policy edit: otto's session and nohup job live on, his next logins join the set as it is"
e2e_hold -t otto oe-1 'nohup sleep 2402001 >/dev/null 2>&1 & echo hostname=$(hostname)'
e2e_wait oe-1 || fail "otto's session did not start"
O1=$(e2e_pid oe-1)
OJOB=$(pgrep -xf "sleep 2402001" | head -n 1)
assert_eq otto-old "$(val oe-1 hostname)" "hostname before the edit"
[ -n "$OJOB" ] || fail "otto's nohup job did not start"
write_policy "$(printf '%s\n' "$POLICY" | sed 's/^otto .*/otto user mnt,uts,ipc,net,pid tmp=private keep=always hostname=otto-new/')"
run e2e_ssh -p $MAIN otto@sshd hostname
assert_eq 0 "$RC" "a login after the edit"
assert_eq otto-old "$STDOUT" "it joins the set as it is"
assert_in_set "$O1" "$OTTOSET" "the first session"
e2e_end oe-1
pid_gone "$O1" 10 || fail "the session did not end"
kill -0 "$OJOB" 2>/dev/null || fail "the nohup job died at logout"
run e2e_ssh -p $MAIN otto@sshd hostname
assert_eq 0 "$RC" "a login with only the job left"
assert_eq otto-old "$STDOUT" "the job keeps the set"
kill -0 "$OJOB" 2>/dev/null || fail "the nohup job died"
run "$CTL" list
assert_match "$STDOUT" '^user/2402 +outdated +user +otto'

case_begin "policy edit: migrate ends what its dry run listed, then the next login gets the new shape"
run "$CTL" migrate --dry-run user/otto
assert_eq 0 "$RC" "dry run"
DRY=$(printf '%s\n' "$STDOUT" | awk '$1 == "ends" { print $2 }' | sort -n | tr '\n' ' ')
case " $DRY " in *" $OJOB "*) ;; *) fail "the job $OJOB is not in the dry run: $DRY" ;; esac
kill -0 "$OJOB" 2>/dev/null || fail "the dry run ended the job"
run "$CTL" migrate user/otto
assert_eq 0 "$RC" "migrate"
assert_eq "$DRY" "$(printf '%s\n' "$STDOUT" | awk '$1 == "ends" { print $2 }' | sort -n | tr '\n' ' ')" "what migrate ended"
for p in $DRY; do pid_gone "$p" 10 || fail "pid $p lives on"; done
run e2e_ssh -p $MAIN otto@sshd hostname
assert_eq 0 "$RC" "login"
assert_eq otto-new "$STDOUT" "made under the edited policy"
write_policy "$POLICY"
run "$CTL" destroy user/2402
assert_eq 0 "$RC" "destroy otto's keep=always set"

# ---------------------------------------------------------------------------
case_begin "keep=processes: a detached job (setsid nohup, as tmux) outlives the ssh logouts and is found at the next login"
e2e_add_user kim 2403 || fail "adding kim"
KIMSET=$(set_dir user 2403)
# The job records its pid (as its set sees it) in the set's private /tmp.
JOB="setsid nohup sh -c 'echo \$\$ >/tmp/job.pid; while [ ! -e $E2E_OUT/kim-stop ]; do sleep 0.2; done' >/dev/null 2>&1 </dev/null &"
e2e_hold -t kim kj-1 "$JOB n=0; while [ ! -s /tmp/job.pid ] && [ \$n -lt 100 ]; do n=\$((n + 1)); sleep 0.05; done; echo job=\$(cat /tmp/job.pid)"
e2e_wait kj-1 || fail "kim's session did not start"
JOBPID=$(val kj-1 job)
assert_ne "" "$JOBPID" "the job's pid in its set"
HK=$(holder_of "$KIMSET")
e2e_end kj-1
sleep 1.5
[ -d "$KIMSET" ] || fail "set ended at the logout although kim's job runs in it"
assert_ne 0 "$(user_procs kim)" "kim's processes after the logout"
# The next login lands in the same set and finds the job running.
run e2e_ssh kim@sshd 'p=$(cat /tmp/job.pid); kill -0 "$p" && echo "alive $p"; tr "\0" " " </proc/$p/cmdline'
assert_eq 0 "$RC" "kim's second login"
assert_contains "$STDOUT" "alive $JOBPID" "the job, seen from the next login"
assert_contains "$STDOUT" "kim-stop" "the job's command line"
sleep 1
[ -d "$KIMSET" ] || fail "set ended at the second logout although the job runs"
assert_eq "$HK" "$(holder_of "$KIMSET")" "the same set (holder) all along"
# When the job ends, so does the set.
touch "$E2E_OUT/kim-stop"
settle_gone "$KIMSET" 20 || fail "set still there 20 s after its last process ended"
pid_gone "$HK" 5 || fail "holder $HK still running"
assert_eq 0 "$(user_procs kim)" "kim's processes left"

# ---------------------------------------------------------------------------
case_begin "nothing is left: no set, holder, user process or stray nsfs mount"
e2e_end_all
for d in user group session; do
	for s in "$STORE/$d"/*; do
		[ -d "$s" ] || continue
		settle_gone "$s" 20 || fail "set $d/$(basename "$s") still in the store"
	done
done
n=0
while pgrep -x nsset-holder >/dev/null && [ $n -lt 100 ]; do n=$((n + 1)); sleep 0.05; done
assert_eq "" "$(pgrep -a -x nsset-holder)" "holders running"
for u in alice bob carol dave erin frank solo harry vera otto sue kim grp01 grp30; do
	assert_eq 0 "$(user_procs $u)" "processes of $u"
done
# The template mount namespace of the store is the only nsfs mount expected.
STRAY=$(for p in /proc/[0-9]*; do
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break } $(i + 1) == "nsfs" { print $5 }' "$p/mountinfo" 2>/dev/null
done | grep -v '/\.template/mnt$' | sort -u)
assert_eq "" "$STRAY" "nsfs mounts besides the template's"

e2e_sshd_stop_all
summary
