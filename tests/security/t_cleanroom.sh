#!/bin/sh
# The clean room of nsset's root processes (lib/cleanroom.h, SECURITY.md "The
# holder's promise"), against hostile real users of the setuid nsset-enter
# and root PAM callers in odd contexts:
#   - a hostile first member's limits, scheduling and other task state reach
#     neither the group set's holder, nor its init, nor its hook, and the
#     other member's work survives whatever she does;
#   - a user who sits in another set's namespace (a net-only set) is refused
#     by namespace identity, and nothing is built in her namespace;
#   - a root PAM caller in foreign namespaces gets a holder in the host's,
#     or none where the kernel allows no way back (a pid namespace);
#   - a join costs the holder no scan of the set's sessions, however many
#     are parked.
#
#   sh tests/lib/sandbox.sh sh tests/security/t_cleanroom.sh

. "$(dirname "$0")/lib.sh"

NSSET_LOGIN=$NSSET_BUILD/tests/nsset-login
BASE_POLICY='root        none
@students   group     mnt,uts,ipc,pid,net     tmp=private hook=probe
@staff      group     mnt,uts,ipc,pid
grp05       user      mnt,ipc                 keep=sessions
alice       user      mnt,uts,ipc,pid,net     hook=probe'
write_policy "$BASE_POLICY
*           user      mnt,ipc"

# A hook that records the state it runs with. Read by the shell itself
# where a child could catch dash's signal window (see t_inherit.sh).
mkdir -p /etc/security/nsset.d && chmod 0755 /etc/security/nsset.d
cat >/etc/security/nsset.d/probe <<HOOK
#!/bin/sh
[ "\$1" = create ] || exit 0
d=/run/nsset-sec-cleanroom
mkdir -p "\$d"
{
	while IFS= read -r l; do
		case \$l in
		SigBlk:*|SigIgn:*|NoNewPrivs:*|Seccomp:*|CapInh:*|CapAmb:*|THP_enabled:*|Cpus_allowed_list:*|Mems_allowed_list:*)
			printf '%s\n' "\$l" ;;
		esac
	done </proc/\$\$/status
	echo "nice and policy: \$(cut -d' ' -f19,41 /proc/\$\$/stat)"
	echo "ionice: \$(ionice -p \$\$)"
	echo "timerslack: \$(cat /proc/\$\$/timerslack_ns)"
	echo "oom_score_adj: \$(cat /proc/\$\$/oom_score_adj)"
	echo "personality: \$(cat /proc/\$\$/personality)"
	echo "\$($PROBE tsc)"
	echo "hostile keyring: \$(grep -c hostile /proc/keys 2>/dev/null)"
	[ ! -e /proc/\$\$/numa_maps ] || echo "bound: \$(grep -c bind: /proc/\$\$/numa_maps)"
	cat /proc/\$\$/limits
} >"\$d/\$(echo "\$NSSET_SET" | tr / -)"
HOOK
chmod 0755 /etc/security/nsset.d/probe
P=/run/nsset-sec-cleanroom
rm -rf "$P"

stat_field() { # PID N: field N of /proc/PID/stat (comm has no spaces here)
	cut -d' ' -f"$2" "/proc/$1/stat"
}
status_line() { # PID FIELD
	grep "^$2:" "/proc/$1/status" | tr -s '\t ' ' '
}
limits_of() {
	tr -s ' ' <"/proc/$1/limits"
}

# ---------------------------------------------------------------------------
case_begin "a plain call makes the reference holder"
assert_ok as alice "$ENTER" -- true
HA=$(holder_pid user/2001)
IA=$(init_pid user/2001)
[ -n "$HA" ] && [ -d "/proc/$HA" ] || fail "no holder for alice's set"
[ -n "$IA" ] && [ -d "/proc/$IA" ] || fail "no init for alice's set"
[ -s "$P/user-2001" ] || fail "the hook did not run for the plain call"

