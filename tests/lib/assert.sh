# Shared helpers for the integration tests (tests/pam/t_*.sh).  POSIX sh.
#
# A test script runs inside the sandbox (tests/lib/sandbox.sh) and starts with
#
#   . "$(dirname "$0")/../lib/assert.sh"
#
# then groups its checks into cases and ends with `summary`:
#
#   case_begin "alice gets uid 2001"
#   run login alice id -u
#   assert_eq 0 "$RC" "exit status" && assert_eq 2001 "$STDOUT"
#   ...
#   summary
#
# Each case prints one line on stdout: `PASS name`, `FAIL name (reason)` or
# `SKIP name (reason)`; details of failures go to stderr.  `summary` prints
# `# SCRIPT: N passed, M failed` and exits 1 when M > 0 or N == 0.  If the
# script exits without calling summary (error, `exit`), the EXIT trap still
# ends the open case, counts the early exit as a failure and prints the
# summary.  Background sessions are ended on exit.
#
# Held sessions (login_bg) are background jobs of the script's shell: a bare
# `wait` waits for them too, i.e. forever.  Wait for the pids you mean.
#
# run-all.sh cuts the details of a failed case out of the log by the
# `--- case: NAME` line that case_begin writes to stderr.
#
# Assertions return 0/1 and never exit, so a case can go on or stop
# (`assert_eq ... || return`); the first failure gives the case its reason.
#
# Reference (all functions):
#   case_begin NAME            start a case (ends the previous one)
#   case_end                   end the current case (case_begin/summary do it)
#   case_skip REASON           end the current case as SKIP (not counted)
#   fail REASON                mark the current case failed; returns 1
#   try CMD...                 run CMD (an assertion or helper) without letting
#                              its failures count; returns CMD's status
#   assert_eq EXPECTED ACTUAL [WHAT]
#   assert_ne UNEXPECTED ACTUAL [WHAT]
#   assert_contains HAYSTACK NEEDLE [WHAT]      (fixed string)
#   assert_not_contains HAYSTACK NEEDLE [WHAT]
#   assert_match HAYSTACK ERE [WHAT]            (grep -E on any line)
#   assert_file_contains FILE NEEDLE [WHAT]     (fixed string)
#   assert_ok CMD...           CMD must exit 0 (output captured as by run)
#   assert_status N CMD...     CMD must exit N
#   run CMD...                 run CMD with stdin </dev/null, set RC, STDOUT,
#                              STDERR (trailing newlines stripped); returns 0
#   summary                    print the summary line and exit
#
#   login [NSSET-LOGIN-OPTS] USER [CMD...]
#                              nsset-login with -s $NSSET_SERVICE (a later -s
#                              wins); use as `run login alice id -u`
#   login_bg [-s SVC] [-c DIR] [-n] [-q] USER OUTFILE [SNIPPET]
#                              start a held session in the background: the
#                              session runs the shell SNIPPET (default `:`)
#                              with its stdout+stderr going to OUTFILE (written
#                              atomically when SNIPPET is done), then sleeps
#                              until ended.  OUTFILE without a `/` lives in
#                              $OUT.  Sets LOGIN_PID (the nsset-login process)
#                              and writes it to OUTFILE.pid.  Do not call it
#                              in $(...) or a pipeline: it must run in the
#                              script's own shell so `wait` works.
#   wait_file FILE [TIMEOUT=20]
#                              wait until FILE exists (FILE without `/` is in
#                              $OUT); gives up early when FILE.pid names a
#                              login that has already exited
#   session_pid [LOGIN_PID]    print the pid (as seen from the sandbox) of the
#                              session process that nsset-login forked: the
#                              user's process, inside the set
#   ns_of PID TYPE             print readlink /proc/PID/ns/TYPE, e.g. mnt:[4026532301]
#   ns_id PID TYPE             just the inode number
#   have_ns TYPE               true when this kernel has namespaces of TYPE
#                              (user-mode-linux has no time namespaces)
#   end_session LOGIN_PID [TIMEOUT=20]
#                              end a session like a logout: SIGTERM the session
#                              process, let nsset-login close the PAM session;
#                              returns 0 when it did (nsset-login exited 143),
#                              else nsset-login's exit status (12: close_session
#                              failed; 127: LOGIN_PID is not a child of this
#                              shell, e.g. when called in a subshell)
#   abort_session LOGIN_PID    SIGKILL nsset-login (no close_session, like a
#                              killed sshd [priv]); the session process lives on
#   kill_sessions              end every session started by login_bg (used on
#                              exit); SIGKILL what does not end in time
#   write_service NAME "ARGS" [TYPES="account session"]
#                              /etc/pam.d/NAME: for each TYPE,
#                                TYPE required pam_permit.so
#                                TYPE required $NSSET_MODULE ARGS
#                              (pam_permit stands for the rest of a real stack:
#                              alone, a module answering PAM_IGNORE makes
#                              libpam fail the stack with PAM_PERM_DENIED);
#                              holder=$NSSET_HOLDER is added unless ARGS has
#                              holder=.  Use write_service_raw for other stacks.
#   write_service_raw NAME TEXT
#   write_policy TEXT          /etc/security/nsset.conf, root 0644
#   write_stock_service NAME ACCOUNT-MODULE SESSION-MODULE
#                              a service made of stock modules (pam_permit.so ...)
#   log_mark                   later log_* calls only look at lines after this
#   log_wait NEEDLE [TIMEOUT=5]         (whole seconds)
#                              wait until NEEDLE (fixed string) is in the syslog
#                              capture (after the mark); returns 1 on timeout
#   assert_log_contains NEEDLE [TIMEOUT=5]
#   assert_log_not_contains NEEDLE [SETTLE=0.3]
#   log_since_mark             print the capture after the mark
#   etc_edit FILE SED-SCRIPT   edit a bind-mounted /etc file in place
#                              (sed -i would replace it by rename: EBUSY)
#   group_add_member GROUP USER / group_del_member GROUP USER
#                              edit the member list in /etc/group
#   set_dir SCOPE ID           $NSSET_STORE/SCOPE/ID (user/<uid>, group/<gid>, session/<id>)
#   uid_of USER / gid_of GROUP
#   nsfs_mount_count NSID      how many nsfs mounts of NSID (e.g. net:[123] or
#                              123) exist, over the mount namespaces of all
#                              processes in the sandbox (each counted once)
#   cpus                       the CPUs this shell may run on, one per line
#   on_cpu N CMD...            run CMD pinned to CPU N
#   require_file PATH...       fail the case "requirements" and exit when missing
#
# Variables: NSSET_BUILD NSSET_LOGIN NSSET_MODULE NSSET_HOLDER NSSET_SERVICE
# (default nsset-test) NSSET_STORE (/run/nsset) OUT ($NSSET_TEST_DIR/out)
# NSSET_TEST_DIR NSSET_TEST_LOG, and after run: RC STDOUT STDERR.
#
# NSSET_TEST_SLOW=N (a whole number, default 1) multiplies the timeouts of
# the waiting helpers (wait_file, end_session, log_wait and the e2e ones),
# for slow kernels: user-mode-linux (tests/debian12/README.md) forks and
# execs several times slower than the host.  What is asserted stays.
# `slow N` prints N seconds scaled so, for a script's own waits.

