#!/bin/sh
# A namespace type the running kernel lacks (Debian 12's user-mode-linux
# kernel has no time namespaces) is refused early, by name: in the account
# phase of pam_nsset.so (and in the session phase alone), by nsset-enter
# before anything is made, and reported by nssetctl check.
#
# The kernel is played by copies of the module, nssetctl and nsset-enter
# that differ from the default build in one compiled-in path only: they read
# the kernel's namespace types from /run/nsset-fake-ns instead of
# /proc/self/ns (mk/nskernel.mk). This script fills that directory with the
# entries of the kernel it plays; everything else is real (libpam, the
# holder, the namespaces of the logins that are allowed). The last cases
# run the default build against the real kernel, whichever it is.
#
#   make tests && sh tests/lib/sandbox.sh sh tests/pam/t_kernel.sh

. "$(dirname "$0")/../lib/assert.sh"
FAKE=$NSSET_BUILD/tests/fakens
FAKE_DIR=/run/nsset-fake-ns
require_file "$NSSET_LOGIN" "$NSSET_MODULE" "$NSSET_HOLDER" "$NSSET_BUILD/nssetctl" \
	"$FAKE/pam_nsset.so" "$FAKE/nssetctl" "$FAKE/nsset-enter"
CONF=/etc/security/nsset.conf

POLICY='# a kernel without some namespace types
root        none
frank       none
alice       user      mnt,ipc,time            tmp=private
bob         user      mnt,ipc                 tmp=private
@students   group     mnt,uts,cgroup
erin        session   all'
write_policy "$POLICY"
# account+session, as in the hardened stack; and each phase alone.
NSSET_MODULE=$FAKE/pam_nsset.so
write_service nsset-test ""
write_service nsset-acct "" account
write_service nsset-sess "" session

# The kernel this test plays: every type but the ones named.
kernel_without() {
	rm -rf "$FAKE_DIR" && mkdir -p "$FAKE_DIR" || return 1
	for _t in mnt uts ipc net pid cgroup time user; do
		case " $* " in *" $_t "*) continue ;; esac
		ln -s "/proc/self/ns/$_t" "$FAKE_DIR/$_t" || return 1
	done
}
no_set_made() { # SCOPE ID: no directory, no word of it in the log
	[ ! -e "$(set_dir "$1" "$2")" ] || fail "set $1/$2 was made"
	assert_log_not_contains "$1/$2" 0
}
TIME_MSG="namespace 'time' is not supported by this kernel (no $FAKE_DIR/time)"

# ---------------------------------------------------------------------------
case_begin "without time: a rule that does not need it logs in as before"
kernel_without time || fail "fake ns dir"
run login bob sh -c 'readlink /proc/self/ns/mnt'
assert_eq 0 "$RC" "bob's login" || { cat "$NSSET_TEST_LOG" >&2; return; }
assert_ne "$(readlink /proc/self/ns/mnt)" "$STDOUT" "bob's mnt namespace"
[ -d "$(set_dir user 2002)" ] || fail "no set user/2002"

case_begin "without time: the account phase refuses a rule that needs it, by name"
log_mark
run login -s nsset-acct alice true
assert_eq 10 "$RC" "nsset-login exit (10: account refused)"
assert_log_contains "pam_nsset(nsset-acct:account): user alice: refusing login: $CONF:4: $TIME_MSG"
assert_contains "$STDERR" "nsset: this system cannot make your namespace set; login refused." \
	"told the user"
assert_log_not_contains "cannot decide"
no_set_made user 2001

case_begin "without time: the full stack stops at the account phase, nothing is made"
log_mark
run login alice true
assert_eq 10 "$RC" "nsset-login exit"
assert_log_contains "user alice: refusing login: $CONF:4: $TIME_MSG"
assert_log_not_contains "(nsset-test:session)"
no_set_made user 2001

case_begin "without time: a session-only stack refuses it the same way"
log_mark
run login -s nsset-sess alice true
assert_eq 11 "$RC" "nsset-login exit (11: open_session failed)"
assert_log_contains "pam_nsset(nsset-sess:session): user alice: refusing login: $CONF:4: $TIME_MSG"
no_set_made user 2001

case_begin "without cgroup and time: each rule names what it lacks"
kernel_without cgroup time || fail "fake ns dir"
log_mark
run login carol true
assert_eq 10 "$RC" "carol (@students: mnt,uts,cgroup)"
assert_log_contains "user carol: refusing login: $CONF:6: namespace 'cgroup' is not supported by this kernel (no $FAKE_DIR/cgroup)"
run login erin true
assert_eq 10 "$RC" "erin (all)"
assert_log_contains "user erin: refusing login: $CONF:7: namespaces 'cgroup', 'time' are not supported by this kernel (no $FAKE_DIR/cgroup, $FAKE_DIR/time)"
run login bob true
assert_eq 0 "$RC" "bob (mnt,ipc) still logs in"
run login frank true
assert_eq 0 "$RC" "frank (scope none) is left alone"
no_set_made group 3001