# ---------------------------------------------------------------------------
case_begin "a hostile first member's limits, scheduling and task state reach neither the group set's holder, nor its init, nor its hook"
# Soft limits at their worst (hard ones need CAP_SYS_RESOURCE to raise
# again: the next case), then every per-task setting the kernel keeps
# across exec: SCHED_IDLE, nice 19, idle I/O, one CPU, uclamp 0, a 10 s
# timer slack, oom_score_adj 1000, THP off, TSC faulting, personality,
# NUMA binding, her own session keyring; and blocked signals, 40 open fds.
run as carol prlimit --cpu=1: --rttime=1: --sigpending=1: --msgqueue=0: --memlock=0: \
	--stack=100000: --nofile=64: --fsize=100000: --data=300000000: --as=300000000: \
	--locks=1: --nproc=200: --core=0: \
	"$LAUNCH" --hostile-task --fds 40 --block-signals "$ENTER" -- true
assert_eq 0 "$RC" "carol's hostile call: $STDERR"
H=$(holder_pid group/3001)
I=$(init_pid group/3001)
[ -n "$H" ] && [ -d "/proc/$H" ] || fail "no live holder for group/3001"
[ -n "$I" ] && [ -d "/proc/$I" ] || fail "no live init for group/3001"
for p in "holder $H $HA" "init $I $IA"; do
	set -- $p
	[ -d "/proc/$2" ] && [ -d "/proc/$3" ] || continue
	assert_eq "$(limits_of "$3")" "$(limits_of "$2")" "$1: every limit as a plain call's $1 has it"
	assert_match "$(limits_of "$2")" "^Max cpu time unlimited unlimited seconds" "$1: RLIMIT_CPU"
	assert_match "$(limits_of "$2")" "Max realtime timeout unlimited unlimited us" "$1: RLIMIT_RTTIME"
	assert_match "$(limits_of "$2")" "Max core file size 0 0 bytes" "$1: RLIMIT_CORE"
	assert_match "$(limits_of "$2")" "Max stack size 8388608 unlimited bytes" "$1: RLIMIT_STACK"
	assert_eq 0 "$(stat_field "$2" 19)" "$1: nice"
	assert_not_contains "$(ionice -p "$2")" "idle" "$1: I/O class"
	assert_eq "$(status_line 1 Cpus_allowed_list)" "$(status_line "$2" Cpus_allowed_list)" "$1: CPU affinity (every CPU)"
	assert_eq 50000 "$(cat "/proc/$2/timerslack_ns")" "$1: timer slack"
	assert_eq 0 "$(cat "/proc/$2/oom_score_adj")" "$1: oom_score_adj"
	assert_eq 00000000 "$(cat "/proc/$2/personality")" "$1: personality"
	# As PID 1 has it: 1, or 0 on a kernel without THP (the UML 6.1
	# kernel of the Debian 12 tier), where nobody can switch it off.
	assert_eq "$(status_line 1 THP_enabled)" "$(status_line "$2" THP_enabled)" "$1: THP"
	[ ! -e "/proc/$2/numa_maps" ] || assert_eq 0 "$(grep -c bind: "/proc/$2/numa_maps")" "$1: NUMA binding"
	for f in SigBlk SigIgn NoNewPrivs Seccomp CapInh CapAmb CapBnd; do
		assert_eq "$(status_line "$3" "$f")" "$(status_line "$2" "$f")" "$1: $f"
	done
done
# The holder watches as a batch task (its own choice); the init is normal.
[ ! -d "/proc/$H" ] || assert_eq 3 "$(stat_field "$H" 41)" "holder: scheduling policy SCHED_BATCH"
[ ! -d "/proc/$I" ] || assert_eq 0 "$(stat_field "$I" 41)" "init: scheduling policy SCHED_OTHER"
[ -s "$P/group-3001" ] || fail "the hook did not run for carol's set"
assert_eq "$(cat "$P/user-2001")" "$(cat "$P/group-3001")" "what the hook got: plain vs hostile caller"
# Where the architecture has TSC control (x86; not user-mode-linux, whose
# 6.1 kernel runs this in the Debian 12 tier), the hook's TSC is readable.
if ! grep -qx "tsc=none" "$P/user-2001"; then
	assert_file_contains "$P/group-3001" "tsc=1" "hook: TSC readable"
fi
assert_file_contains "$P/group-3001" "hostile keyring: 0" "hook: not in the caller's session keyring"
assert_file_contains "$P/group-3001" "nice and policy: 0 0" "hook: nice 0, SCHED_OTHER"
assert_file_contains "$P/group-3001" "timerslack: 50000" "hook: timer slack"
assert_file_contains "$P/group-3001" "oom_score_adj: 0" "hook: oom_score_adj"
# And nsset-enter gave carol her own back: the program ran SCHED_IDLE.
run as carol "$LAUNCH" --hostile-task "$ENTER" -- sh -c 'cut -d" " -f41 /proc/$$/stat; cat /proc/self/timerslack_ns'
assert_eq "5
10000000000" "$STDOUT" "the caller's program keeps her scheduling and timer slack"

