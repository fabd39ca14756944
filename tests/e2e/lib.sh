# A real OpenSSH server in the test sandbox.  POSIX sh, sourced by
# tests/e2e/t_*.sh and demo/inner.sh; runs only inside tests/lib/sandbox.sh
# (it writes /etc/pam.d, /etc/passwd and the test users' homes, which are
# scratch copies there).  It does not need tests/lib/assert.sh.
#
#   . tests/e2e/lib.sh
#   e2e_init                              keys, authorized_keys of every test user
#   e2e_pam_service sshd-test "$NSSET_BUILD/pam_nsset.so" "$NSSET_BUILD/nsset-holder"
#   e2e_sshd_start sshd-test 2201 /usr/lib/openssh/sftp-server
#   E2E_PORT=2201
#   e2e_ssh alice@sshd 'id -u'            (any destination host name: it is 127.0.0.1)
#   e2e_hold alice a1 'hostname'          a held session, see below
#   e2e_wait a1 && cat "$E2E_OUT/a1"
#   e2e_end a1
#
# sshd names its PAM service after its program name (OpenSSH 9.2 has no
# PAMServiceName), so each daemon runs through a symlink $E2E_DIR/bin/SERVICE
# -> sshd and reads /etc/pam.d/SERVICE.
#
# Reference:
#   e2e_init                   make $E2E_DIR, a host key and a client key, and
#                              authorize the client key for every test user
#   e2e_add_user NAME UID [SHELL] [GROUP...]
#                              a further test user (password "nsset-test",
#                              home that passes StrictModes, key authorized)
#   e2e_authorize NAME         ~/.ssh/authorized_keys with the client key
#   e2e_pam_service NAME MODULE HOLDER [TYPES="account session"]
#                              /etc/pam.d/NAME: pam_unix for account and
#                              session, each followed by MODULE holder=HOLDER
#                              if listed in TYPES
#   e2e_sshd_start SERVICE PORT SFTP [CONFIG-LINE...]
#                              start `sshd -D` (a background job) on
#                              127.0.0.1:PORT with Subsystem sftp SFTP; waits
#                              until it listens.  Log: $E2E_DIR/sshd-PORT.log
#   e2e_sshd_stop_all          stop every sshd started here
#   e2e_ssh [-p PORT] ARGS...  ssh with the test options, to port PORT
#                              (default $E2E_PORT)
#   e2e_scp [-P PORT] ARGS... / e2e_sftp [-P PORT] ARGS...
#                              the same for scp and sftp
#   e2e_hold [-t] [-p PORT] USER NAME [SNIPPET]
#                              a held session in the background: the remote
#                              side runs SNIPPET (sh), its output going to
#                              $E2E_OUT/NAME (written when SNIPPET is done),
#                              then `exec sleep MARK`, a number unique to the
#                              session, until ended.  -t: an interactive login
#                              shell on a pty (ssh -tt, no command; the shell
#                              reads `exec sh $E2E_OUT/NAME.sh` from its
#                              terminal); without -t a command (notty).
#                              Sets E2E_HOLD_PID (the ssh client, a job of
#                              this shell, also in $E2E_OUT/NAME.pid).  Do not
#                              call it in $(...) or a pipeline.
#   e2e_wait NAME [TIMEOUT=30] wait for $E2E_OUT/NAME; 1 (and a message on
#                              stderr) on timeout or when the client exited
#   e2e_pid NAME               pid (in the sandbox) of the session's process:
#                              the held `sleep`, in the set
#   e2e_priv NAME              pid of the session's `sshd: USER [priv]`
#   e2e_end NAME [TIMEOUT=20]  log out: SIGTERM the held process, wait for the
#                              client; returns the client's exit status
#   e2e_kill_client NAME       SIGKILL the ssh client, reap it
#   e2e_end_all                end every held session still running
#   e2e_nsid PID TYPE          inode of /proc/PID/ns/TYPE
#
# Variables: E2E_DIR ($NSSET_TEST_DIR/e2e), E2E_OUT ($NSSET_TEST_DIR/out,
# mode 1777, visible inside every set), E2E_PORT, E2E_KEY, E2E_SSH_OPTS.
# NSSET_TEST_SLOW=N multiplies the timeouts of e2e_wait and e2e_end, ssh's
# ConnectTimeout and sshd's LoginGraceTime (see
# tests/lib/assert.sh).

