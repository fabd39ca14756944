#!/bin/sh
# Outdated sets (issue 15): a policy edit never kills a process and never
# locks anyone out. A set that no longer matches its rule is joined as it is
# while it holds any process (a session, or work left running such as a
# nohup job); the first login that finds it empty makes it anew. nssetctl
# list/show/--json call it outdated and name what the policy now wants,
# check --config NEW names the live sets NEW would make outdated, and
# migrate ends exactly what its --dry-run said it would.
#
#   make tests build/nssetctl
#   sh tests/lib/sandbox.sh sh tests/pam/t_outdated.sh

. "$(dirname "$0")/../lib/assert.sh"
CTL=${NSSET_CTL:-$NSSET_BUILD/nssetctl}
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER" "$CTL"

POLICY='# test policy for outdated sets
root        none
alice       user      mnt,uts,ipc,pid     hostname=a-old keep=always
bob         user      mnt,uts,ipc,pid     hostname=b-old keep=always
carol       user      mnt,uts,ipc,pid     hostname=c-old keep=always
*           user      mnt,ipc'
write_policy "$POLICY"
write_service nsset-test "debug"
# The policy with one rule's line replaced: edited USER LINE
edited() { printf '%s\n' "$POLICY" | sed "s/^$1 .*/$2/"; }

alive() { # PID: running (a zombie counts as gone)
	case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in '' | Z) return 1 ;; esac
	return 0
}
settle_dead() { # PID...: each gone within 10 s
	for _p in "$@"; do
		_n=0
		while alive "$_p"; do
			_n=$((_n + 1)); [ $_n -lt 200 ] || return 1
			sleep 0.05
		done
	done
}
# The host pid of the process whose command line is exactly "sleep SECONDS":
# each job of this script sleeps for a number of seconds of its own.
job_pid() {
	_n=0
	while :; do
		for _p in /proc/[0-9]*; do
			[ "$(tr '\0' ' ' <"$_p/cmdline" 2>/dev/null)" = "sleep $1 " ] && { echo "${_p#/proc/}"; return 0; }
		done
		_n=$((_n + 1)); [ $_n -lt 100 ] || return 1
		sleep 0.05
	done
}
# A job left running in the set, as nohup or tmux leave one: its own session,
# no terminal, not waited for by the login.
DETACH='setsid sleep %s </dev/null >/dev/null 2>&1 &'
holder_of() { sed -n 's/^holder_pid=//p' "$(set_dir user "$1")/meta"; }
# The pids after FATE in migrate's plan ("  ends   1234 ..."), sorted.
plan_pids() { printf '%s\n' "$1" | awk -v f="$2" '$1 == f { print $2 }' | sort -n | tr '\n' ' '; }

# ---------------------------------------------------------------------------
case_begin "an edit while alice has a session and a detached job: her next login joins"
# shellcheck disable=SC2059  # DETACH is a format
login_bg alice a1 "$(printf "$DETACH" 1000001) hostname"; A1=$LOGIN_PID
wait_file a1
assert_eq "a-old" "$(cat "$OUT/a1")" "hostname of the first session"
JOB=$(job_pid 1000001) || fail "alice's job did not start"
HA=$(holder_of 2001)
write_policy "$(edited alice 'alice user mnt,uts,ipc,pid hostname=a-new keep=always')"
log_mark
run login alice sh -c 'hostname; cat /run/nsset/self'
assert_eq 0 "$RC" "login not refused"
assert_contains "$STDOUT" "a-old" "joined the set as it is"
assert_contains "$STDOUT" "set=user/2001"
assert_log_contains "set user/2001 no longer matches its rule (hostname=a-new (was a-old)); alice joins it as it is: it still has 1 session(s)"
assert_log_contains "user alice placed in set user/2001 (outdated, joined as it is)"
alive "$JOB" || fail "the detached job died"
assert_eq "$HA" "$(holder_of 2001)" "the same holder"

case_begin "list, --json and show call the set outdated and name the new shape"
run "$CTL" list
assert_eq 0 "$RC" "exit status"
assert_match "$STDOUT" '^user/2001 +outdated +user +alice'
assert_contains "$STDOUT" "user/2001: outdated (the policy now wants hostname=a-new (was a-old)); logins join it as it is until it is empty; 'nssetctl migrate' ends it now"
assert_eq "" "$STDERR" "nothing on stderr"
if command -v python3 >/dev/null 2>&1; then
	"$CTL" list --json >"$OUT/list.json"
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = {s["name"]: s for s in d["sets"]}["user/2001"]
print(a["state"], json.dumps(a["policy_wants"]), d["policy_error"])
print(a["reason"])' "$OUT/list.json"
	assert_eq 0 "$RC" "json: $STDERR"
	assert_eq 'outdated {"hostname": "a-new"} None