# ---- refuse to run outside the sandbox -----------------------------------

if [ "${NSSET_SANDBOX:-}" != 1 ] || [ "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)" != nsset-test ] ||
	! awk '$5 == "/etc/pam.d" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
	echo "assert.sh: not inside the test sandbox; run: sh tests/lib/sandbox.sh sh $0" >&2
	exit 2
fi

NSSET_BUILD=${NSSET_BUILD:?}
NSSET_LOGIN=${NSSET_LOGIN:-$NSSET_BUILD/tests/nsset-login}
NSSET_MODULE=${NSSET_MODULE:-$NSSET_BUILD/pam_nsset.so}
NSSET_HOLDER=${NSSET_HOLDER:-$NSSET_BUILD/nsset-holder}
NSSET_SERVICE=${NSSET_SERVICE:-nsset-test}
NSSET_STORE=${NSSET_STORE:-/run/nsset}
NSSET_TEST_SLOW=${NSSET_TEST_SLOW:-1}
case $NSSET_TEST_SLOW in '' | *[!0-9]* | 0) echo "assert.sh: NSSET_TEST_SLOW must be a whole number >= 1" >&2; exit 2 ;; esac
slow() { echo $(($1 * NSSET_TEST_SLOW)); }
OUT=$NSSET_TEST_DIR/out