case_begin "nssetctl check --config: a warning per rule, exit status 0"
kernel_without time || fail "fake ns dir"
run "$FAKE/nssetctl" check --config "$CONF"
assert_eq 0 "$RC" "exit status (warnings only)"
assert_contains "$STDOUT" "$CONF:4: warning: $TIME_MSG (logins under this rule are refused on this machine)"
assert_contains "$STDOUT" "$CONF:7: warning: $TIME_MSG (logins under this rule are refused on this machine)"
assert_eq 2 "$(printf '%s\n' "$STDOUT" | grep -c 'not supported by this kernel')" "kernel warnings"
assert_contains "$STDOUT" "$CONF: 6 rule(s), 0 error(s), 2 warning(s)"

case_begin "nssetctl check USER: the login is refused, exit status 1"
run "$FAKE/nssetctl" check alice
assert_eq 1 "$RC" "exit status"
assert_contains "$STDOUT" "rule     $CONF:4: alice       user      mnt,ipc,time            tmp=private"
assert_contains "$STDOUT" "set      user/2001 (user alice, uid 2001)"
assert_contains "$STDOUT" "result   login refused: $CONF:4: $TIME_MSG"
assert_not_contains "$STDOUT" "exists"
run "$FAKE/nssetctl" check bob
assert_eq 0 "$RC" "bob: exit status"
assert_not_contains "$STDOUT" "login refused" "bob"
assert_contains "$STDOUT" "exists   yes, ok" "bob's set from the first case"
run "$FAKE/nssetctl" check bob alice
assert_eq 1 "$RC" "bob and alice: exit status"

# nsset-enter is setuid root; it is installed like `make install` does, on
# a tmpfs over /usr/local (its compiled-in holder path is there).
case_begin "nsset-enter: refused by name before anything is made"
if mount -t tmpfs -o mode=0755,size=64m nsset-usr-local /usr/local &&
	install -d /usr/local/bin /usr/local/libexec/nsset &&
	install -m 4755 "$FAKE/nsset-enter" /usr/local/bin/nsset-enter &&
	install -m 0755 "$NSSET_HOLDER" /usr/local/libexec/nsset/nsset-holder; then
	as() { _u=$1; shift; setpriv --reuid "$_u" --regid "$_u" --init-groups "$@"; }
	log_mark
	run as alice /usr/local/bin/nsset-enter -c 'echo inside'
	assert_eq 125 "$RC" "exit status (125: could not place)"
	assert_eq "" "$STDOUT" "nothing ran"
	assert_eq "nsset-enter: user alice: $CONF:4: $TIME_MSG" "$STDERR" "stderr"
	assert_log_contains "nsset-enter[" && assert_log_contains "user alice: $CONF:4: $TIME_MSG"
	no_set_made user 2001
	kernel_without cgroup time || fail "fake ns dir"
	run as erin /usr/local/bin/nsset-enter -c 'echo inside'
	assert_eq 125 "$RC" "erin (all) without cgroup and time"
	assert_eq "nsset-enter: user erin: $CONF:7: namespaces 'cgroup', 'time' are not supported by this kernel (no $FAKE_DIR/cgroup, $FAKE_DIR/time)" \
		"$STDERR" "erin's stderr"
	# The same binary places a rule the kernel can honour.
	kernel_without time || fail "fake ns dir"
	run as bob /usr/local/bin/nsset-enter -c 'echo inside; readlink /proc/self/ns/mnt'
	assert_eq 0 "$RC" "bob's exit status"
	assert_eq "inside" "$(printf '%s\n' "$STDOUT" | sed -n 1p)" "bob's command ran"
	assert_eq "mnt:[$(stat -L -c %i "$(set_dir user 2002)/mnt")]" \
		"$(printf '%s\n' "$STDOUT" | sed -n 2p)" "bob's command ran in his set"
else
	fail "could not install nsset-enter on a tmpfs over /usr/local"
fi

# ---------------------------------------------------------------------------
# The default build on the real kernel: time either works or is refused by
# name, never with the generic message.
NSSET_MODULE=$NSSET_BUILD/pam_nsset.so
write_service nsset-test ""
case_begin "default build, real kernel: a time rule is placed or refused by name"
log_mark
run login alice sh -c 'readlink /proc/self/ns/time'
if [ -e /proc/self/ns/time ] || [ -L /proc/self/ns/time ]; then
	assert_eq 0 "$RC" "alice's login (this kernel has time namespaces)"
	assert_ne "$(readlink /proc/self/ns/time)" "$STDOUT" "alice's time namespace"
	run "$NSSET_BUILD/nssetctl" check --config "$CONF" alice
	assert_eq 0 "$RC" "nssetctl check"
	assert_not_contains "$STDOUT" "not supported by this kernel"
else
	assert_eq 10 "$RC" "alice's login (this kernel has no time namespaces)"
	assert_log_contains "user alice: refusing login: $CONF:4: namespace 'time' is not supported by this kernel (no /proc/self/ns/time)"
	run "$NSSET_BUILD/nssetctl" check --config "$CONF"
	assert_contains "$STDOUT" "$CONF:4: warning: namespace 'time' is not supported by this kernel (no /proc/self/ns/time)"
fi
summary