the policy now wants hostname=a-new (was a-old)' "$STDOUT" "json"
fi
run "$CTL" show user/2001
assert_eq 0 "$RC" "exit status"
assert_match "$STDOUT" '^state +outdated \(the policy now wants hostname=a-new \(was a-old\)\)$'
assert_contains "$STDOUT" "logins join it as it is while it holds any process"
assert_contains "$STDOUT" "a-old (as made)"

case_begin "after logout the detached job alone keeps the set; the next login joins it"
end_session "$A1"
alive "$JOB" || fail "the job died at logout"
log_mark
run login alice hostname
assert_eq 0 "$RC" "login"
assert_eq "a-old" "$STDOUT" "still the old set"
assert_log_contains "set user/2001 no longer matches its rule (hostname=a-new (was a-old)); alice joins it as it is: it still has processes (pid $JOB, maybe more)"
alive "$JOB" || fail "the job died"

case_begin "a policy edit never refuses a login for being outdated"
login_bg alice a2 'hostname'; A2=$LOGIN_PID
wait_file a2
for rule in 'alice user mnt,uts hostname=a-x' 'alice user mnt,uts,ipc,pid,net' \
	'alice user mnt tmp=private' 'alice user mnt,uts,ipc,pid hostname=a-y keep=sessions' \
	'alice session mnt,uts'; do
	write_policy "$(edited alice "$rule")"
	run login alice hostname
	assert_eq 0 "$RC" "login under '$rule'" || break
	case $rule in
	*session*) ;;   # a session set of its own: a new set, nothing to join
	*) assert_eq "a-old" "$STDOUT" "joined as it is under '$rule'" || break ;;
	esac
done
alive "$JOB" || fail "the job died"
write_policy "$(edited alice 'alice user mnt,uts,ipc,pid hostname=a-new keep=always')"

case_begin "migrate refuses a set with live sessions unless --force"
run "$CTL" migrate user/2001
assert_eq 1 "$RC" "exit status"
assert_contains "$STDOUT" "migrating user/2001 (user alice): the policy now wants hostname=a-new (was a-old)"
assert_contains "$STDOUT" "refused: 1 live session(s); end them first, or add --force"
[ -d "$(set_dir user 2001)" ] || fail "the set was ended"
alive "$JOB" || fail "the job died"
end_session "$A2"

case_begin "check --config NEW names the live sets NEW would make outdated"
login_bg carol c1 "$(printf "$DETACH" 1000003) hostname"; C1=$LOGIN_PID
wait_file c1
NEW=$NSSET_TEST_DIR/new.conf
edited carol 'carol user mnt,uts,ipc,pid hostname=c-new keep=always' |
	sed 's/^alice .*/alice user mnt,uts,ipc,pid hostname=a-new keep=always/' >"$NEW"
chmod 0644 "$NEW"
run "$CTL" check --config "$NEW"
assert_eq 0 "$RC" "exit status"
assert_contains "$STDOUT" "live sets: 2, 2 outdated under $NEW"
assert_contains "$STDOUT" "  user/2003 (user carol; 1 session(s), "
assert_contains "$STDOUT" "the policy now wants hostname=c-new (was c-old)"
assert_contains "$STDOUT" "  user/2001 (user alice; 0 session(s), "
run "$CTL" check
assert_contains "$STDOUT" "live sets: 2, 1 outdated under /etc/security/nsset.conf"
assert_not_contains "$STDOUT" "user/2003 (user carol" "carol's set is current today"
run "$CTL" check --config "$NEW" carol
assert_contains "$STDOUT" "outdated: this rule wants hostname=c-new (was c-old)"
assert_contains "$STDOUT" "logins join it as it is while it holds any process (1 live session(s)"

