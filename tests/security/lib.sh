# Shared setup of the security tests (tests/security/t_*.sh).  POSIX sh.
#
# Sourced by a test script running inside the sandbox (tests/lib/sandbox.sh).
# Installs nsset the way `make install PREFIX=/usr/local` does, onto a tmpfs
# mounted over /usr/local (suid allowed), so that /usr/local/bin/nsset-enter
# is a real setuid-root copy with the compiled-in paths of a default build:
# /etc/security/nsset.conf, /run/nsset, /usr/local/libexec/nsset/nsset-holder.
# Nothing is built here and `make` is not called (other files may be in
# flux): `make check-security` builds first.
#
#   NSSET_SEC_ENTER=FILE   install FILE as nsset-enter instead of
#                          $NSSET_BUILD/nsset-enter (tests/security/mutants.sh
#                          uses it to run the tests against broken variants)
#
# Provides:
#   ENTER PROBE LAUNCH PRELOAD HOLDER_BIN   installed paths
#   as USER CMD...         run CMD as USER (real uid/gid, NSS groups), the way
#                          a user runs a setuid program
#   (as_exec USER CMD...) &    the same in the background, $! is CMD's pid
#   as_groups USER GIDS CMD...   the same with the given supplementary gids
#   set_of USER            the first line of the marker that a program run by
#                          nsset-enter as USER sees ("set=user/2001"), or ""
#   holder_pid SETNAME / init_pid SETNAME   from the set's meta
#   settle_gone PATH [SEC] wait until PATH no longer exists
#   wait_for CMD...        retry CMD for up to 10 s
#   wait_until 'SHELL CODE'  the same for code evaluated afresh each time
#   proc_ids PID           "Uid: ... Gid: ... Groups: ..." of a process
#   slow_holder SECONDS | normal_holder
#                          put a holder in place that sleeps first (and
#                          touches $OUT/slow-holder.started), or the real one

SEC_TOOLS=$NSSET_BUILD/tests/security
NSSET_HOLDER=/usr/local/libexec/nsset/nsset-holder
export NSSET_HOLDER
. "$(dirname "$0")/../lib/assert.sh"
require_file "$NSSET_BUILD/nsset-enter" "$NSSET_BUILD/nsset-holder" "$NSSET_MODULE" "$NSSET_LOGIN" \
	"$SEC_TOOLS/nsset-sec-probe" "$SEC_TOOLS/nsset-sec-launch" "$SEC_TOOLS/libnsset-sec-preload.so"

ENTER=/usr/local/bin/nsset-enter
HOLDER_BIN=/usr/local/libexec/nsset/nsset-holder
SECLIB=/usr/local/lib/nsset-sec
PROBE=$SECLIB/nsset-sec-probe
LAUNCH=$SECLIB/nsset-sec-launch
PRELOAD=$SECLIB/libnsset-sec-preload.so
NSSET_MODULE=/usr/local/lib/security/pam_nsset.so

sec_install() {
	mount -t tmpfs -o mode=0755,size=64m nsset-usr-local /usr/local || return 1
	install -d /usr/local/bin /usr/local/libexec/nsset /usr/local/lib/security "$SECLIB" &&
		install -m 4755 "${NSSET_SEC_ENTER:-$NSSET_BUILD/nsset-enter}" "$ENTER" &&
		install -m 0755 "${NSSET_SEC_HOLDER:-$NSSET_BUILD/nsset-holder}" "$HOLDER_BIN" &&
		install -m 0755 "${NSSET_SEC_HOLDER:-$NSSET_BUILD/nsset-holder}" "$HOLDER_BIN.real" &&
		install -m 0644 "$NSSET_BUILD/pam_nsset.so" "$NSSET_MODULE" &&
		install -m 0755 "$SEC_TOOLS/nsset-sec-probe" "$SEC_TOOLS/nsset-sec-launch" "$SECLIB/" &&
		install -m 0644 "$SEC_TOOLS/libnsset-sec-preload.so" "$PRELOAD"
}

case_begin "setup: setuid nsset-enter installed under /usr/local"
if ! sec_install; then
	fail "could not install onto a tmpfs over /usr/local"
	summary
fi
assert_eq "4755 0:0" "$(stat -c '%a %u:%g' "$ENTER")" "mode of nsset-enter"
[ -n "${NSSET_SEC_ENTER:-}" ] && echo "  (nsset-enter is the variant $NSSET_SEC_ENTER)" >&2
[ -n "${NSSET_SEC_HOLDER:-}" ] && echo "  (nsset-holder is the variant $NSSET_SEC_HOLDER)" >&2
write_service nsset-test ""

as() {
	_s_user=$1
	shift
	setpriv --reuid="$_s_user" --regid="$_s_user" --init-groups -- "$@"
}

# For background jobs: `(as_exec USER CMD...) &` makes $! the pid that
# becomes CMD (a plain `as ... &` would be a forked shell running setpriv).
as_exec() {
	_s_user=$1
	shift
	exec setpriv --reuid="$_s_user" --regid="$_s_user" --init-groups -- "$@"
}

as_groups() {
	_s_user=$1 _s_groups=$2
	shift 2
	setpriv --reuid="$_s_user" --regid="$_s_user" --groups="$_s_groups" -- "$@"
}

set_of() {
	as "$1" "$ENTER" -- cat /run/nsset/self 2>/dev/null </dev/null | sed -n 1p
}

meta_field() { # SETNAME FIELD
	sed -n "s/^$2=//p" "$NSSET_STORE/$1/meta" 2>/dev/null
}
holder_pid() { meta_field "$1" holder_pid; }
init_pid() { meta_field "$1" init_pid; }

settle_gone() {
	_s_n=0
	while [ -e "$1" ]; do
		_s_n=$((_s_n + 1))
		[ $_s_n -lt $(($(slow "${2:-10}") * 20)) ] || return 1
		sleep 0.05
	done
}

wait_for() {
	_s_n=0
	until "$@"; do
		_s_n=$((_s_n + 1))
		[ $_s_n -lt $((200 * NSSET_TEST_SLOW)) ] || return 1
		sleep 0.05
	done
}

wait_until() {
	_s_n=0
	until eval "$1"; do
		_s_n=$((_s_n + 1))
		[ $_s_n -lt $((200 * NSSET_TEST_SLOW)) ] || return 1
		sleep 0.05
	done
}

proc_ids() {
	grep -E '^(Uid|Gid|Groups):' "/proc/$1/status" | tr -s '\t ' ' ' | tr '\n' ' '
}

slow_holder() {
	rm -f "$OUT/slow-holder.started"
	cat >"$HOLDER_BIN.slow" <<EOF
#!/bin/sh
# A holder that takes its time, so that tests can act while nsset-enter
# waits for it (holding the set's lock, with root's real uid).
: >"$OUT/slow-holder.started"
sleep $1
exec "$HOLDER_BIN.real" "\$@"
EOF
	chmod 0755 "$HOLDER_BIN.slow" && mv -f "$HOLDER_BIN.slow" "$HOLDER_BIN"
}

normal_holder() {
	install -m 0755 "$HOLDER_BIN.real" "$HOLDER_BIN.new" && mv -f "$HOLDER_BIN.new" "$HOLDER_BIN"
}

# Nothing of a set being built or torn down is left in the store.
store_leftovers() {
	ls -a "$NSSET_STORE" 2>/dev/null | grep -E '^\.(build|dead)-' || true
}
