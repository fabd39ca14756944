#!/bin/sh
# The README's demo as a test: demo/inner.sh (a real sshd with pam_nsset,
# six real SSH logins into user, group and session sets, the table of what
# each sees of the others, and its "In short" checks, then logout), run in
# the test sandbox as `make demo` runs it in its own. A change that breaks
# what a new user sees first fails `make check`.
#
#   sh tests/lib/sandbox.sh sh tests/e2e/t_demo.sh

. "$(dirname "$0")/../lib/assert.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

case_begin "make demo: six SSH logins, every 'In short' line holds, all sets gone at logout"
OUTF=$NSSET_TEST_DIR/demo.out
sh "$REPO/demo/inner.sh" >"$OUTF" 2>&1 3>&-
rc=$?
out=$(cat "$OUTF")
assert_eq 0 "$rc" "demo/inner.sh exit status (output: $(tail -n 5 "$OUTF" | tr '\n' ' '))"
# Its checks, under "In short": one that does not hold is marked '!'
# instead of '*'.
checks=$(sed -n '/In short/,/^$/p' "$OUTF")
assert_eq 5 "$(printf '%s\n' "$checks" | grep -c '^    \* ')" "the demo's checks that hold (marked '*')"
assert_eq 0 "$(printf '%s\n' "$checks" | grep -c '^    ! ')" "the demo's checks that fail (marked '!')"
assert_not_contains "$out" "FAILED" "no step failed"
assert_contains "$out" "all 5 sets removed with their last session" "logout"

summary
