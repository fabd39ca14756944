#!/bin/sh
# Run the pam, e2e and security suites on Debian 12's kernel (Linux 6.1),
# booted as user-mode-linux over this machine's / (tests/debian12/README.md).
#
#   sh tests/debian12/kernel.sh [SUITE|FILTER...]     (as root; `make tests` first)
#
# Arguments go to tests/run-all.sh inside the guest (default: pam e2e
# security).  Installs user-mode-linux and kmod with apt-get if missing.
# The guest sees the host's / read-only under an overlay on a tmpfs, so the
# host is never written except the results directory (NSSET_UML_OUT), which
# the guest mounts through hostfs.
#
# Without arguments each test script runs in a guest of its own, as many
# guests at once as this machine has CPUs (the UML kernel has one), the
# longest scripts first.  Output: each guest's `uname -r`, then one line per
# case, prefixed with
# `uml-MAJOR.MINOR/` (e.g. `PASS uml-6.1/pam/t_core: ...`), failure details
# as run-all.sh prints them, and as the last line `N passed, M failed`.
# A guest that did not boot, did not finish in time (it is killed) or ran
# no test is a failure.  Exit status 0 only when everything passed.
#
# Environment:
#   NSSET_BUILD          the build tree (default build), made by `make tests`
#   NSSET_UML_OUT        results directory (default $NSSET_BUILD/debian12-kernel;
#                        emptied first): g01/, g02/... per guest with
#                        console.log, run.log, logs/
#   NSSET_UML_DEADLINE   seconds before the guests are killed (2400)
#   NSSET_UML_TIMEOUT    NSSET_TEST_TIMEOUT inside the guest, per test script (2400)
#   NSSET_UML_SLOW       NSSET_TEST_SLOW inside the guest: the tests' own waits
#                        time out this many times later (6)
#   NSSET_UML_MEM        memory of each guest (2G)
#   NSSET_UML_GUESTS     how many guests run at once (default: the CPUs)

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
BUILD=${NSSET_BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
OUT=${NSSET_UML_OUT:-$BUILD/debian12-kernel}
case $OUT in /*) ;; *) OUT=$TOP/$OUT ;; esac
DEADLINE=${NSSET_UML_DEADLINE:-2400}
TIMEOUT=${NSSET_UML_TIMEOUT:-2400}
MEM=${NSSET_UML_MEM:-2G}
SLOW=${NSSET_UML_SLOW:-6}
TESTS=$(echo "${*:-pam e2e security}" | tr ' ' ,)

# Before the guest ran, a failure is one counted case and the summary.
early_fail() {
	echo "FAIL uml/setup: $*"
	echo "0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" = 0 ] || early_fail "must run as root (the tests inside the guest need it)"
# CI may start us with stdin closed: the guest's console reads nothing.
(: <&0) 2>/dev/null || exec </dev/null

# ---- what the guest needs on the host -----------------------------------

# The tests' own dependencies (the guest runs the host's programs).
sh tests/lib/install-deps.sh >&2 || early_fail "tests/lib/install-deps.sh failed"
missing=
for p in user-mode-linux kmod; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	*" ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	echo "uml: installing:$missing" >&2
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >&2 ||
		early_fail "apt-get install$missing failed"
fi
command -v linux.uml >/dev/null || early_fail "no linux.uml after installing user-mode-linux"

for f in nsset-holder nsset-enter nssetctl pam_nsset.so tests/nsset-login; do
	[ -e "$BUILD/$f" ] || early_fail "no $BUILD/$f: run \`make tests\` first"
done
# The kernel command line is split at blanks, and the guest's init gets
# these paths through it.
for p in "$TOP" "$BUILD" "$OUT"; do
	case $p in *[!A-Za-z0-9_./+-]*) early_fail "path with characters the kernel command line cannot carry: $p" ;; esac
done

# ---- boot ----------------------------------------------------------------

# The UML kernel has one CPU, so the work is spread over several guests:
# by default one guest per test script, NSSET_UML_GUESTS of them (default:
# this machine's CPUs) running at once, the longest scripts first, so that
# the run takes about the sum of the scripts over the CPUs rather than the
# longest suite.  Named suites or filters run in one guest.
if [ $# -gt 0 ]; then
	JOBS=$TESTS
	WORKERS=1
else
	# Longest first (measured under UML: tests/debian12/README.md); any
	# script not named here runs after them, in name order.
	LONG="e2e/t_sshd security/t_attack pam/t_core pam/t_smoke pam/t_install
	      pam/t_net security/t_enter security/t_inherit pam/t_nssetctl pam/t_valgrind"
	LONG=$(echo $LONG)
	all=$(cd tests && ls pam/t_*.sh e2e/t_*.sh security/t_*.sh | sed 's/\.sh$//')
	JOBS=
	for j in $LONG; do
		echo "$all" | grep -qx "$j" && JOBS="$JOBS ${j%%/*},${j#*/}"
	done
	for j in $all; do
		case " $LONG " in *" $j "*) continue ;; esac
		JOBS="$JOBS ${j%%/*},${j#*/}"
	done
	WORKERS=${NSSET_UML_GUESTS:-$(nproc 2>/dev/null || echo 2)}
