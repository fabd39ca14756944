#!/bin/sh
# Resource limits per set (nsset.conf(5): memory.max= pids.max= cpu.quota=
# cpu.weight= io.weight=): one budget in the set's own cgroup.
#
# Where cgroup v2 has the memory, pids, cpu and io controllers (Debian 12,
# and its kernel in `make check-debian12-kernel`), the limits are tried for
# real: an OOM kill inside one set only, a fork bomb stopped at pids.max,
# CPU shared by weight and capped by quota, a group's one budget, a limits
# edit applied to the live set. Where they are missing (a host whose
# controllers are bound to cgroup v1, as CI's machine), the login is
# refused in the account phase and `nssetctl check` says why.
#
#   sh tests/lib/sandbox.sh sh tests/pam/t_limits.sh

. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER"
CTL=${NSSET_CTL:-$NSSET_BUILD/nssetctl}

# The cgroup v2 mount, as nsset finds it (setcg.c).
CG=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && { CG=$d; break; }
done
has_controllers() {
	[ -n "$CG" ] || return 1
	for c in memory pids cpu io; do
		case " $(cat "$CG/cgroup.controllers") " in *" $c "*) ;; *) return 1 ;; esac
	done
}

POLICY='root     none
alice    user    mnt,pid,cgroup    memory.max=64m
bob      user    mnt,pid
carol    user    mnt,pid           pids.max=20
dave     user    mnt,pid           cpu.weight=100
erin     user    mnt,pid           cpu.weight=400
frank    user    mnt,pid           cpu.quota=20%
grp01    user    mnt,pid,cgroup    tmp=private memory.max=200m memory.high=150m
@students group  mnt,pid           pids.max=50'
write_policy "$POLICY"
write_service nsset-test "debug"

# The set's cgroup, from its record.
cg_of() { # SETDIR
	sed -n 's/^cgroup=//p' "$1/meta"
}
cg_file() { # SETDIR FILE
	cat "$CG$(cg_of "$1")/$2"
}
cg_event() { # SETDIR FILE KEY
	sed -n "s/^$3 //p" "$CG$(cg_of "$1")/$2"
}

if ! has_controllers; then
	# ---------------------------------------------------------------------
	case_begin "no cgroup v2 controllers: a rule with limits is refused in the account phase"
	log_mark
	run login alice sh -c 'echo placed'
	assert_ne 0 "$RC" "login with limits the machine cannot give"
	assert_not_contains "$STDOUT" "placed" "the session did not run"
	assert_log_contains "refusing login: /etc/security/nsset.conf:2: the rule's limits cannot be applied"
	assert_log_contains "controller(s) the limits need"
	[ -d "$(set_dir user 2001)" ] && fail "a set was made for a refused login"

	case_begin "no cgroup v2 controllers: rules without limits work as before"
	run login bob sh -c 'echo placed'
	assert_eq 0 "$RC" "login without limits"
	assert_contains "$STDOUT" "placed" "bob's session"

	case_begin "no cgroup v2 controllers: nssetctl check names the rules and the reason"
	run "$CTL" check
	# A warning, as for a namespace type the kernel lacks: the file is
	# valid, the machine cannot give what the rule asks.
	assert_contains "$STDOUT$STDERR" "nsset.conf:2: warning: the rule's limits (memory.max=64m) cannot be" "alice's rule"
	assert_contains "$STDOUT$STDERR" "lacks the memory controller(s)" "the missing controller"
	assert_contains "$STDOUT$STDERR" "nsset.conf:4: warning: the rule's limits (pids.max=20) cannot be" "carol's rule"
	assert_not_contains "$STDOUT$STDERR" "nsset.conf:3:" "bob's rule, without limits"
	summary
	exit
fi

# ---------------------------------------------------------------------------
case_begin "a set with limits has its own cgroup; the set's cgroup namespace is rooted there"
run login alice sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max 2>/dev/null || echo none'
assert_eq 0 "$RC" "alice's login"
D=$(set_dir user 2001)
assert_eq "/nsset/user-2001" "$(cg_of "$D")" "the cgroup in the record"
assert_contains "$STDOUT" "0::/" "/proc/self/cgroup inside the set"
assert_eq 67108864 "$(cg_file "$D" memory.max)" "memory.max of the set's cgroup"
# The holder and the init are in it.
H=$(sed -n 's/^holder_pid=//p' "$D/meta")
I=$(sed -n 's/^init_pid=//p' "$D/meta")
PROCS=$(cg_file "$D" cgroup.procs)
assert_contains " $(echo $PROCS) " " $H " "the holder in the set's cgroup"
assert_contains " $(echo $PROCS) " " $I " "the init in the set's cgroup"

