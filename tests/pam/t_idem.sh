#!/bin/sh
# Idempotent placement (issue 15): pam_nsset twice in one PAM transaction
# (Debian's su-l includes su, runuser-l includes runuser), and a nested PAM
# application run from inside the set the user belongs in (su - alice in
# alice's set) find the session placed and do nothing. From inside one set
# a login into another stays refused, and every refusal tells the user its
# class, never another user's set. Driven through nsset-login; a nested
# login is nsset-login run by root (-n) inside a user's set.
#
#   sh tests/lib/sandbox.sh sh tests/pam/t_idem.sh

. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER"

# No tmp=private: the nested logins run nsset-login and load pam_nsset.so
# from the build tree inside the sets, and a build tree under /tmp (a clone
# in /tmp, as CI's may be) would be hidden there.
POLICY='# test policy
root        none
@ci         session   mnt,net,ipc
alice       user      mnt,uts,ipc,net,pid     hostname=box-%u
bob         user      mnt,ipc,pid
carol       user      uts,ipc,net             hostname=nomnt-%u
*           user      mnt,ipc                 keep=sessions'
write_policy "$POLICY"
write_service nsset-test "debug"
# su-l includes su: the module twice in each stack, as an admin who lists
# it in both files gets.
write_service nsset-inner "debug"
write_service_raw nsset-twice "@include nsset-inner
account required $NSSET_MODULE debug holder=$NSSET_HOLDER
session required $NSSET_MODULE debug holder=$NSSET_HOLDER"
write_service nsset-sess "debug" "session"

CLASS_INSIDE="This login comes from inside another namespace set"
CLASS_POLICY="The namespace set policy cannot be applied to this login"
WHERE="The administrator finds the detail in the system log"

sessions_of() { ls "$(set_dir "$1" "$2")/sessions" 2>/dev/null | wc -l; }
# Prints the namespaces a set may have, on one line (run inside sessions).
NSLINE=$OUT/nsline.sh
printf '%s\n' '#!/bin/sh' \
	'for t in mnt uts ipc net pid cgroup; do readlink /proc/self/ns/$t; done | tr "\n" " "' >"$NSLINE"
chmod 0755 "$NSLINE"
# The nested login: a shell snippet for a root session inside a set, that
# runs nsset-login for USER and prints the namespaces outside and inside,
# the inner user and nsset-login's status.
nested() { # USER [SERVICE]
	printf '%s' "echo outer=\$($NSLINE)
$NSSET_LOGIN -s ${2:-nsset-test} $1 sh -c 'echo inner=\$($NSLINE); id -un'
echo rc=\$?"
}

# ---------------------------------------------------------------------------
case_begin "the module twice in one transaction: the session is placed once"
log_mark
login_bg -s nsset-twice alice tw 'cat /run/nsset/self; id -un'
TW=$LOGIN_PID
wait_file tw || return
assert_contains "$(cat "$OUT/tw")" "set=user/2001" "alice's marker"
assert_contains "$(cat "$OUT/tw")" "alice" "runs as alice"
assert_eq 1 "$(sessions_of user 2001)" "session entries"
assert_log_contains "user alice placed in set user/2001"
assert_log_contains "this transaction's session is in set user/2001 already: nothing to do"
assert_eq 1 "$(log_since_mark | grep -c 'placed in set user/2001')" "placements logged"
end_session "$TW" || fail "the session did not close cleanly"
assert_eq 0 "$(sessions_of user 2001)" "session entries after the logout"

