#!/bin/sh
# Run the test suites and print one line per case, then `N passed, M failed`.
#
#   sh tests/run-all.sh [SUITE...] [FILTER...]
#
# SUITE: unit       build/tests/test_* (cmocka, TAP output parsed per test)
#        pam        tests/pam/t_*.sh, each in its own sandbox (tests/lib/sandbox.sh)
#        e2e        tests/e2e/t_*.sh (real sshd), likewise
#        security   tests/security/t_*.sh (hostile callers of nsset-enter), likewise
#        fuzz       `make check-fuzz`: each libFuzzer target for a bounded time
#        bench      `make bench-quick` (figures not judged; it must run and verify)
#        asan       asan-unit and asan-pam: the same with build-asan/
#                   (ASAN_OPTIONS=detect_leaks=1:abort_on_error=1,
#                    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
#        asan-unit, asan-pam
#        default: unit pam e2e security fuzz bench asan
# FILTER: any other word; only tests whose file name contains it run
#        (e.g. `sh tests/run-all.sh pam smoke`).
#
# Output: `PASS suite/test: case`, `FAIL suite/test: case (reason)` and
# `SKIP ...` (not counted), details of failures indented below them, and as
# the last line exactly `N passed, M failed`.  Exit status 1 when M > 0 or
# N == 0.  After each PAM suite a `host` case checks that the host's
# /etc/{passwd,group,shadow,gshadow} and mount table did not change.
#
# Environment: NSSET_BUILD (default build), NSSET_BUILD_ASAN (build-asan),
# NSSET_TEST_TIMEOUT seconds per test binary/script (600),
# NSSET_TEST_LOGS (default $NSSET_BUILD/test-logs: one log per test),
# NSSET_TEST_VERBOSE=0 to leave out the failure details.

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BUILD=${NSSET_BUILD:-$TOP/build}
BUILD_ASAN=${NSSET_BUILD_ASAN:-$TOP/build-asan}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
case $BUILD_ASAN in /*) ;; *) BUILD_ASAN=$TOP/$BUILD_ASAN ;; esac
TIMEOUT=${NSSET_TEST_TIMEOUT:-600}
LOGS=${NSSET_TEST_LOGS:-$BUILD/test-logs}
VERBOSE=${NSSET_TEST_VERBOSE:-1}

ASAN_ENV="ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
# A PAM application that joined a set sits in its pid and mount namespaces,
# where LeakSanitizer's exit-time scan cannot work (it needs its own /proc
# and a tracer thread in its pid namespace): it aborts with "fatal error".
# ASan and UBSan stay on; leaks of those runs are checked by valgrind
# (tests/pam/t_valgrind.sh) and by the unit tests under LSan.
ASAN_PAM_ENV="ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
SANITIZER_RE='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:'

suites=
filters=
for a; do
	case $a in
	unit | pam | e2e | security | fuzz | bench | asan-unit | asan-pam) suites="$suites $a" ;;
	asan) suites="$suites asan-unit asan-pam" ;;
	-h | --help)
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*) filters="$filters $a" ;;
	esac
done
[ -n "$suites" ] || suites="unit pam e2e security fuzz bench asan-unit asan-pam"

mkdir -p "$LOGS" || exit 1
# Results of this run only (several runs may share the log directory).
RESULTS=$LOGS/.results.$$
: >"$RESULTS" || exit 1
CHILD=
trap 'rm -f "$RESULTS"' EXIT
# timeout(1) runs in its own process group, out of reach of a ^C: pass it on.
trap '[ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null; exit 130' INT
trap '[ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null; exit 143' TERM

# run_timed LOG [VAR=value...] CMD...: CMD under timeout, output to LOG.
run_timed() {
	_log=$1
	shift
	env "$@" </dev/null >"$_log" 2>&1 &
	CHILD=$!
	wait "$CHILD"
	_rc=$?
	CHILD=
	return $_rc
}

record() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >>"$RESULTS"
}

selected() {
	[ -n "$filters" ] || return 0
	for f in $filters; do
		case $1 in *"$f"*) return 0 ;; esac
	done
	return 1
}

# Indented details: the last lines of a log, or of one case's block in it.
details() {
	[ "$VERBOSE" = 1 ] || return 0
	sed 's/^/    | /' | tail -n "${1:-40}"
}

# ---- unit tests ----------------------------------------------------------

tap_to_results() {
	awk -v p="$1" '
		function flush() {
			if (pending != "")
				print "FAIL " p pending " (" (reason == "" ? "failed" : reason) ")"
			pending = ""; reason = ""
		}
		/^(not )?ok [0-9]+ # SKIP/ { flush(); sub(/^(not )?ok [0-9]+ # SKIP ?/, ""); print "SKIP " p $0; next }
		/^ok [0-9]+ - / { flush(); sub(/^ok [0-9]+ - /, ""); print "PASS " p $0; next }
		/^not ok [0-9]+ - / { flush(); sub(/^not ok [0-9]+ - /, ""); pending = $0; next }
		/^# / && pending != "" {
			r = substr($0, 3)
			if (r !~ /^(not )?ok - /) reason = (reason == "" ? r : reason "; " r)
			next
		}
		END { flush() }'
}

run_unit() {
	suite=$1 dir=$2 envs=$3
	rm -rf "${LOGS:?}/$suite"
	mkdir -p "$LOGS/$suite"
	found=0
	for t in "$dir"/tests/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=$(basename "$t")
		selected "$name" || continue
		found=1
		log=$LOGS/$suite/$name.log
		# shellcheck disable=SC2086  # envs is a list of VAR=value words
		run_timed "$log" $envs CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$TIMEOUT" "$t"
		rc=$?
		prefix="$suite/$name: "
		out=$(tap_to_results "$prefix" <"$log")
		[ -z "$out" ] || printf '%s\n' "$out" | while IFS= read -r line; do record "$line"; done
		nfail=$(printf '%s\n' "$out" | grep -c '^FAIL ')
		npass=$(printf '%s\n' "$out" | grep -c '^PASS ')
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			record "FAIL $suite/$name (timed out after ${TIMEOUT}s)"
		elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
			record "FAIL $suite/$name (exit status $rc)"
		elif [ "$rc" = 0 ] && [ "$npass" = 0 ] && [ "$nfail" = 0 ]; then
			record "PASS $suite/$name"
		fi
		if grep -Eq "$SANITIZER_RE" "$log"; then
			record "FAIL $suite/$name: sanitizers ($(grep -E -m1 "$SANITIZER_RE" "$log" | cut -c1-160))"
			rc=1
		fi
		if [ "$rc" != 0 ] || [ "$nfail" != 0 ]; then
			details 40 <"$log"
			echo "    (log: $log)"
		fi
	done
	[ "$found" = 1 ] || echo "# $suite: no test binaries in $dir/tests/"
}

# ---- PAM integration tests -----------------------------------------------

host_state() {
	for f in passwd group shadow gshadow; do
		[ -e "/etc/$f" ] && sha256sum "/etc/$f"
	done
	awk '{ print $5 }' /proc/self/mountinfo | sort
	[ -e /run/nsset ] && echo "/run/nsset exists"
	return 0
}

run_pam() {
	suite=$1 dir=$2 envs=$3 scripts=$4
	rm -rf "${LOGS:?}/$suite"
	mkdir -p "$LOGS/$suite"
	if [ ! -x "$dir/tests/nsset-login" ]; then
		record "FAIL $suite (no $dir/tests/nsset-login: build it first)"
		return
	fi
	before=$(host_state)
	found=0
	for t in $scripts; do
		[ -f "$t" ] || continue
		# memcheck cannot run an ASan build; the plain build's run covers it.
		case $suite/$t in asan-pam/*t_valgrind.sh) continue ;; esac
		name=$(basename "$t" .sh)
		selected "$name" || continue
		found=1
		log=$LOGS/$suite/$name.log
		# shellcheck disable=SC2086  # envs is a list of VAR=value words
		run_timed "$log" $envs NSSET_BUILD="$dir" timeout -k 10 "$TIMEOUT" \
			sh tests/lib/sandbox.sh sh "$t"
		rc=$?
		prefix="$suite/$name: "
		nfail=0
		npass=0
		while IFS= read -r line; do
			case $line in
			"PASS "*) record "PASS $prefix${line#PASS }"; npass=$((npass + 1)) ;;
			"SKIP "*) record "SKIP $prefix${line#SKIP }" ;;
			"FAIL "*)
				record "FAIL $prefix${line#FAIL }"
				nfail=$((nfail + 1))
				awk -v f="$line" '
					/^--- case: / { on = index(f, "FAIL " substr($0, 11) " (") == 1; next }
					on && !/^(PASS|FAIL|SKIP) / { print }' "$log" | details 30
				;;
			esac
		done <"$log"
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			record "FAIL $suite/$name (timed out after ${TIMEOUT}s)"
			details 20 <"$log"
		elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
			record "FAIL $suite/$name (exit status $rc)"
			details 20 <"$log"
		elif ! grep -Eq '^# .*: [0-9]+ passed, [0-9]+ failed' "$log"; then
			record "FAIL $suite/$name (no summary: the script died early)"
			details 20 <"$log"
		elif [ "$npass" = 0 ] && [ "$nfail" = 0 ]; then
			record "FAIL $suite/$name (no cases)"
		fi
		if [ "$rc" != 0 ] || [ "$nfail" != 0 ]; then
			echo "    (log: $log)"
		fi
	done
	if [ "$found" = 0 ]; then
		echo "# $suite: no test scripts selected"
		return
	fi
	after=$(host_state)
	if [ "$before" = "$after" ]; then
		record "PASS $suite/host: /etc and the mount table are unchanged"
	else
		record "FAIL $suite/host: /etc or the mount table changed (see below)"
		printf '%s\n' "$before" >"$LOGS/$suite/host.before"
		printf '%s\n' "$after" >"$LOGS/$suite/host.after"
		diff "$LOGS/$suite/host.before" "$LOGS/$suite/host.after" | details 20
	fi
}

# ---- main ----------------------------------------------------------------

for s in $suites; do
	case $s in
	unit) run_unit unit "$BUILD" "" ;;
	pam) run_pam pam "$BUILD" "" "tests/pam/t_*.sh" ;;
	e2e) run_pam e2e "$BUILD" "" "tests/e2e/t_*.sh" ;;
	security) run_pam security "$BUILD" "" "tests/security/t_*.sh" ;;
	bench)
		# CI runs the quick benchmark so that it cannot rot; it does not
		# judge the figures, only that every case ran and verified its
		# namespaces (bench_login stops on a wrong result).
		log=$LOGS/bench-quick.log
		run_timed "$log" timeout -k 10 "$TIMEOUT" make -s bench-quick
		rc=$?
		if [ "$rc" = 0 ] && grep -q '^bench_login: done' "$log" && ! grep -q 'FAILED' "$log"; then
			record "PASS bench/quick: every case ran and verified its sets"
		else
			record "FAIL bench/quick (exit status $rc)"
			details 30 <"$log"
		fi
		;;
	fuzz)
		# Each fuzzer prints its own PASS/FAIL line (mk/security.mk).
		log=$LOGS/fuzz.log
		run_timed "$log" timeout -k 10 "$TIMEOUT" make -s check-fuzz
		rc=$?
		grep -E '^(PASS|FAIL) ' "$log" | while IFS= read -r line; do record "$line"; done
		if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$log"; then
			record "FAIL fuzz (exit status $rc)"
			details 20 <"$log"
		fi
		;;
	asan-unit)
		if [ -d "$BUILD_ASAN" ]; then
			run_unit asan-unit "$BUILD_ASAN" "$ASAN_ENV"
		else
			record "FAIL asan-unit (no $BUILD_ASAN: make SANITIZE=1 all)"
		fi
		;;
	asan-pam) run_pam asan-pam "$BUILD_ASAN" "$ASAN_PAM_ENV" "tests/pam/t_*.sh" ;;
	esac
done

passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && exit 0
exit 1
