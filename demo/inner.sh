#!/bin/sh
# The part of the demo that runs inside the sandbox (see demo/demo.sh):
# a real sshd with pam_nsset.so, six real SSH logins, a table of their
# namespace sets and of what each can see of the others, then logout.
#
#   sh tests/lib/sandbox.sh sh demo/inner.sh 3>FILE
#
# Writes the inode of every pid namespace it made (the sandbox's and each
# set's) to fd 3, one per line, if fd 3 is open.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/e2e/lib.sh"

: "${CB=}" "${CG=}" "${CR=}" "${CD=}" "${CN=}"
PORT=2222
STORE=/run/nsset
T0=$(date +%s%3N)

step() { printf '%s%s%s %s' "$CB" "$1" "$CN" "$2"; }
ok() { printf ' %sok%s%s\n' "$CG" "$CN" "${1:+ $CD($1)$CN}"; }
die() {
	printf ' %sFAILED%s\n%s\n' "$CR" "$CN" "$1" >&2
	[ -n "${2:-}" ] && [ -s "$2" ] && { echo "--- last lines of $2:" >&2; tail -n 20 "$2" >&2; }
	exit 1
}
ms_since() { echo $(($(date +%s%3N) - $1)); }

POLICY='net.ipv4=10.77.0.0/16
root        none
@students   group     mnt,uts,ipc,net,pid   tmp=private keep=sessions hostname=lab-%g net=veth
@ci         session   mnt,uts,ipc,net,pid   tmp=private hostname=ci-%u
*           user      mnt,uts,ipc,net,pid   tmp=private keep=sessions hostname=%u-box net=veth'

step "[3/6]" "sandbox and sshd ....."
printf '%s\n' "$POLICY" >/etc/security/nsset.conf && chmod 0644 /etc/security/nsset.conf
e2e_init >"$E2E_DIR.log" 2>&1 || die "could not make the keys" "$E2E_DIR.log"
e2e_pam_service sshd-nsset-demo "$NSSET_BUILD/pam_nsset.so" "$NSSET_BUILD/nsset-holder"
e2e_sshd_start sshd-nsset-demo $PORT /usr/lib/openssh/sftp-server 2>"$E2E_DIR.log" ||
	die "sshd did not start" "$E2E_DIR.log"
E2E_PORT=$PORT
ok "OpenSSH on 127.0.0.1:$PORT, UsePAM yes, pam_nsset.so in account+session"

cat <<EOF

  The policy (/etc/security/nsset.conf; test users exist only in the sandbox):
$(printf '%s\n' "$POLICY" | sed 's/^/    /')
    carol and dave are in @students, erin is in @ci. net=veth sets get an
    address on bridge nsset0 (made by nsset in the sandbox); erin's do not.

EOF