case_begin "migrate --all --dry-run lists the outdated sets only, and ends nothing"
HC=$(holder_of 2003)
HA=$(holder_of 2001)
run "$CTL" migrate --all --dry-run
assert_eq 0 "$RC" "exit status"
assert_contains "$STDOUT" "would migrate user/2001 (user alice)"
assert_not_contains "$STDOUT" "user/2003" "carol's current set"
DRY=$STDOUT
DRY_ENDS=$(plan_pids "$DRY" ends)
for p in $HA $JOB; do
	case " $DRY_ENDS " in *" $p "*) ;; *) fail "pid $p not in the dry run's ends: $DRY_ENDS" ;; esac
done
alive "$HA" && alive "$JOB" || fail "the dry run ended something"

case_begin "migrate --all ends exactly what its dry run said, and only outdated sets"
run "$CTL" migrate --all
assert_eq 0 "$RC" "exit status: $STDERR"
assert_eq "$DRY_ENDS" "$(plan_pids "$STDOUT" ends)" "the pids migrate ended"
assert_contains "$STDOUT" "migrated user/2001 of user alice"
# shellcheck disable=SC2086  # a list of pids
settle_dead $DRY_ENDS || fail "something the plan named lives on"
[ ! -d "$(set_dir user 2001)" ] || fail "alice's set is still there"
assert_eq "$HC" "$(holder_of 2003)" "carol's current set untouched"
log_mark
run login alice hostname
assert_eq 0 "$RC" "login"
assert_eq "a-new" "$STDOUT" "made under the policy in force"
assert_log_not_contains "no longer matches"

case_begin "when its last process ends, the next login makes the set anew"
# shellcheck disable=SC2059
login_bg bob b1 "$(printf "$DETACH" 1000002) hostname"; B1=$LOGIN_PID
wait_file b1
BJOB=$(job_pid 1000002) || fail "bob's job did not start"
end_session "$B1"
write_policy "$(edited bob 'bob user mnt,uts,ipc,pid hostname=b-new keep=always' |
	sed 's/^alice .*/alice user mnt,uts,ipc,pid hostname=a-new keep=always/')"
run login bob hostname
assert_eq "b-old" "$STDOUT" "the job keeps the old set"
kill "$BJOB"
settle_dead "$BJOB" || fail "bob's job did not end"
log_mark
run login bob hostname
assert_eq 0 "$RC" "login"
assert_eq "b-new" "$STDOUT" "the new shape"
assert_log_contains "set user/2002 no longer matches its rule (hostname=b-new (was b-old)) and is empty: recreating it for bob"

case_begin "migrate --force ends a set with a live session; a current set is skipped"
run "$CTL" migrate user/2001
assert_eq 0 "$RC" "a current set"
assert_contains "$STDOUT" "skipped user/2001: ok, not outdated"
write_policy "$(edited carol 'carol user mnt,uts,ipc,pid hostname=c-new keep=always' |
	sed 's/^alice .*/alice user mnt,uts,ipc,pid hostname=a-new keep=always/; s/^bob .*/bob user mnt,uts,ipc,pid hostname=b-new keep=always/')"
run "$CTL" migrate --dry-run user/carol
assert_eq 1 "$RC" "a dry run names the refusal too"
assert_contains "$STDOUT" "refused: 1 live session(s)"
DRY_ENDS=$(plan_pids "$STDOUT" ends)
DRY_STAYS=$(plan_pids "$STDOUT" stays)
SC=$(session_pid "$C1")
case " $DRY_STAYS " in *" $C1 "*) ;; *) fail "the session's own process $C1 is not listed as staying: $DRY_STAYS" ;; esac
case " $DRY_ENDS " in *" $SC "*) ;; *) fail "the session's shell $SC is not listed as ending: $DRY_ENDS" ;; esac
run "$CTL" migrate --force user/carol
assert_eq 0 "$RC" "exit status: $STDERR"
assert_eq "$DRY_ENDS" "$(plan_pids "$STDOUT" ends)" "what --force ended"
# shellcheck disable=SC2086
settle_dead $DRY_ENDS || fail "something the plan named lives on"
end_session "$C1" 5 >/dev/null 2>&1
run login carol hostname
assert_eq "c-new" "$STDOUT" "carol's set made anew"

case_begin "usage: migrate needs SET or --all; its options go with it only"
assert_status 2 "$CTL" migrate
assert_status 2 "$CTL" list --dry-run
assert_status 2 "$CTL" destroy --force user/2001
run "$CTL" migrate user/nosuchuser
assert_eq 3 "$RC" "unknown user"

summary
