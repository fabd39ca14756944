#!/bin/sh
# The false EINVAL of recent kernels on mnt ns binds depends on which CPU made
# the caller's mount namespace and which makes the new one (DESIGN.md, "Sharp
# edges"). For every CPU, make a sandbox there and create sets pinned to
# every CPU inside it.
. "$(dirname "$0")/../lib/assert.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
for sc in $(cpus); do
	case_begin "nested sandbox made on CPU $sc: sets from every CPU"
	out=$(NSSET_SANDBOX_CPU=$sc sh "$REPO/tests/lib/sandbox.sh" sh "$REPO/tests/pam/cpu-probe.sh" 2>&1)
	rc=$?
	assert_eq 0 "$rc" "probe exit status" || printf '%s\n' "$out" | sed 's/^/  probe| /' >&2
	assert_contains "$out" "1 passed, 0 failed" "probe summary"
done
summary
