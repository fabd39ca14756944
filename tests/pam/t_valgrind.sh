#!/bin/sh
# pam_nsset.so under valgrind memcheck, in a real PAM application (the
# nsset-login driver): creating and joining sets of every shape, refusing a
# bad policy, the module twice in one stack, nested logins. Any memcheck
# error or definite leak fails the case. This also covers the leak check
# that LeakSanitizer cannot do in the asan-pam runs.
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
case_begin "valgrind: the module twice in one transaction, and a nested login"
write_service nsset-inner ""
write_service_raw nsset-twice "@include nsset-inner
account required $NSSET_MODULE holder=$NSSET_HOLDER
session required $NSSET_MODULE holder=$NSSET_HOLDER"
NSSET_SERVICE=nsset-twice vg alice
# Root inside bob's set (no marker: judged through the store) logs bob in
# again, and alice in (refused, the class said once), under memcheck.
rm -f "$OUT/vgn"
"$NSSET_LOGIN" -s nsset-test -n bob sh -c "
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		$NSSET_LOGIN -s nsset-twice bob true 2>&1; echo rc=\$?
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		$NSSET_LOGIN -s nsset-twice alice true 2>&1; echo rc=\$?" >"$OUT/vgn" 2>&1
sed 's/^/  vgn| /' "$OUT/vgn" >&2
assert_eq "rc=0
rc=10" "$(grep '^rc=' "$OUT/vgn")" "nested bob in place (0), alice refused at account (10)"
assert_eq "" "$(grep -E '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|.*definitely lost)' "$OUT/vgn")" \
	"memcheck report"
assert_eq 1 "$(grep -c 'This login comes from inside' "$OUT/vgn")" "the refusal said once"

case_begin "valgrind: a user left alone, and a refused policy"
vg frank
write_policy 'alice user mnt,bogus'
run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	"$NSSET_LOGIN" -s "$NSSET_SERVICE" alice true
assert_eq 10 "$RC" "refused at account, no memcheck error"
summary