case_begin "a process past memory.max is OOM-killed inside its set only"
log_mark
# tail -n 1 keeps the last line whole in memory: 200 MiB of zeros, no newline.
run login alice sh -c 'head -c 200m /dev/zero | tail -n 1 >/dev/null; echo "rc=$?"'
assert_contains "$STDOUT" "rc=137" "the hog was killed (SIGKILL)"
assert_ne 0 "$(cg_event "$D" memory.events oom_kill)" "oom_kill counted in the set's memory.events"
log_wait "the kernel killed 1 process of the set for running out of its memory" 10 ||
	fail "no OOM line from the holder"
assert_log_contains "set user/2001: the kernel killed 1 process of the set for running out of its memory (memory.max=64m"
# Another set, without a limit, runs the same program.
run login bob sh -c 'head -c 100m /dev/zero | tail -n 1 | wc -c'
assert_eq 0 "$RC" "bob's login"
assert_contains "$STDOUT" "104857600" "bob's 100 MiB line is held whole"
# The set itself lives on, and the next login works.
run login alice sh -c 'echo still-here'
assert_contains "$STDOUT" "still-here" "alice's next login"

case_begin "nssetctl show and list show usage, limits and the OOM count"
run "$CTL" show user/2001
assert_eq 0 "$RC" "show"
assert_contains "$STDOUT" "memory.max=64m" "the limits"
assert_match "$STDOUT" "oom kills [1-9]" "the OOM count"
run "$CTL" list --json
assert_eq 0 "$RC" "list --json"
assert_match "$STDOUT" '"oom_kills": *[1-9]' "the OOM count in JSON"

case_begin "a fork bomb stops at pids.max, and others still log in"
D=$(set_dir user 2003)
login_bg carol bomb 'i=0; while [ $i -lt 60 ]; do (sleep 30) & i=$((i + 1)); done 2>/dev/null; sleep 1; echo started'
wait_file bomb 60 || return
CUR=$(cg_file "$D" pids.current)
[ "$CUR" -le 20 ] || fail "pids.current $CUR above pids.max=20"
assert_ne 0 "$(cg_event "$D" pids.events max)" "forks refused (pids.events max)"
run login bob sh -c 'echo bob-in'
assert_contains "$STDOUT" "bob-in" "bob logs in during carol's fork bomb"
kill_sessions

case_begin "two sets share one CPU as their weights say"
DD=$(set_dir user 2004); DE=$(set_dir user 2005)
# A loop of shell builtins only (no fork): pure CPU, on one CPU for both,
# until the stop file exists. Measured only while both surely run.
spin() { echo "taskset -c 0 sh -c 'echo started >$OUT/\$1; while [ ! -e $OUT/stop ]; do :; done' x $1; echo done"; }
rm -f "$OUT/stop"
login_bg dave wd "$(spin sd)"
login_bg erin we "$(spin se)"
wait_file sd 120 || return
wait_file se 120 || return
sleep 1
UD0=$(cg_event "$DD" cpu.stat usage_usec); UE0=$(cg_event "$DE" cpu.stat usage_usec)
sleep "$(slow 3)"
UD=$(( $(cg_event "$DD" cpu.stat usage_usec) - UD0 )); UE=$(( $(cg_event "$DE" cpu.stat usage_usec) - UE0 ))
touch "$OUT/stop"
echo "  cpu while both ran: dave (weight 100) $UD us, erin (weight 400) $UE us" >&2
# 4:1 by weight; other work on the CPU (the test, the holders) blurs it.
[ "$UE" -ge $((UD * 5 / 2)) ] || fail "erin (weight 400) got $UE us, dave (weight 100) $UD us: not 2.5:1 or more"
kill_sessions

