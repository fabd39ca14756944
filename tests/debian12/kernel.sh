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
# Output: the guest's `uname -r`, then one line per case, prefixed with
# `uml-MAJOR.MINOR/` (e.g. `PASS uml-6.1/pam/t_core: ...`), failure details
# as run-all.sh prints them, and as the last line `N passed, M failed`.
# A guest that did not boot, did not finish in time (it is killed) or ran
# no test is a failure.  Exit status 0 only when everything passed.
#
# Environment:
#   NSSET_BUILD          the build tree (default build), made by `make tests`
#   NSSET_UML_OUT        results directory (default $NSSET_BUILD/debian12-kernel;
#                        emptied first): console.log, run.log, logs/
#   NSSET_UML_DEADLINE   seconds before the guest is killed (1500)
#   NSSET_UML_TIMEOUT    NSSET_TEST_TIMEOUT inside the guest, per test script (1200)
#   NSSET_UML_SLOW       NSSET_TEST_SLOW inside the guest: the tests' own waits
#                        time out this many times later (6)
#   NSSET_UML_MEM        guest memory (2G)

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
BUILD=${NSSET_BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
OUT=${NSSET_UML_OUT:-$BUILD/debian12-kernel}
case $OUT in /*) ;; *) OUT=$TOP/$OUT ;; esac
DEADLINE=${NSSET_UML_DEADLINE:-1500}
TIMEOUT=${NSSET_UML_TIMEOUT:-1200}
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

rm -rf "$OUT" && mkdir -p "$OUT" || early_fail "cannot make $OUT"

echo "uml: booting $(command -v linux.uml) (package user-mode-linux $(dpkg-query -W -f='${Version}' user-mode-linux)), mem=$MEM, deadline ${DEADLINE}s"
echo "uml: tests/run-all.sh $(echo "$TESTS" | tr , ' ') inside; results in $OUT"
# Its own session and process group: the guest's helper processes are
# killed with it (by that group's id) on timeout.
setsid linux.uml mem="$MEM" root=/dev/root rootfstype=hostfs rootflags=/ ro \
	init="$TOP/tests/debian12/uml-init.sh" con0=null,fd:1 con=null quiet \
	NSSET_UML_REPO="$TOP" NSSET_UML_BUILD="$BUILD" NSSET_UML_OUT="$OUT" \
	NSSET_UML_TESTS="$TESTS" NSSET_UML_TIMEOUT="$TIMEOUT" NSSET_UML_SLOW="$SLOW" \
	</dev/null >"$OUT/console.log" 2>&1 &
GUEST=$!
trap 'kill -KILL -$GUEST 2>/dev/null; exit 130' INT
trap 'kill -KILL -$GUEST 2>/dev/null; exit 143' TERM

PREFIX=uml
shown=0

# Print run.log's new complete lines, with the suite names prefixed by the
# kernel (uml-6.1/pam/t_core: ...) and the guest's own summary line
# marked as such: the last `N passed, M failed` line is this script's.
show_new() {
	[ -f "$OUT/run.log" ] || return 0
	if [ "$PREFIX" = uml ] && [ -s "$OUT/uname-r" ]; then
		kver=$(cat "$OUT/uname-r")
		PREFIX=uml-$(echo "$kver" | cut -d. -f1-2)
		echo "uml: guest uname -r: $kver"
	fi
	n=$(wc -l <"$OUT/run.log")
	[ "$n" -gt "$shown" ] || return 0
	sed -n "$((shown + 1)),${n}p" "$OUT/run.log" | sed -E \
		-e "s#^(PASS|FAIL|SKIP) #\\1 $PREFIX/#" \
		-e 's#^([0-9]+ passed, [0-9]+ failed)$#\# guest run-all.sh: \1#'
	shown=$n
}

start=$(date +%s)
timed_out=0
while kill -0 "$GUEST" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge "$DEADLINE" ]; then
		timed_out=1
		kill -KILL -"$GUEST" 2>/dev/null
		break
	fi
	show_new
	sleep 3
done
wait "$GUEST" 2>/dev/null
# Whatever the guest left behind (helpers of a killed guest) goes too.
kill -KILL -"$GUEST" 2>/dev/null
show_new
elapsed=$(($(date +%s) - start))

# ---- verdict -------------------------------------------------------------

extra=0
problem() {
	echo "FAIL $PREFIX/guest: $*"
	extra=$((extra + 1))
}
console_tail() {
	tail -n 25 "$OUT/console.log" | sed 's/^/    | /'
}

if [ ! -s "$OUT/uname-r" ]; then
	problem "the guest did not boot into the tests (no uname -r after ${elapsed}s)"
	console_tail
elif [ "$PREFIX" != uml-6.1 ]; then
	problem "the guest runs $(cat "$OUT/uname-r"), not Debian 12's 6.1"
fi
if [ -s "$OUT/fatal" ]; then
	problem "the guest's init gave up: $(cat "$OUT/fatal")"
	console_tail
fi
if [ "$timed_out" = 1 ]; then
	problem "killed after ${DEADLINE}s (NSSET_UML_DEADLINE)"
	console_tail
elif [ ! -s "$OUT/rc" ]; then
	[ -s "$OUT/fatal" ] || { problem "the tests did not finish (no exit status; ${elapsed}s)"; console_tail; }
fi

passed=0 failed=0
if [ -f "$OUT/run.log" ]; then
	passed=$(grep -c '^PASS ' "$OUT/run.log")
	failed=$(grep -c '^FAIL ' "$OUT/run.log")
fi
if [ -s "$OUT/rc" ] && [ "$(cat "$OUT/rc")" != 0 ] && [ "$failed" = 0 ]; then
	problem "tests/run-all.sh exited $(cat "$OUT/rc") with no failed case"
fi
[ "$passed" -gt 0 ] || [ "$extra" -gt 0 ] || problem "no test ran"
echo "uml: guest ran ${elapsed}s; logs in $OUT (console.log, run.log, logs/)"
failed=$((failed + extra))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