E2E_DIR=${E2E_DIR:-$NSSET_TEST_DIR/e2e}
_e_slow() { echo $(($1 * ${NSSET_TEST_SLOW:-1})); }
E2E_OUT=${E2E_OUT:-$NSSET_TEST_DIR/out}
E2E_PORT=${E2E_PORT:-2201}
E2E_KEY=$E2E_DIR/client_ed25519
E2E_SSHD=${E2E_SSHD:-$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)}
# Every destination name maps to 127.0.0.1 (HostName), so `alice@sshd` works.
E2E_SSH_OPTS="-F /dev/null -i $E2E_KEY -o IdentitiesOnly=yes -o IdentityAgent=none
 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
 -o GlobalKnownHostsFile=/dev/null -o ControlMaster=no -o ControlPath=none
 -o HostName=127.0.0.1 -o ConnectTimeout=$(_e_slow 30) -o LogLevel=ERROR"
_e2e_mark=$((7000000 + ($$ % 1000) * 1000))
_e2e_holds=$E2E_DIR/holds

e2e_init() {
	[ "${NSSET_SANDBOX:-}" = 1 ] || { echo "e2e: not inside the test sandbox" >&2; return 1; }
	mkdir -p "$E2E_DIR/bin" && chmod 0755 "$E2E_DIR" "$E2E_DIR/bin" || return 1
	: >"$_e2e_holds"
	rm -f "$E2E_DIR/host_ed25519" "$E2E_KEY" "$E2E_DIR/host_ed25519.pub" "$E2E_KEY.pub"
	ssh-keygen -q -t ed25519 -N '' -C nsset-e2e-host -f "$E2E_DIR/host_ed25519" &&
		ssh-keygen -q -t ed25519 -N '' -C nsset-e2e-client -f "$E2E_KEY" || return 1
	for _e_u in $(awk -F: '$5 == "nsset test user" { print $1 }' /etc/passwd); do
		e2e_authorize "$_e_u" || return 1
	done
}

e2e_authorize() {
	_e_home=$(getent passwd "$1" | cut -d: -f6)
	[ -n "$_e_home" ] || return 1
	mkdir -p "$_e_home/.ssh" &&
		cp "$E2E_KEY.pub" "$_e_home/.ssh/authorized_keys" &&
		chown -R "$1:" "$_e_home" &&
		chmod 0755 "$_e_home" && chmod 0700 "$_e_home/.ssh" &&
		chmod 0600 "$_e_home/.ssh/authorized_keys"
}

# Rewrite a bind-mounted /etc file from stdin, in place (keeps the inode).
_e2e_rewrite() {
	cat >"$E2E_DIR/.rewrite" && cat "$E2E_DIR/.rewrite" >"$1" && rm -f "$E2E_DIR/.rewrite"
}

e2e_add_user() {
	_e_n=$1 _e_id=$2 _e_sh=${3:-/bin/sh}
	shift 2
	[ $# -gt 0 ] && shift
	_e_home=${NSSET_TEST_HOME:-/home}/$_e_n
	# The sandbox's hash of "nsset-test" (see tests/lib/sandbox.sh).
	_e_hash=$(awk -F: '$1 == "alice" { print $2 }' /etc/shadow)
	echo "$_e_n:x:$_e_id:$_e_id:nsset test user:$_e_home:$_e_sh" >>/etc/passwd &&
		echo "$_e_n:$_e_hash:19000:0:99999:7:::" >>/etc/shadow &&
		echo "$_e_n:x:$_e_id:" >>/etc/group || return 1
	mkdir -p "$_e_home" || return 1
	for _e_g; do
		awk -F: -v OFS=: -v g="$_e_g" -v u="$_e_n" '
			$1 == g { $4 = ($4 == "" ? u : $4 "," u) } { print }' /etc/group |
			_e2e_rewrite /etc/group || return 1
	done
	e2e_authorize "$_e_n"
}

e2e_pam_service() {
	{
		echo "# written by tests/e2e/lib.sh: sshd with public keys only (no auth stack used)"
		echo "auth     required  pam_deny.so"
		echo "account  required  pam_unix.so"
		case " ${4:-account session} " in *" account "*) echo "account  required  $2 holder=$3" ;; esac
		echo "session  required  pam_unix.so"
		case " ${4:-account session} " in *" session "*) echo "session  required  $2 holder=$3" ;; esac
		echo "password required  pam_deny.so"
	} >"/etc/pam.d/$1"
	chmod 0644 "/etc/pam.d/$1"
}