fi
case $WORKERS in '' | *[!0-9]* | 0) WORKERS=2 ;; esac

rm -rf "$OUT" && mkdir -p "$OUT" || early_fail "cannot make $OUT"

njobs=$(echo $JOBS | wc -w)
echo "uml: booting $(command -v linux.uml) (package user-mode-linux $(dpkg-query -W -f='${Version}' user-mode-linux)), mem=$MEM each, $njobs guest(s), $WORKERS at a time, deadline ${DEADLINE}s"
PIDS=
n=0
# boot_guest TESTS: starts guest number n+1 for run-all.sh TESTS (commas
# for blanks), in the background.
boot_guest() {
	n=$((n + 1))
	G=$OUT/g$(printf %02d "$n")    # g01, g02...: the shell's sort is their order
	mkdir -p "$G" || early_fail "cannot make $G"
	echo "$1" >"$G/tests"
	echo "uml: guest $n: tests/run-all.sh $(echo "$1" | tr , ' '); results in $G"
	# Its own session and process group: the guest's helper processes
	# are killed with it (by that group's id) on timeout.
	setsid linux.uml mem="$MEM" root=/dev/root rootfstype=hostfs rootflags=/ ro \
		init="$TOP/tests/debian12/uml-init.sh" con0=null,fd:1 con=null quiet \
		NSSET_UML_REPO="$TOP" NSSET_UML_BUILD="$BUILD" NSSET_UML_OUT="$G" \
		NSSET_UML_TESTS="$1" NSSET_UML_TIMEOUT="$TIMEOUT" NSSET_UML_SLOW="$SLOW" \
		</dev/null >"$G/console.log" 2>&1 &
	echo $! >"$G/pid"
	PIDS="$PIDS $!"
}
kill_guests() {
	for p in $PIDS; do kill -KILL -"$p" 2>/dev/null; done
}
trap 'kill_guests; exit 130' INT
trap 'kill_guests; exit 143' TERM

# The kernel's version as the prefix of the case lines (uml-6.1).
prefix_of() { # DIR
	if [ -s "$1/uname-r" ]; then
		echo "uml-$(cut -d. -f1-2 "$1/uname-r")"
	else
		echo uml
	fi
}

