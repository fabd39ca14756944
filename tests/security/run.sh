#!/bin/sh
# Run the security tests of the setuid helper, each script in its own
# sandbox, and print one line per case, then `N passed, M failed`.
#
#   sh tests/security/run.sh [t_NAME...]      (default: every t_*.sh here)
#
# Needs root (the sandbox does) and a build: `make check-security` builds
# nsset-enter, nsset-holder, pam_nsset.so, nsset-login and the test programs
# first. NSSET_BUILD (default build/) names the build; NSSET_SEC_ENTER an
# nsset-enter variant to install instead of the built one. Logs go to
# $NSSET_BUILD/test-logs/security/NAME.log; failures show their details.
# NSSET_TEST_TIMEOUT: seconds per script (default 300).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
NSSET_BUILD=${NSSET_BUILD:-$TOP/build}
case $NSSET_BUILD in /*) ;; *) NSSET_BUILD=$TOP/$NSSET_BUILD ;; esac
export NSSET_BUILD
LOGS=${NSSET_TEST_LOGS:-$NSSET_BUILD/test-logs}/security
mkdir -p "$LOGS" || exit 1
TIMEOUT=${NSSET_TEST_TIMEOUT:-300}

names=$*
[ -n "$names" ] || names=$(cd tests/security && ls t_*.sh | sed 's/\.sh$//')
passed=0
failed=0
for n in $names; do
	n=${n%.sh}
	t=tests/security/$n.sh
	log=$LOGS/$n.log
	if [ ! -f "$t" ]; then
		echo "FAIL security/$n (no such test script)"
		failed=$((failed + 1))
		continue
	fi
	timeout -k 10 "$TIMEOUT" sh tests/lib/sandbox.sh sh "$t" </dev/null >"$log" 2>&1
	rc=$?
	np=0
	nf=0
	while IFS= read -r line; do
		case $line in
		"PASS "*) echo "PASS security/$n: ${line#PASS }"; np=$((np + 1)) ;;
		"SKIP "*) echo "SKIP security/$n: ${line#SKIP }" ;;
		"FAIL "*)
			echo "FAIL security/$n: ${line#FAIL }"
			nf=$((nf + 1))
			awk -v f="$line" '
				/^--- case: / { on = index(f, "FAIL " substr($0, 11) " (") == 1; next }
				on && !/^(PASS|FAIL|SKIP) / { print }' "$log" | tail -n 25 | sed 's/^/    | /'
			;;
		esac
	done <"$log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL security/$n (timed out after ${TIMEOUT}s)"
		nf=$((nf + 1))
	elif [ "$rc" != 0 ] && [ "$nf" = 0 ]; then
		echo "FAIL security/$n (exit status $rc)"
		tail -n 15 "$log" | sed 's/^/    | /'
		nf=$((nf + 1))
	fi
	[ "$rc" = 0 ] && [ "$nf" = 0 ] || echo "    (log: $log)"
	passed=$((passed + np))
	failed=$((failed + nf))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