case_begin "the other member's work survives whatever the hostile member does to her own state"
(as_exec dave "$ENTER" -- sleep 600) </dev/null >/dev/null 2>&1 &
wait_until '[ -n "$(pgrep -u dave -x sleep)" ]' || fail "dave's job did not start"
DAVE_JOB=$(pgrep -u dave -x sleep)
# She joins many times and parks sessions, each with her hostile state.
i=0
while [ $i -lt 60 ]; do
	as carol prlimit --cpu=1: "$LAUNCH" --hostile-task "$ENTER" -- true </dev/null >/dev/null 2>&1
	i=$((i + 1))
done
i=0
while [ $i -lt 20 ]; do
	(as_exec carol prlimit --cpu=1: "$LAUNCH" --hostile-task "$ENTER" -- sleep 600) </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
wait_until '[ "$(ls "$NSSET_STORE/group/3001/sessions" | wc -l)" -ge 21 ]' ||
	fail "her parked sessions were not registered: $(ls "$NSSET_STORE/group/3001/sessions" | wc -l)"
pkill -KILL -u carol -x nsset-enter
pkill -KILL -u carol -x sleep
sleep 1
assert_eq "$H" "$(holder_pid group/3001)" "the set's holder is still the one it was"
kill -0 "$H" 2>/dev/null || fail "the group set's holder died"
kill -0 "$DAVE_JOB" 2>/dev/null || fail "dave's job was killed"
assert_match "$(limits_of "$H")" "^Max cpu time unlimited unlimited seconds" "the holder's CPU limit"
pkill -KILL -u dave -x sleep

case_begin "a caller's low hard limits: the holder runs with its own or the login is refused cleanly, never crippled"
run as frank prlimit --cpu=1:1 --nofile=64:64 --stack=100000:100000 "$ENTER" -- true
H=$(holder_pid group/3003)
if [ -z "$H" ]; then
	# Root here lacks CAP_SYS_RESOURCE: the holder refuses, clean.
	assert_eq 125 "$RC" "exit status without a holder"
	assert_contains "$STDERR" "too low for a set's holder" "the reason"
	[ ! -e "$NSSET_STORE/group/3003" ] || fail "a set without a holder was left"
	assert_eq "" "$(store_leftovers)" "leftovers in the store"
	assert_ok as frank "$ENTER" -- true
	H=$(holder_pid group/3003)
fi
[ -n "$H" ] || fail "no holder for group/3003 after a plain call"
[ -z "$H" ] || assert_match "$(limits_of "$H")" "^Max cpu time unlimited unlimited seconds" "RLIMIT_CPU of the holder"