# Print a guest's new complete lines of run.log, with the suite names
# prefixed by the kernel (uml-6.1/pam/t_core: ...) and the guest's own
# summary line marked as such: the last `N passed, M failed` line is this
# script's.  Guests are shown one after the other, in order: a guest's
# lines are printed once every guest before it is done.
show_new() { # DIR
	[ -s "$1/uname-r" ] && [ ! -e "$1/.uname-shown" ] && {
		echo "uml: guest ${1##*/g} uname -r: $(cat "$1/uname-r")"
		: >"$1/.uname-shown"
	}
	[ -f "$1/run.log" ] || return 0
	shown=$(cat "$1/.shown" 2>/dev/null || echo 0)
	lines=$(wc -l <"$1/run.log")
	[ "$lines" -gt "$shown" ] || return 0
	sed -n "$((shown + 1)),${lines}p" "$1/run.log" | sed -E \
		-e "s#^(PASS|FAIL|SKIP) #\\1 $(prefix_of "$1")/#" \
		-e 's#^([0-9]+ passed, [0-9]+ failed)$#\# guest run-all.sh: \1#'
	echo "$lines" >"$1/.shown"
}
show_all() {
	for G in "$OUT"/g*; do
		show_new "$G"
		kill -0 "$(cat "$G/pid")" 2>/dev/null && break
	done
}
running() {
	c=0
	for p in $PIDS; do kill -0 "$p" 2>/dev/null && c=$((c + 1)); done
	echo "$c"
}

start=$(date +%s)
timed_out=0
queue=$JOBS
while :; do
	if [ $(($(date +%s) - start)) -ge "$DEADLINE" ]; then
		timed_out=1
		kill_guests
		break
	fi
	busy=$(running)
	set -- $queue
	if [ $# -gt 0 ] && [ "$busy" -lt "$WORKERS" ]; then
		boot_guest "$1"
		shift
		queue=$*
		continue
	fi
	[ "$busy" -gt 0 ] || break
	show_all
	sleep 3
done
for p in $PIDS; do wait "$p" 2>/dev/null; done
# Whatever a guest left behind (helpers of a killed guest) goes too.
kill_guests
show_all
elapsed=$(($(date +%s) - start))

# ---- verdict -------------------------------------------------------------

extra=0
passed=0
failed=0
for G in "$OUT"/g*; do
	PREFIX=$(prefix_of "$G")
	problem() {
		echo "FAIL $PREFIX/guest: $*"
		extra=$((extra + 1))
	}
	console_tail() {
		tail -n 25 "$G/console.log" | sed 's/^/    | /'
	}
	if [ ! -s "$G/uname-r" ]; then
		problem "the guest did not boot into the tests (no uname -r after ${elapsed}s; $G)"
		console_tail
	elif [ "$PREFIX" != uml-6.1 ]; then
		problem "the guest runs $(cat "$G/uname-r"), not Debian 12's 6.1"
	fi
	if [ -s "$G/fatal" ]; then
		problem "the guest's init gave up: $(cat "$G/fatal")"
		console_tail
	fi
	if [ ! -s "$G/rc" ]; then
		if [ "$timed_out" = 1 ]; then
			problem "$(cat "$G/tests"): killed after ${DEADLINE}s (NSSET_UML_DEADLINE)"
			console_tail
		elif [ ! -s "$G/fatal" ]; then
			problem "$(cat "$G/tests"): the tests did not finish (no exit status; ${elapsed}s)"
			console_tail
		fi
	fi
	p=0 f=0
	if [ -f "$G/run.log" ]; then
		p=$(grep -c '^PASS ' "$G/run.log")
		f=$(grep -c '^FAIL ' "$G/run.log")
	fi
	if [ -s "$G/rc" ] && [ "$(cat "$G/rc")" != 0 ] && [ "$f" = 0 ]; then
		problem "tests/run-all.sh exited $(cat "$G/rc") with no failed case"
	fi
	# (A killed guest is already counted; its unfinished script is not.)
	[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || [ ! -s "$G/rc" ] || problem "$(cat "$G/tests"): no test ran"
	passed=$((passed + p))
	failed=$((failed + f))
done
for j in $queue; do
	echo "FAIL uml/guest: $(echo "$j" | tr , ' '): not started before the deadline (${DEADLINE}s)"
	extra=$((extra + 1))
done
echo "uml: the guests ran ${elapsed}s; logs in $OUT/g*/ (console.log, run.log, logs/)"
failed=$((failed + extra))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