e2e_sshd_start() {
	_e_svc=$1 _e_port=$2 _e_sftp=$3
	shift 3
	ln -sf "$E2E_SSHD" "$E2E_DIR/bin/$_e_svc" || return 1
	_e_conf=$E2E_DIR/sshd-$_e_port.conf
	{
		cat <<-EOF
		# written by tests/e2e/lib.sh
		Port $_e_port
		ListenAddress 127.0.0.1
		AddressFamily inet
		HostKey $E2E_DIR/host_ed25519
		PidFile none
		UsePAM yes
		AuthenticationMethods publickey
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin no
		StrictModes yes
		AuthorizedKeysFile .ssh/authorized_keys
		AllowTcpForwarding yes
		X11Forwarding no
		PrintMotd no
		PrintLastLog no
		UseDNS no
		MaxStartups 200
		LoginGraceTime $(_e_slow 120)
		LogLevel VERBOSE
		Subsystem sftp $_e_sftp
		EOF
		for _e_l; do echo "$_e_l"; done
	} >"$_e_conf"
	"$E2E_SSHD" -t -f "$_e_conf" || return 1
	# The absolute path of the symlink: sshd re-executes itself by it.
	"$E2E_DIR/bin/$_e_svc" -D -f "$_e_conf" -E "$E2E_DIR/sshd-$_e_port.log" </dev/null &
	echo $! >"$E2E_DIR/sshd-$_e_port.pid"
	_e_n=0
	until ss -Hltn "sport = :$_e_port" 2>/dev/null | grep -q .; do
		_e_n=$((_e_n + 1))
		if [ $_e_n -gt 200 ] || ! kill -0 "$(cat "$E2E_DIR/sshd-$_e_port.pid")" 2>/dev/null; then
			echo "e2e: sshd on port $_e_port did not start:" >&2
			tail -n 5 "$E2E_DIR/sshd-$_e_port.log" >&2
			return 1
		fi
		sleep 0.05
	done
}

e2e_sshd_stop_all() {
	for _e_f in "$E2E_DIR"/sshd-*.pid; do
		[ -e "$_e_f" ] || continue
		_e_p=$(cat "$_e_f")
		kill -TERM "$_e_p" 2>/dev/null && wait "$_e_p" 2>/dev/null
		rm -f "$_e_f"
	done
	return 0
}

# A leading -p PORT (-P for scp and sftp) replaces $E2E_PORT: ssh itself
# keeps the first -p it is given.
e2e_ssh() {
	_e_port=$E2E_PORT
	[ "${1:-}" = -p ] && { _e_port=$2; shift 2; }
	# shellcheck disable=SC2086  # E2E_SSH_OPTS is a list of words
	ssh $E2E_SSH_OPTS -p "$_e_port" "$@"
}

e2e_scp() {
	_e_port=$E2E_PORT
	[ "${1:-}" = -P ] && { _e_port=$2; shift 2; }
	# shellcheck disable=SC2086
	scp -q $E2E_SSH_OPTS -P "$_e_port" "$@"
}

e2e_sftp() {
	_e_port=$E2E_PORT
	[ "${1:-}" = -P ] && { _e_port=$2; shift 2; }
	# shellcheck disable=SC2086
	sftp -q $E2E_SSH_OPTS -P "$_e_port" "$@"
}

e2e_hold() {
	_e_tty=0 _e_port=$E2E_PORT
	while :; do
		case ${1:-} in
		-t) _e_tty=1; shift ;;
		-p) _e_port=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_e_user=$1 _e_name=$2 _e_snip=${3:-:}
	_e2e_mark=$((_e2e_mark + 1))
	rm -f "$E2E_OUT/$_e_name" "$E2E_OUT/$_e_name.tmp" "$E2E_OUT/$_e_name.pid"
	# The script is read by the user's shell inside the set: world-readable.
	{
		echo "out=$E2E_OUT/$_e_name"
		echo "( $_e_snip"
		echo ') >"$out.tmp" 2>&1 </dev/null'
		echo 'mv -f "$out.tmp" "$out"'
		echo "exec sleep $_e2e_mark"
	} >"$E2E_OUT/$_e_name.sh"
	chmod 0644 "$E2E_OUT/$_e_name.sh"
	echo "$_e2e_mark" >"$E2E_DIR/$_e_name.mark"
	if [ "$_e_tty" = 1 ]; then
		# ssh reads this, sends it to the pty and then EOF, which sshd
		# does not pass to a pty: the shell lives on.
		echo "exec sh $E2E_OUT/$_e_name.sh" >"$E2E_DIR/$_e_name.in"
		# shellcheck disable=SC2086
		ssh $E2E_SSH_OPTS -tt -p "$_e_port" "$_e_user@sshd" \
			<"$E2E_DIR/$_e_name.in" >"$E2E_DIR/$_e_name.log" 2>&1 &
	else
		# shellcheck disable=SC2086
		ssh $E2E_SSH_OPTS -p "$_e_port" "$_e_user@sshd" "sh $E2E_OUT/$_e_name.sh" \
			</dev/null >"$E2E_DIR/$_e_name.log" 2>&1 &
	fi
	E2E_HOLD_PID=$!
	echo "$E2E_HOLD_PID" >"$E2E_OUT/$_e_name.pid"
	echo "$_e_name $E2E_HOLD_PID" >>"$_e2e_holds"
}