_t_script=$(basename "$0")
_t_pass=0
_t_fail=0
_t_case=
_t_reason=
_t_failed=0
_t_done=0
_t_sessions=$NSSET_TEST_DIR/.sessions.$$
_t_log_mark=0
: >"$_t_sessions"

# ---- cases and assertions ------------------------------------------------

_t_oneline() {
	printf '%s' "$*" | tr '\n\t' '  ' | cut -c1-200
}

case_begin() {
	case_end
	_t_case=$*
	_t_failed=0
	_t_reason=
	echo "--- case: $_t_case" >&2
}

case_end() {
	[ -n "$_t_case" ] || return 0
	if [ "$_t_failed" = 1 ]; then
		echo "FAIL $_t_case ($_t_reason)"
		_t_fail=$((_t_fail + 1))
	else
		echo "PASS $_t_case"
		_t_pass=$((_t_pass + 1))
	fi
	_t_case=
}

case_skip() {
	[ -n "$_t_case" ] || return 0
	echo "SKIP $_t_case ($(_t_oneline "$*"))"
	_t_case=
}

fail() {
	[ -n "$_t_case" ] || case_begin setup
	echo "  FAILED: $*" >&2
	if [ "$_t_failed" = 0 ]; then
		_t_failed=1
		_t_reason=$(_t_oneline "$*")
	fi
	return 1
}

try() {
	_t_sf=$_t_failed _t_sr=$_t_reason
	"$@"
	_t_st=$?
	_t_failed=$_t_sf _t_reason=$_t_sr
	return $_t_st
}

assert_eq() {
	[ "$1" = "$2" ] && return 0
	fail "${3:+$3: }expected '$(_t_oneline "$1")', got '$(_t_oneline "$2")'"
}

assert_ne() {
	[ "$1" != "$2" ] && return 0
	fail "${3:+$3: }expected something other than '$(_t_oneline "$1")'"
}

assert_contains() {
	case $1 in *"$2"*) return 0 ;; esac
	fail "${3:+$3: }'$(_t_oneline "$2")' not found in '$(_t_oneline "$1")'"
}

assert_not_contains() {
	case $1 in *"$2"*) fail "${3:+$3: }'$(_t_oneline "$2")' found in '$(_t_oneline "$1")'" ;; esac
	return $?
}

assert_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" && return 0
	fail "${3:+$3: }/$2/ does not match '$(_t_oneline "$1")'"
}

assert_file_contains() {
	[ -e "$1" ] || { fail "${3:+$3: }$1 does not exist"; return; }
	grep -Fq -- "$2" "$1" && return 0
	fail "${3:+$3: }'$(_t_oneline "$2")' not in $1"
}

run() {
	"$@" </dev/null >"$NSSET_TEST_DIR/.run.out" 2>"$NSSET_TEST_DIR/.run.err"
	RC=$?
	STDOUT=$(cat "$NSSET_TEST_DIR/.run.out")
	STDERR=$(cat "$NSSET_TEST_DIR/.run.err")
	{
		echo "  \$ $*   -> $RC"
		[ -z "$STDOUT" ] || printf '%s\n' "$STDOUT" | sed 's/^/  out| /'
		[ -z "$STDERR" ] || printf '%s\n' "$STDERR" | sed 's/^/  err| /'
	} >&2
	return 0
}

assert_ok() {
	run "$@"
	[ "$RC" = 0 ] && return 0
	fail "'$*' exited $RC: $(_t_oneline "$STDERR")"
}

