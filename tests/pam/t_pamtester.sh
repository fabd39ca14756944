#!/bin/sh
# pam_nsset.so driven by the stock pamtester under pam_wrapper (the recipe of
# STYLE.md): a second, independent PAM application next to nsset-login. With
# PAM_WRAPPER_DEBUGLEVEL=2, pam_syslog lines come out on stderr as SYSLOG(...).
. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_MODULE" "$NSSET_HOLDER"
command -v pamtester >/dev/null || { case_begin pamtester; fail "pamtester not installed"; summary; }
WRAPPER=$(ls /usr/lib/*/libpam_wrapper.so 2>/dev/null | head -n 1)
SVCDIR=$NSSET_TEST_DIR/pamwrap
mkdir -p "$SVCDIR"
cat >"$SVCDIR/nsset-pt" <<EOT
account required pam_permit.so
account required $NSSET_MODULE holder=$NSSET_HOLDER debug
session required pam_permit.so
session required $NSSET_MODULE holder=$NSSET_HOLDER debug
EOT
# An ASan-built module needs the ASan runtime loaded first in the stock,
# uninstrumented pamtester.
PRELOAD=$WRAPPER
if ldd "$NSSET_MODULE" | grep -q libasan; then
	PRELOAD="$(ldd "$NSSET_MODULE" | awk '/libasan/ { print $3 }') $WRAPPER"
fi
pt() { # USER OPS...: pamtester under pam_wrapper
	run env LD_PRELOAD="$PRELOAD" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SVCDIR" \
		PAM_WRAPPER_DEBUGLEVEL=2 pamtester -v nsset-pt "$@"
}

write_policy 'erin session mnt,net,ipc tmp=private
alice user mnt,uts,ipc hostname=pt-%u
bob none'

case_begin "pamtester: a session set is made at open and gone after close"
[ -n "$WRAPPER" ] || fail "libpam_wrapper.so not found"
pt erin acct_mgmt open_session close_session
assert_eq 0 "$RC" "pamtester exit status"
assert_contains "$STDERR" "created and joined set session/" "pam_syslog via pam_wrapper"
assert_contains "$STDERR" "session in set session/" "close_session ran"
assert_eq "" "$(ls -A "$NSSET_STORE/session")" "session sets left"

case_begin "pamtester: a user set is made once and kept (keep=always)"
pt alice open_session close_session
assert_eq 0 "$RC" "first"
assert_contains "$STDERR" "created and joined set user/2001"
pt alice open_session close_session
assert_eq 0 "$RC" "second"
assert_contains "$STDERR" "joined set user/2001"
assert_not_contains "$STDERR" "created and joined" "second login created nothing"
[ -d "$(set_dir user 2001)" ] || fail "user/2001 not kept"

case_begin "pamtester: a user with scope none is ignored"
pt bob acct_mgmt open_session close_session
assert_eq 0 "$RC" "pamtester exit status"
assert_contains "$STDERR" "rule with scope none: left alone"

case_begin "pamtester: a broken policy fails acct_mgmt and names file:line"
write_policy 'alice user mnt tmp=public'
pt alice acct_mgmt
assert_ne 0 "$RC" "pamtester exit status"
assert_contains "$STDERR" "/etc/security/nsset.conf:1: invalid tmp value: 'tmp=public'"

# systemd's user manager (PAM service systemd-user) cannot run in a pid or
# cgroup set: refused with the reason before any set is made. The real
# user@.service is driven in make check-debian12-systemd.
case_begin "pamtester: systemd-user is refused a pid or cgroup set, placed in others"
cp "$SVCDIR/nsset-pt" "$SVCDIR/systemd-user"
write_policy 'erin user mnt,ipc,pid
bob user mnt,cgroup
alice user mnt,uts,ipc'
before=$(ls -A "$NSSET_STORE/user")
for who in erin:pid bob:cgroup; do
	run env LD_PRELOAD="$PRELOAD" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SVCDIR" \
		PAM_WRAPPER_DEBUGLEVEL=2 pamtester -v systemd-user "${who%%:*}" open_session
	assert_ne 0 "$RC" "${who%%:*}: pamtester exit status"
	assert_contains "$STDERR" "user ${who%%:*}: systemd's user manager cannot run in a set with a ${who#*:} namespace (/etc/security/nsset.conf:"
	assert_not_contains "$STDERR" "created and joined" "${who%%:*}: no set made"
done
assert_eq "$before" "$(ls -A "$NSSET_STORE/user")" "sets made for refused sessions"
run env LD_PRELOAD="$PRELOAD" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SVCDIR" \
	PAM_WRAPPER_DEBUGLEVEL=2 pamtester -v systemd-user alice open_session close_session
assert_eq 0 "$RC" "alice (mnt,uts,ipc): pamtester exit status"
assert_contains "$STDERR" "joined set user/2001"
pt erin open_session close_session
assert_eq 0 "$RC" "erin's pid set through another service"

summary