e2e_wait() {
	_e_f=$E2E_OUT/$1
	_e_deadline=$(($(date +%s) + $(_e_slow "${2:-30}")))
	while [ ! -e "$_e_f" ]; do
		_e_p=$(cat "$_e_f.pid" 2>/dev/null)
		if [ -n "$_e_p" ] && ! kill -0 "$_e_p" 2>/dev/null; then
			sleep 0.1
			[ -e "$_e_f" ] && return 0
			echo "e2e_wait $1: the ssh client exited first: $(tail -n 3 "$E2E_DIR/$1.log" | tr '\r\n' '  ')" >&2
			return 1
		fi
		if [ "$(date +%s)" -ge "$_e_deadline" ]; then
			echo "e2e_wait $1: timed out after $(_e_slow "${2:-30}")s: $(tail -n 3 "$E2E_DIR/$1.log" | tr '\r\n' '  ')" >&2
			return 1
		fi
		sleep 0.05
	done
}

e2e_pid() {
	_e_mk=$(cat "$E2E_DIR/$1.mark" 2>/dev/null) || return 1
	_e_n=0
	while :; do
		_e_p=$(pgrep -xf "sleep $_e_mk" | head -n 1)
		[ -n "$_e_p" ] && { echo "$_e_p"; return 0; }
		_e_n=$((_e_n + 1))
		[ $_e_n -lt 100 ] || { echo "e2e_pid $1: no process 'sleep $_e_mk'" >&2; return 1; }
		sleep 0.05
	done
}

_e2e_ppid() {
	awk '$1 == "PPid:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

e2e_priv() {
	_e_p=$(e2e_pid "$1") || return 1
	while [ -n "$_e_p" ] && [ "$_e_p" -gt 1 ]; do
		case $(tr '\0' ' ' <"/proc/$_e_p/cmdline" 2>/dev/null) in
		*" [priv]"*) echo "$_e_p"; return 0 ;;
		esac
		_e_p=$(_e2e_ppid "$_e_p")
	done
	echo "e2e_priv $1: no [priv] ancestor" >&2
	return 1
}

_e2e_client() {
	cat "$E2E_OUT/$1.pid" 2>/dev/null
}

_e2e_reap() {
	_e_c=$1 _e_limit=$(($(_e_slow "${2:-20}") * 20)) _e_n=0
	while kill -0 "$_e_c" 2>/dev/null; do
		case $(cut -d' ' -f3 "/proc/$_e_c/stat" 2>/dev/null) in Z | '') break ;; esac
		_e_n=$((_e_n + 1))
		if [ $_e_n -ge $_e_limit ]; then
			echo "e2e: ssh client $_e_c still there, SIGKILL" >&2
			kill -KILL "$_e_c" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$_e_c" 2>/dev/null
}

e2e_end() {
	_e_c=$(_e2e_client "$1")
	_e_mk=$(cat "$E2E_DIR/$1.mark" 2>/dev/null)
	[ -n "$_e_mk" ] && pkill -TERM -xf "sleep $_e_mk"
	[ -n "$_e_c" ] || return 1
	_e2e_reap "$_e_c" "${2:-20}"
}

e2e_kill_client() {
	_e_c=$(_e2e_client "$1")
	[ -n "$_e_c" ] || return 1
	kill -KILL "$_e_c" 2>/dev/null
	wait "$_e_c" 2>/dev/null
	return 0
}

e2e_end_all() {
	[ -s "$_e2e_holds" ] || return 0
	while read -r _e_name _e_c; do
		kill -0 "$_e_c" 2>/dev/null || continue
		e2e_end "$_e_name" 5 >/dev/null 2>&1
	done <"$_e2e_holds"
	: >"$_e2e_holds"
	return 0
}

e2e_nsid() {
	readlink "/proc/$1/ns/$2" | sed 's/.*\[\([0-9]*\)\]/\1/'
}