assert_status() {
	_t_want=$1
	shift
	run "$@"
	[ "$RC" = "$_t_want" ] && return 0
	fail "'$*' exited $RC, expected $_t_want: $(_t_oneline "$STDERR")"
}

require_file() {
	for _t_f; do
		if [ ! -e "$_t_f" ]; then
			case_begin requirements
			fail "missing $_t_f (build it first: make all)"
			summary
		fi
	done
}

# Sanitizer reports land in $NSSET_TEST_DIR/sanitizer (see sandbox.sh).
_t_check_sanitizers() {
	_t_reports=$(ls "$NSSET_TEST_DIR/sanitizer" 2>/dev/null)
	[ -n "$_t_reports" ] || return 0
	case_begin "no sanitizer reports"
	for _t_r in $_t_reports; do
		echo "==== $_t_r" >&2
		cat "$NSSET_TEST_DIR/sanitizer/$_t_r" >&2
	done
	fail "$(grep -h -m1 -E 'ERROR|runtime error' "$NSSET_TEST_DIR"/sanitizer/* | head -n1)"
	rm -f "$NSSET_TEST_DIR"/sanitizer/*
}

# On failure, leave the end of the syslog capture in the log.
_t_dump_syslog() {
	[ "$_t_fail" -gt 0 ] || return 0
	echo "==== syslog capture, last 60 lines ($NSSET_TEST_LOG)" >&2
	tail -n 60 "$NSSET_TEST_LOG" | sed 's/^/  log| /' >&2
}

summary() {
	_t_done=1
	case_end
	kill_sessions
	_t_check_sanitizers
	case_end
	_t_dump_syslog
	echo "# $_t_script: $_t_pass passed, $_t_fail failed"
	if [ "$_t_fail" -gt 0 ] || [ "$_t_pass" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

_t_on_exit() {
	_t_rc=$?
	[ "$_t_done" = 1 ] && return
	_t_done=1
	if [ "$_t_rc" != 0 ]; then
		[ -n "$_t_case" ] || case_begin "script end"
		fail "script exited early with status $_t_rc"
	fi
	case_end
	kill_sessions
	_t_check_sanitizers
	case_end
	_t_dump_syslog
	echo "# $_t_script: $_t_pass passed, $_t_fail failed (exited without summary)"
	exit 1
}
trap _t_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- logins --------------------------------------------------------------

login() {
	"$NSSET_LOGIN" -s "$NSSET_SERVICE" "$@"
}

_t_out_path() {
	case $1 in */*) echo "$1" ;; *) echo "$OUT/$1" ;; esac
}

login_bg() {
	_t_opts=
	while :; do
		case ${1:-} in
		-s | -c) _t_opts="$_t_opts $1 $2"; shift 2 ;;
		-n | -q) _t_opts="$_t_opts $1"; shift ;;
		*) break ;;
		esac
	done
	_t_user=$1
	_t_file=$(_t_out_path "$2")
	_t_snippet=${3:-:}
	rm -f "$_t_file" "$_t_file.tmp" "$_t_file.pid"
	# shellcheck disable=SC2086  # _t_opts is a list of words
	"$NSSET_LOGIN" -s "$NSSET_SERVICE" $_t_opts "$_t_user" /bin/sh -c '
		out=$1
		(eval "$2") >"$out.tmp" 2>&1
		mv -f "$out.tmp" "$out"
		exec sleep 1000000' nsset-session "$_t_file" "$_t_snippet" \
		</dev/null >>"$NSSET_TEST_DIR/login_bg.log" 2>&1 &
	LOGIN_PID=$!
	echo "$LOGIN_PID" >"$_t_file.pid"
	echo "$LOGIN_PID" >>"$_t_sessions"
	echo "  login_bg $_t_user -> $_t_file (nsset-login pid $LOGIN_PID)" >&2
}