case_begin "cpu.quota caps a set's CPU time"
DF=$(set_dir user 2006)
busy='end=$(($(date +%s) + '$(slow 4)')); while [ $(date +%s) -lt $end ]; do :; done'
T0=$(date +%s%N)
run login frank sh -c "$busy"
T1=$(date +%s%N)
UF=$(cg_event "$DF" cpu.stat usage_usec)
WALL=$(( (T1 - T0) / 1000 ))
echo "  frank (cpu.quota=20%): $UF us of CPU in $WALL us" >&2
[ $((UF * 100)) -le $((WALL * 30)) ] || fail "frank used $UF us of CPU in $WALL us: more than 30% of one CPU"

case_begin "a group set's budget is shared by its members' logins"
# carol's and dave's own rules come first: without them, they share
# @students'.
write_policy "$(printf '%s\n' "$POLICY" | grep -v -e '^carol ' -e '^dave ')"
login_bg carol g1 'echo in'
login_bg dave g2 'echo in'
wait_file g1 || return
wait_file g2 || return
D=$(set_dir group 3001)
PROCS=" $(echo $(cg_file "$D" cgroup.procs)) "
for lp in $(cat "$OUT/g1.pid") $(cat "$OUT/g2.pid"); do
	assert_contains "$PROCS" " $lp " "login $lp in the group's one cgroup"
done
assert_eq 50 "$(cg_file "$D" pids.max)" "the group's pids.max"
kill_sessions
write_policy "$POLICY"

case_begin "tmpfs pages the set writes are charged to its budget"
D=$(set_dir user "$(uid_of grp01)")
run login grp01 sh -c 'head -c 40m /dev/zero >/tmp/fill && echo written'
assert_contains "$STDOUT" "written" "40 MiB written to the set's /tmp"
MEM=$(cg_file "$D" memory.current)
[ "$MEM" -ge 41943040 ] || fail "memory.current $MEM after 40 MiB in the set's tmpfs"
assert_eq 157286400 "$(cg_file "$D" memory.high)" "memory.high"

case_begin "a limits-only policy edit applies to the live set at the next login"
D=$(set_dir user 2001)
H=$(sed -n 's/^holder_pid=//p' "$D/meta")
write_policy "$(printf '%s\n' "$POLICY" | sed 's/^alice .*/alice    user    mnt,pid,cgroup    memory.max=96m pids.max=30/')"
log_mark
run login alice sh -c 'echo in'
assert_eq 0 "$RC" "alice's login after the edit"
assert_eq "$H" "$(sed -n 's/^holder_pid=//p' "$D/meta")" "the same set (not remade)"
assert_eq 100663296 "$(cg_file "$D" memory.max)" "the new memory.max"
assert_eq 30 "$(cg_file "$D" pids.max)" "the new pids.max"
assert_log_contains "set user/2001: limits now memory.max=96m pids.max=30 (were memory.max=64m)"
# Dropping a limit lifts it.
write_policy "$(printf '%s\n' "$POLICY" | sed 's/^alice .*/alice    user    mnt,pid,cgroup    pids.max=30/')"
run login alice sh -c 'echo in'
assert_eq max "$(cg_file "$D" memory.max)" "memory.max lifted"
write_policy "$POLICY"

case_begin "nssetctl migrate applies changed limits to a live set, ending nothing"
# The policy is back at memory.max=64m; the set still has pids.max=30.
run "$CTL" migrate --all --dry-run
assert_contains "$STDOUT" "would apply new limits to user/2001: limits memory.max=64m (were pids.max=30); nothing ends" "the dry run"
assert_eq max "$(cg_file "$D" memory.max)" "nothing written by the dry run"
run "$CTL" migrate --all
assert_eq 0 "$RC" "migrate"
assert_eq 67108864 "$(cg_file "$D" memory.max)" "memory.max applied"
assert_eq max "$(cg_file "$D" pids.max)" "pids.max lifted"
assert_eq "$H" "$(sed -n 's/^holder_pid=//p' "$D/meta")" "the same set (not remade)"
assert_contains "$(cat "$D/meta")" "memory_max=64m" "the record"

case_begin "the set's cgroup goes with the set"
CGD=$CG$(cg_of "$D")
run "$CTL" destroy user/2001
assert_eq 0 "$RC" "destroy"
[ -d "$CGD" ] && fail "cgroup $CGD left after destroy"

summary
