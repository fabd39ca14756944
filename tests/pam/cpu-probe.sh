#!/bin/sh
# Run by t_cpus.sh in a sandbox whose namespaces were made on one CPU: a
# first set (and the template) and more sets made from every CPU must work.
. "$(dirname "$0")/../lib/assert.sh"
write_policy 'solo session mnt,uts,ipc,net,pid tmp=private'
write_service nsset-test ""
case_begin "sets made from every CPU (sandbox made on CPU ${NSSET_SANDBOX_CPU:-?})"
for cpu in $(cpus); do
	run on_cpu "$cpu" "$NSSET_LOGIN" -s "$NSSET_SERVICE" solo cat /run/nsset/self
	assert_eq 0 "$RC" "login pinned to CPU $cpu: $STDERR" || break
	assert_contains "$STDOUT" "set=session/" "marker"
done
summary