wait_file() {
	_t_file=$(_t_out_path "$1")
	_t_deadline=$(($(date +%s) + $(slow "${2:-20}")))
	while [ ! -e "$_t_file" ]; do
		if [ -s "$_t_file.pid" ]; then
			_t_pid=$(cat "$_t_file.pid")
			if ! kill -0 "$_t_pid" 2>/dev/null; then
				wait "$_t_pid" 2>/dev/null
				_t_rc=$?
				sleep 0.1
				[ -e "$_t_file" ] && return 0
				fail "wait_file $1: login $_t_pid exited ($_t_rc) before writing it: $(_t_oneline "$(tail -n 3 "$NSSET_TEST_DIR/login_bg.log")")"
				return
			fi
		fi
		if [ "$(date +%s)" -ge "$_t_deadline" ]; then
			fail "wait_file $1: timed out after $(slow "${2:-20}")s"
			return
		fi
		sleep 0.05
	done
	return 0
}

# Children of a process, from /proc (no procps needed).
_t_children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null
}

session_pid() {
	_t_lp=${1:-$LOGIN_PID}
	_t_n=0
	while :; do
		for _t_c in $(_t_children "$_t_lp"); do
			echo "$_t_c"
			return 0
		done
		_t_n=$((_t_n + 1))
		[ $_t_n -lt 200 ] || { echo "session_pid: no session under $_t_lp" >&2; return 1; }
		sleep 0.05
	done
}

ns_of() {
	readlink "/proc/$1/ns/$2"
}

ns_id() {
	readlink "/proc/$1/ns/$2" | sed 's/.*\[\([0-9]*\)\]/\1/'
}

have_ns() {
	[ -e "/proc/self/ns/$1" ]
}

end_session() {
	_t_lp=$1
	_t_limit=$(($(slow "${2:-20}") * 10))
	for _t_c in $(_t_children "$_t_lp"); do
		kill -TERM "$_t_c" 2>/dev/null
	done
	_t_n=0
	while kill -0 "$_t_lp" 2>/dev/null; do
		# A zombie child of ours counts as gone.
		case $(cut -d' ' -f3 "/proc/$_t_lp/stat" 2>/dev/null) in Z | '') break ;; esac
		_t_n=$((_t_n + 1))
		if [ $_t_n -ge $_t_limit ]; then
			echo "end_session: $_t_lp still there, SIGKILL" >&2
			kill -KILL "$_t_lp" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$_t_lp" 2>/dev/null
	_t_st=$?
	# 143: the session died of our SIGTERM and close_session succeeded.
	[ "$_t_st" = 143 ] && return 0
	return "$_t_st"
}

abort_session() {
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

kill_sessions() {
	[ -s "$_t_sessions" ] || return 0
	for _t_lp in $(cat "$_t_sessions"); do
		if kill -0 "$_t_lp" 2>/dev/null; then
			end_session "$_t_lp" 5 >/dev/null 2>&1
		fi
	done
	: >"$_t_sessions"
	return 0
}

# ---- configuration -------------------------------------------------------

write_service() {
	_t_svc=$1
	_t_args=${2:-}
	_t_types=${3:-account session}
	case " $_t_args " in *" holder="*) ;; *) _t_args="$_t_args holder=$NSSET_HOLDER" ;; esac
	{
		echo "# written by tests/lib/assert.sh write_service"
		for _t_ty in $_t_types; do
			# pam_permit stands for the rest of a real stack (common-*):
			# alone, a module answering PAM_IGNORE would make libpam
			# fail the whole stack with PAM_PERM_DENIED.
			echo "$_t_ty required pam_permit.so"
			echo "$_t_ty required $NSSET_MODULE $_t_args"
		done
	} >"/etc/pam.d/$_t_svc"
	chmod 0644 "/etc/pam.d/$_t_svc"
}

write_service_raw() {
	printf '%s\n' "$2" >"/etc/pam.d/$1"
	chmod 0644 "/etc/pam.d/$1"
}

write_stock_service() {
	write_service_raw "$1" "account required $2
session required $3"
}