case_begin "twice in one transaction, keep=sessions: one entry, the set goes at the logout"
login_bg -s nsset-twice dave tw2 'cat /run/nsset/self'
TW2=$LOGIN_PID
wait_file tw2 || return
assert_eq 1 "$(sessions_of user 2004)" "session entries"
end_session "$TW2" || fail "the session did not close cleanly"
n=0
while [ -e "$(set_dir user 2004)" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
[ ! -e "$(set_dir user 2004)" ] || fail "dave's set outlived his only session"

case_begin "nested: root inside alice's set logs alice in again, nothing is done"
login_bg alice hold ':'
HOLD=$LOGIN_PID
wait_file hold || return
log_mark
login_bg -n alice n1 "$(nested alice)"
N1=$LOGIN_PID
wait_file n1 || return
sed 's/^/  n1| /' "$OUT/n1" >&2
assert_eq "rc=0" "$(grep '^rc=' "$OUT/n1")" "the nested login" &&
	assert_eq "$(sed -n 's/^outer=//p' "$OUT/n1")" "$(sed -n 's/^inner=//p' "$OUT/n1")" \
		"namespaces of the nested session vs its caller's" &&
	assert_contains "$(cat "$OUT/n1")" "alice"
assert_eq 2 "$(sessions_of user 2001)" "session entries (the two outer logins only)"
assert_log_contains "user alice: already in set user/2001 (a login from inside it): nothing to do"
assert_eq 1 "$(log_since_mark | grep -c 'already in set user/2001 (a login')" "logged once"
assert_log_not_contains "refusing"

case_begin "nested, the module twice in the transaction (su-l inside the set): once, nothing done"
log_mark
login_bg -n alice n1b "$(nested alice nsset-twice)"
wait_file n1b || return
sed 's/^/  n1b| /' "$OUT/n1b" >&2
assert_eq "rc=0" "$(grep '^rc=' "$OUT/n1b")" "the nested login" &&
	assert_eq "$(sed -n 's/^outer=//p' "$OUT/n1b")" "$(sed -n 's/^inner=//p' "$OUT/n1b")" \
		"namespaces of the nested session vs its caller's"
assert_eq 3 "$(sessions_of user 2001)" "session entries (the three outer logins only)"
assert_log_contains "this transaction's session is in set user/2001 already: nothing to do"
assert_eq 1 "$(log_since_mark | grep -c 'already in set user/2001 (a login')" "logged once"

case_begin "in alice's mount and pid namespaces only: the marker names her set, but that is not being inside"
SH=$(session_pid "$HOLD")
log_mark
# (pid too, so that the set's /proc shows the caller.)
run nsenter -t "$SH" --mount --pid "$NSSET_LOGIN" -s nsset-sess alice true
assert_eq 11 "$RC" "session refused"
assert_contains "$STDERR" "$CLASS_INSIDE" "the class"
assert_log_contains "sits in the mount namespace of a set but not in all of its namespaces"
assert_eq 3 "$(sessions_of user 2001)" "session entries (unchanged)"

case_begin "nested, a set without mnt (no marker): found by the store's ns files"
login_bg -n carol n2 "$(nested carol)"
N2=$LOGIN_PID
wait_file n2 || return
sed 's/^/  n2| /' "$OUT/n2" >&2
assert_eq "rc=0" "$(grep '^rc=' "$OUT/n2")" "the nested login" &&
	assert_eq "$(sed -n 's/^outer=//p' "$OUT/n2")" "$(sed -n 's/^inner=//p' "$OUT/n2")" \
		"namespaces of the nested session vs its caller's"
assert_eq 1 "$(sessions_of user 2003)" "session entries (the outer login only)"
assert_log_contains "user carol: already in set user/2003"

case_begin "nested, a session set: erin's own session set counts, no new set is made"
login_bg -n erin n3 "cat /run/nsset/self
$(nested erin)"
N3=$LOGIN_PID
wait_file n3 || return
sed 's/^/  n3| /' "$OUT/n3" >&2
assert_eq "rc=0" "$(grep '^rc=' "$OUT/n3")" "the nested login" &&
	assert_eq "$(sed -n 's/^outer=//p' "$OUT/n3")" "$(sed -n 's/^inner=//p' "$OUT/n3")" \
		"namespaces of the nested session vs its caller's"
assert_eq 1 "$(ls "$NSSET_STORE/session" | grep -vc '\.lock$')" "session sets"
assert_contains "$(cat "$OUT/n3")" "owner=2005" "the marker names the owner"

case_begin "from inside alice's set, a login of bob is refused, told why, no set named"
log_mark
login_bg -n alice n4 "$NSSET_LOGIN -s nsset-test bob true; echo rc=\$?
$NSSET_LOGIN -s nsset-sess bob true; echo rc=\$?"
N4=$LOGIN_PID
wait_file n4 || return
sed 's/^/  n4| /' "$OUT/n4" >&2
assert_eq "rc=10
rc=11" "$(grep '^rc=' "$OUT/n4")" "account refused (10), session refused (11)"
assert_contains "$(cat "$OUT/n4")" "nsset: cannot place this login in a namespace set from here; login refused." "account"
assert_contains "$(cat "$OUT/n4")" "nsset: cannot place this session in its namespace set." "session"
assert_contains "$(cat "$OUT/n4")" "$CLASS_INSIDE" "the class"
assert_contains "$(cat "$OUT/n4")" "$WHERE" "where the admin looks"
assert_not_contains "$(cat "$OUT/n4")" "user/" "a set's name"
assert_log_contains "user bob: refusing a login from inside a set: "
assert_log_contains "this process sits in set user/2001, not in the host's namespaces: nsset will not place it into set user/2002"
[ ! -e "$(set_dir user 2002)" ] || fail "a set of bob was made"

case_begin "from inside a set without mnt, another user's login is refused by identity"
log_mark
login_bg -n carol n5 "$NSSET_LOGIN -s nsset-sess bob true; echo rc=\$?"
wait_file n5 || return
sed 's/^/  n5| /' "$OUT/n5" >&2
assert_eq "rc=11" "$(grep '^rc=' "$OUT/n5")" "session refused"
assert_contains "$(cat "$OUT/n5")" "$CLASS_INSIDE" "the class"
assert_not_contains "$(cat "$OUT/n5")" "user/" "a set's name"
assert_log_contains "of set user/2003, not in the host's: nsset will not place it into set user/2002"

case_begin "a broken policy: the user is told the class (policy error) and where to look"
write_policy 'alice user mnt,bogus'
log_mark
run login alice true
assert_eq 10 "$RC" "account refused"
assert_contains "$STDERR" "nsset: cannot decide your namespace set; login refused." "headline"
assert_contains "$STDERR" "$CLASS_POLICY" "the class"
assert_contains "$STDERR" "$WHERE" "where the admin looks"
assert_not_contains "$STDERR" "bogus" "the detail"
assert_log_contains "unknown namespace"
write_policy "$POLICY"

case_begin "silent: a refusal tells the user nothing"
write_policy 'alice user mnt,bogus'
run login -q alice true
assert_eq 10 "$RC" "account refused"
assert_not_contains "$STDERR" "nsset:" "what the user reads"
write_policy "$POLICY"

summary