# Each login, in its own real SSH session (an interactive shell on a pty):
# leaves a process, a file in /tmp and a listener on 127.0.0.1, waits until
# everyone has, then looks for everybody else's.
LABELS="alice bob carol dave erin#1 erin#2"
NLOG=6
cat >"$E2E_OUT/demo-session.sh" <<'EOF'
i=$1 n=$2
sleep $((86400 + i)) &
echo "from login $i" >/tmp/demo-$i
socat TCP-LISTEN:$((9000 + i)),bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo hello-$i" </dev/null >/dev/null 2>&1 &
until ss -Hltn "sport = :$((9000 + i))" | grep -q .; do sleep 0.05; done
echo "set=$(sed -n 's/^set=//p' /run/nsset/self)"
echo "hostname=$(hostname)"
addr=$(ip -o -4 addr show dev eth0 2>/dev/null | awk '{ print $4 }')
echo "addr=${addr:--}"
if [ -n "$addr" ]; then
	socat TCP-LISTEN:7000,bind=${addr%/*},reuseaddr,fork SYSTEM:"echo hello-$i" </dev/null >/dev/null 2>&1 &
	until ss -Hltn "sport = :7000" | grep -q .; do sleep 0.05; done
	echo "$addr" >"$(dirname "$0")/addr-$i"
fi
touch "$(dirname "$0")/ready-$i"
k=0
until [ -e "$(dirname "$0")/go" ] || [ $k -gt 600 ]; do k=$((k + 1)); sleep 0.05; done
j=1
while [ $j -le $n ]; do
	if [ $j != $i ]; then
		p=$(ps -eo args= | grep -cx "sleep $((86400 + j))")
		[ "$p" -gt 0 ] && p=yes || p=no
		[ -e /tmp/demo-$j ] && t=yes || t=no
		# Read only (-u): a two-way socat half-closes at stdin's EOF and
		# then gives the answer only 0.5 s, too little for a listener that
		# forks and execs on a busy machine (the same fix as t_sshd's).
		r=$(socat -T 2 -u TCP:127.0.0.1:$((9000 + j)),connect-timeout=2 STDOUT </dev/null 2>/dev/null)
		[ "$r" = "hello-$j" ] && c=yes || c=no
		echo "sees_$j=$p $t $c"
	fi
	j=$((j + 1))
done
# Over the bridge: every address the logins wrote down.
for a in $(cat "$(dirname "$0")"/addr-* 2>/dev/null | sort -u); do
	r=$(socat -T 2 -u TCP:${a%/*}:7000,connect-timeout=2 STDOUT </dev/null 2>/dev/null)
	echo "reach_${a%/*}=${r:-no}"
done
EOF
chmod 0644 "$E2E_OUT/demo-session.sh"

step "[4/6]" "6 real SSH logins ...."
T1=$(date +%s%3N)
i=0
for l in $LABELS; do
	i=$((i + 1))
	e2e_hold -t "${l%#*}" "login-$i" "sh $E2E_OUT/demo-session.sh $i $NLOG"
done
i=0
for l in $LABELS; do
	i=$((i + 1))
	k=0
	until [ -e "$E2E_OUT/ready-$i" ]; do
		k=$((k + 1))
		kill -0 "$(cat "$E2E_OUT/login-$i.pid")" 2>/dev/null && [ $k -lt 600 ] ||
			die "the login of $l did not start" "$E2E_DIR/login-$i.log"
		sleep 0.05
	done
done
touch "$E2E_OUT/go"
i=0
for l in $LABELS; do
	i=$((i + 1))
	e2e_wait "login-$i" 60 2>"$E2E_DIR.log" || die "the login of $l did not finish" "$E2E_DIR.log"
done
ok "all logged in and looked around in $(ms_since "$T1") ms"

val() { sed -n "s/^$2=//p" "$E2E_OUT/login-$1" | head -n 1; }
TYPES="mnt uts ipc net pid"
SANDBOX_PID=$$
# Pids of the held shells, and the ns ids of every login.
i=0
for l in $LABELS; do
	i=$((i + 1))
	eval "PID_$i=\$(e2e_pid login-$i)"
done
ns_of_login() { eval "e2e_nsid \"\$PID_$1\" $2"; }

# ---- table 1: who sits where ---------------------------------------------
printf '\n  %sWhere each login sits%s: the inode of each namespace of its live shell\n' "$CB" "$CN"
printf '  (/proc/PID/ns/*); the same number means the same namespace\n\n'
printf '  %-8s %-22s %-13s %-15s' login set hostname "eth0 (veth)"
for t in $TYPES; do printf ' %-10s' "$t"; done
printf '\n'
printf '  %-8s %-22s %-13s %-15s' "sshd" "(none: the host's)" "$(hostname)" "(bridge .0.1)"
for t in $TYPES; do printf ' %-10s' "$(e2e_nsid $SANDBOX_PID $t)"; done
printf '\n'
i=0
for l in $LABELS; do
	i=$((i + 1))
	s=$(val $i set)
	case $s in session/*) s="session/$(echo "${s#session/}" | cut -c1-8)..." ;; esac
	a=$(val $i addr)
	[ "$a" = - ] && a="(lo only)"
	printf '  %-8s %-22s %-13s %-15s' "$l" "$s" "$(val $i hostname)" "${a%/*}"
	for t in $TYPES; do printf ' %-10s' "$(ns_of_login $i $t)"; done
	printf '\n'
done

# ---- table 2: who sees whom ----------------------------------------------
yes_no() { # "p t c" -> cell
	set -- $1
	c=
	for x in "$@"; do
		if [ "$x" = yes ]; then c="$c${CG}yes$CN "; else c="$c${CD}no$CN  "; fi
	done
	printf '%s' "$c"
}
printf '\n  %sWhat each login (row) sees of the others (column)%s: their processes (ps), their\n' "$CB" "$CN"
printf '  file in /tmp (tmp), a listener on their 127.0.0.1 (net)\n\n'
printf '  %-8s' ""
for l in $LABELS; do printf ' %-13s' "$l"; done
printf '\n  %-8s' ""
for l in $LABELS; do printf ' %s%-13s%s' "$CD" "ps  tmp net" "$CN"; done
printf '\n'
i=0
for l in $LABELS; do
	i=$((i + 1))
	printf '  %-8s' "$l"
	j=0
	for m in $LABELS; do
		j=$((j + 1))
		if [ $i = $j ]; then
			printf ' %s%-13s%s' "$CD" "(itself)" "$CN"
		else
			printf ' %s ' "$(yes_no "$(val $i sees_$j)")"
		fi
	done
	printf '\n'
done

# ---- what that shows -------------------------------------------------------
same_set() { [ "$(val $1 set)" = "$(val $2 set)" ] && [ "$(ns_of_login $1 mnt)" = "$(ns_of_login $2 mnt)" ]; }
sees_all() { [ "$(val $1 sees_$2)" = "yes yes yes" ]; }
sees_none() { [ "$(val $1 sees_$2)" = "no no no" ]; }
say() { if "$@"; then printf '    %s*%s ' "$CG" "$CN"; else printf '    %s!%s ' "$CR" "$CN"; BAD=1; fi; }
BAD=0
printf '\n  %sIn short%s\n' "$CB" "$CN"
say eval '! same_set 1 2 && sees_none 1 2 && sees_none 2 1'
echo "alice and bob each have a set of their own (scope user): they see nothing of each other."
say eval 'same_set 3 4 && sees_all 3 4 && sees_all 4 3'
echo "carol and dave share the set of @students (scope group): processes, /tmp and loopback."
say eval '! same_set 5 6 && sees_none 5 6 && sees_none 6 5'
echo "erin's two logins get a set each (scope session), with their own /tmp and loopback."
say eval 'sees_none 1 3 && sees_none 3 1 && sees_none 3 5 && sees_none 5 1'
echo "across sets nothing is visible, and sshd itself stays in the host's namespaces."
# Login A reached the address of login B's set: the answer comes from a
# login of that set (carol and dave share one address; whichever of them
# bound port 7000 first answers).
reaches() {
	_a=$(val $2 addr) _r=$(val $1 "reach_$(val $2 addr | sed 's|/.*||')") _k=1
	while [ $_k -le $NLOG ]; do
		[ "$(val $_k addr)" = "$_a" ] && [ "$_r" = "hello-$_k" ] && return 0
		_k=$((_k + 1))
	done
	return 1
}
say eval 'reaches 1 3 && reaches 3 2 && [ "$(val 5 addr)" = - ] && [ "$(val 5 reach_$(val 1 addr | sed "s|/.*||"))" = no ]'
echo "net=veth sets reach each other over the bridge ($(val 1 addr | sed 's|/.*||') to $(val 3 addr | sed 's|/.*||'));"
printf '      erin'"'"'s session sets have only loopback and reach nobody.\n'

# ---- logout ----------------------------------------------------------------
# Sets in the store (directories; their lock files sit beside them).
count_sets() {
	c=0
	for s in "$STORE"/user/* "$STORE"/group/* "$STORE"/session/*; do
		[ -d "$s" ] && c=$((c + 1))
	done
	echo $c
}
SETS=$(count_sets)
# fd 3: every pid namespace of the sandbox, for demo.sh's final check.
# (true, not the special builtin :, whose redirection error would end
# the shell.)
if { true >&3; } 2>/dev/null; then
	{
		e2e_nsid $$ pid
		i=0
		for l in $LABELS; do i=$((i + 1)); ns_of_login $i pid; done
	} | sort -u >&3
fi
printf '\n'
step "[5/6]" "logout ..............."
T2=$(date +%s%3N)
i=0
for l in $LABELS; do
	i=$((i + 1))
	mk=$(cat "$E2E_DIR/login-$i.mark") && pkill -TERM -xf "sleep $mk"
done
e2e_end_all
k=0
while [ "$(count_sets)" != 0 ]; do
	k=$((k + 1))
	[ $k -lt 300 ] || die "sets still there 15 s after the logout: $(ls "$STORE"/*/)"
	sleep 0.05
done
ok "all $SETS sets removed with their last session, $(ms_since "$T2") ms"
e2e_sshd_stop_all
[ "$BAD" = 0 ] || exit 1
exit 0