write_policy() {
	printf '%s\n' "$1" >/etc/security/nsset.conf
	chown 0:0 /etc/security/nsset.conf
	chmod 0644 /etc/security/nsset.conf
}

# ---- the syslog capture --------------------------------------------------

log_mark() {
	_t_log_mark=$(wc -c <"$NSSET_TEST_LOG")
}

log_since_mark() {
	tail -c +$((_t_log_mark + 1)) "$NSSET_TEST_LOG"
}

log_wait() {
	_t_limit=$(($(slow "${2:-5}") * 20))
	_t_n=0
	until log_since_mark | grep -Fq -- "$1"; do
		_t_n=$((_t_n + 1))
		[ $_t_n -lt $_t_limit ] || return 1
		sleep 0.05
	done
	return 0
}

assert_log_contains() {
	log_wait "$1" "${2:-5}" && return 0
	echo "  syslog since mark:" >&2
	log_since_mark | sed 's/^/  log| /' >&2
	fail "'$(_t_oneline "$1")' not in the syslog capture"
}

assert_log_not_contains() {
	sleep "${2:-0.3}"
	log_since_mark | grep -Fq -- "$1" || return 0
	fail "'$(_t_oneline "$1")' in the syslog capture: $(_t_oneline "$(log_since_mark | grep -F -m1 -- "$1")")"
}

# ---- accounts ------------------------------------------------------------

etc_edit() {
	sed "$2" "$1" >"$NSSET_TEST_DIR/.etc_edit" || return 1
	cat "$NSSET_TEST_DIR/.etc_edit" >"$1"
	rm -f "$NSSET_TEST_DIR/.etc_edit"
}

# Rewrite FILE from stdin in place (keeps the bind mount and the inode).
_t_rewrite() {
	cat >"$NSSET_TEST_DIR/.rewrite" || return 1
	cat "$NSSET_TEST_DIR/.rewrite" >"$1"
	rm -f "$NSSET_TEST_DIR/.rewrite"
}

group_add_member() {
	awk -F: -v OFS=: -v g="$1" -v u="$2" '
		$1 == g { $4 = ($4 == "" ? u : $4 "," u) } { print }' /etc/group | _t_rewrite /etc/group
}

group_del_member() {
	awk -F: -v OFS=: -v g="$1" -v u="$2" '
		$1 == g {
			n = split($4, m, ","); s = ""
			for (i = 1; i <= n; i++) if (m[i] != u) s = s (s == "" ? "" : ",") m[i]
			$4 = s
		}
		{ print }' /etc/group | _t_rewrite /etc/group
}

uid_of() {
	id -u "$1"
}

gid_of() {
	getent group "$1" | cut -d: -f3
}

set_dir() {
	echo "$NSSET_STORE/$1/$2"
}

# Count nsfs mounts of a namespace in every mount namespace that a process
# in the sandbox sits in (each mount namespace counted once).
nsfs_mount_count() {
	case $1 in *'['*) _t_id=$1 ;; *) _t_id="[$1]" ;; esac
	_t_seen=" "
	_t_count=0
	for _t_p in /proc/[0-9]*; do
		_t_m=$(readlink "$_t_p/ns/mnt" 2>/dev/null) || continue
		case $_t_seen in *" $_t_m "*) continue ;; esac
		_t_seen="$_t_seen$_t_m "
		_t_k=$(awk -v id="$_t_id" '
			{ for (i = 7; i <= NF; i++) if ($i == "-") break }
			$(i + 1) == "nsfs" && index($4, id) { n++ }
			END { print n + 0 }' "$_t_p/mountinfo" 2>/dev/null) || continue
		_t_count=$((_t_count + ${_t_k:-0}))
	done
	echo "$_t_count"
}

# ---- CPUs ----------------------------------------------------------------

cpus() {
	taskset -pc $$ | sed 's/.*: *//' | tr ',' '\n' | while IFS=- read -r _t_a _t_b; do
		seq "$_t_a" "${_t_b:-$_t_a}"
	done
}

on_cpu() {
	_t_cpu=$1
	shift
	taskset -c "$_t_cpu" "$@"
}