# ---------------------------------------------------------------------------
case_begin "a user inside another set's network namespace is refused by identity, and nothing is built in her namespace"
# grp01 first gets a set with net only (no mount namespace, so no cover
# over the store and no marker), then her rule becomes a net=veth group set
# that grp02 shares. From inside her own network namespace she asks for it.
write_policy "$BASE_POLICY
net.ipv4=10.99.0.0/24
grp01       user      net
*           user      mnt,ipc"
rm -f "$OUT/go"
(as_exec grp01 "$ENTER" -- sh -c "until [ -e $OUT/go ]; do sleep 0.05; done
	exec $ENTER -- true") </dev/null >"$OUT/inner.out" 2>&1 &
INNER=$!
wait_until '[ -d "$NSSET_STORE/user/2101" ]' || fail "grp01's net-only set was not made"
HER_NET=$NSSET_STORE/user/2101/net
write_policy "$BASE_POLICY
net.ipv4=10.99.0.0/24
@crowd      group     mnt,uts,ipc,pid,net     net=veth
*           user      mnt,ipc"
: >"$OUT/go"
wait "$INNER"
RC=$?
assert_eq 125 "$RC" "her call from inside user/2101's network namespace"
assert_contains "$(cat "$OUT/inner.out")" "sits in the net namespace of set user/2101" "the reason"
[ ! -e "$NSSET_STORE/group/3004" ] || fail "the group set was made from her namespace"
assert_eq "" "$(nsenter --net="$HER_NET" ip -o link show | grep -E 'nsset0|nsg3004')" "interfaces made in her namespace"
# grp02 logs in from the host: the set and its bridge are the host's.
assert_ok as grp02 "$ENTER" -- true
H=$(holder_pid group/3004)
[ -n "$H" ] || fail "no holder for group/3004"
[ -z "$H" ] || assert_eq "$(stat -L -c %i /proc/1/ns/net)" "$(stat -L -c %i "/proc/$H/ns/net")" "the holder's network namespace"
ip -o link show nsset0 >/dev/null 2>&1 || fail "the bridge is not in the host's namespace"
ip -o link show nsg3004 >/dev/null 2>&1 || fail "the veth host end is not in the host's namespace"
assert_eq "" "$(nsenter --net="$HER_NET" ip -o link show | grep -E 'nsset0|nsg3004')" "interfaces in her namespace afterwards"

# ---------------------------------------------------------------------------
case_begin "a root PAM caller in a foreign network namespace starts a holder in the host's namespaces"
write_policy "$BASE_POLICY
net.ipv4=10.99.0.0/24
grp03       user      mnt,uts,ipc,pid,net     net=veth
grp04       user      mnt,uts,ipc,pid,net     net=veth
*           user      mnt,ipc"
run unshare --net --uts --ipc "$NSSET_LOGIN" -s nsset-test grp03 true
assert_eq 0 "$RC" "login from the foreign namespaces: $STDERR"
H=$(holder_pid user/2103)
I=$(init_pid user/2103)
[ -n "$H" ] && [ -n "$I" ] || fail "no holder or init for user/2103"
for t in net pid mnt uts ipc cgroup; do
	[ -z "$H" ] || assert_eq "$(stat -L -c %i /proc/1/ns/$t)" "$(stat -L -c %i "/proc/$H/ns/$t")" "the holder's $t namespace"
done
ip -o link show nsu2103 >/dev/null 2>&1 || fail "the veth host end is not in the host's namespace"

case_begin "a root PAM caller in a pid namespace of its own gets no holder (the kernel allows no way back): refused, nothing left"
# With the host's /proc, and with a /proc of its own where PID 1 is
# another process.
for how in "--pid --fork" "--mount --pid --fork --mount-proc"; do
	log_mark
	run unshare $how "$NSSET_LOGIN" -s nsset-test grp04 true
	assert_eq 11 "$RC" "open_session refused ($how)"
	assert_log_contains "started inside a pid namespace that is not the host's"
	[ ! -e "$NSSET_STORE/user/2104" ] || fail "a set was left ($how)"
	assert_eq "" "$(store_leftovers)" "leftovers in the store ($how)"
done

# ---------------------------------------------------------------------------
case_begin "a join costs the holder no scan of the set's sessions, however many are parked"
write_policy "$BASE_POLICY
*           user      mnt,ipc"
i=0
while [ $i -lt 40 ]; do
	(as_exec grp05 "$ENTER" -- sleep 600) </dev/null >/dev/null 2>&1 &
	i=$((i + 1))
done
wait_until '[ "$(ls "$NSSET_STORE/user/2105/sessions" 2>/dev/null | wc -l)" -ge 40 ]' ||
	fail "the parked sessions were not registered"
H=$(holder_pid user/2105)
strace -qq -f -e trace=getdents64,getdents -o "$OUT/holder.strace" -p "$H" &
TRACER=$!
wait_until '[ "$(status_line "$H" TracerPid)" != "TracerPid: 0" ]' || fail "strace did not attach"
i=0
while [ $i -lt 10 ]; do
	assert_ok as grp05 "$ENTER" -- true
	i=$((i + 1))
done
sleep 0.5
kill "$TRACER"
wait "$TRACER" 2>/dev/null
assert_eq 0 "$(grep -c getdents "$OUT/holder.strace")" "directory reads by the holder during 10 joins"
# And it still tracks every session: the set ends with the last one.
pkill -KILL -u grp05 -x sleep
settle_gone "$NSSET_STORE/user/2105" 10 || fail "the set did not end with its last session"
# The holder removes the set's directory, then exits: give it that moment
# (up to 10 s, times NSSET_TEST_SLOW), not a free pass.
wait_until '! kill -0 "$H" 2>/dev/null' || fail "the holder is still there after its set ended"

summary
