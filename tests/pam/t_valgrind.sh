#!/bin/sh
# pam_nsset.so under valgrind memcheck, in a real PAM application (the
# nsset-login driver): creating and joining sets of every shape, refusing a
# bad policy. Any memcheck error or definite leak fails the case. This also
# covers the leak check that LeakSanitizer cannot do in the asan-pam runs.
. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER"
command -v valgrind >/dev/null || { case_begin valgrind; fail "valgrind not installed"; summary; }
# Every namespace type this kernel has: user-mode-linux's 6.1 has no time
# namespaces (t_core checks that a time rule is refused there).
EVERY=mnt,uts,ipc,net,pid,cgroup,time EVERY_CASE="every namespace type"
if ! have_ns time; then
	EVERY=mnt,uts,ipc,net,pid,cgroup EVERY_CASE="every namespace type but time (this kernel has none)"
fi
write_policy "alice user $EVERY tmp=private:size=8m hostname=vg-%u
bob user uts,ipc,net
erin session mnt,net tmp=private
frank none"
write_service nsset-test ""

vg() { # USER: one login under memcheck
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite "$NSSET_LOGIN" -s "$NSSET_SERVICE" "$1" true
	# memcheck's findings (its notes on unknown ioctls are not findings)
	report=$(printf '%s\n' "$STDERR" | grep -E '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination|Argument|.*definitely lost)' || true)
	assert_eq 0 "$RC" "memcheck exit status for $1" || printf '%s\n' "$STDERR" | tail -n 30 >&2
	assert_eq "" "$report" "memcheck report for $1"
}

case_begin "valgrind: create and join a set of $EVERY_CASE"
vg alice
vg alice
case_begin "valgrind: a set without a mount namespace"
vg bob
case_begin "valgrind: a session set, made and torn down"
vg erin
case_begin "valgrind: a user left alone, and a refused policy"
vg frank
write_policy 'alice user mnt,bogus'
run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	"$NSSET_LOGIN" -s "$NSSET_SERVICE" alice true
assert_eq 10 "$RC" "refused at account, no memcheck error"
summary
