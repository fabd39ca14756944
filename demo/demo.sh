#!/bin/sh
# nsset demo: real SSH logins into namespace sets, in a throwaway sandbox.
#
#   make demo                 (or: sh demo/demo.sh, as root, from the repository)
#
# On a Debian 12 machine, as root:
#   1. installs the packages it needs (tests/lib/install-deps.sh),
#   2. builds nsset (make all tests),
#   3. starts a sandbox (tests/lib/sandbox.sh: its own mount, net and pid
#      namespaces, scratch /etc/passwd, pam.d, /run ...) with a real sshd on
#      127.0.0.1 that uses pam_nsset.so, and logs six sessions in over SSH
#      (demo/inner.sh prints what they see),
#   4. logs them out, lets the sandbox die, and checks that the host is as
#      it was: mount table, /etc, /run/nsset, no process left behind.
#
# Environment: MAKE (make), NSSET_BUILD (build dir, default ./build).

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
MAKE=${MAKE:-make}
NSSET_BUILD=${NSSET_BUILD:-$TOP/build}
START=$(date +%s)

if [ -t 1 ]; then
	CB=$(printf '\033[1m') CG=$(printf '\033[32m') CR=$(printf '\033[31m') CD=$(printf '\033[2m') CN=$(printf '\033[0m')
else
	CB='' CG='' CR='' CD='' CN=''
fi
export CB CG CR CD CN

step() { printf '%s%s%s %s' "$CB" "$1" "$CN" "$2"; }
ok() { printf ' %sok%s%s\n' "$CG" "$CN" "${1:+ $CD($1)$CN}"; }
die() {
	printf ' %sFAILED%s\n%s\n' "$CR" "$CN" "$1" >&2
	[ -n "${2:-}" ] && [ -s "$2" ] && { echo "--- last lines of the log:" >&2; tail -n 25 "$2" >&2; }
	exit 1
}

printf '\n%snsset demo%s: namespace sets for SSH logins\n\n' "$CB" "$CN"

if [ "$(id -u)" != 0 ]; then
	echo "The demo needs root: it makes namespaces and mounts (in a sandbox; the host is left as it was)." >&2
	exit 1
fi

LOG=$(mktemp /tmp/nsset-demo.XXXXXX) || exit 1
STATE=$(mktemp /tmp/nsset-demo-state.XXXXXX) || exit 1
trap 'rm -f "$LOG" "$STATE" "$LOG.a" "$LOG.b"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

step "[1/6]" "packages ............."
sh tests/lib/install-deps.sh >"$LOG" 2>&1 &
DEPS=$!
told=0
while kill -0 "$DEPS" 2>/dev/null; do
	if [ $told = 0 ] && grep -q '^install-deps: installing' "$LOG"; then
		n=$(sed -n 's/^install-deps: installing: //p' "$LOG" | wc -w)
		printf ' %sinstalling %s packages (apt-get; a few minutes the first time)...%s' "$CD" "$n" "$CN"
		told=1
	fi
	sleep 0.5
done
if wait "$DEPS"; then
	if [ $told = 1 ]; then ok "installed"; else ok "all there"; fi
else
	die "could not install the packages the demo needs (as root on Debian: sh tests/lib/install-deps.sh)" "$LOG"
fi

step "[2/6]" "build ................"
if $MAKE --no-print-directory -s -C "$TOP" BUILD="$NSSET_BUILD" all tests >"$LOG" 2>&1; then
	ok "$(basename "$NSSET_BUILD")/: pam_nsset.so nsset-holder nsset-enter"
else
	die "the build failed" "$LOG"
fi

host_state() {
	for f in passwd group shadow gshadow; do
		[ -e "/etc/$f" ] && sha256sum "/etc/$f"
	done
	find /etc/pam.d /etc/security -xdev 2>/dev/null | sort | xargs -r ls -ld --time-style=+%s 2>/dev/null
	awk '{ print $5, $9 }' /proc/self/mountinfo | sort
	[ -e /run/nsset ] && echo "/run/nsset exists"
	# The demo's bridge and veth pairs live in the sandbox's network namespace.
	ip -o link show 2>/dev/null | sed 's/^[0-9]*: \([^:@]*\).*/\1/' | sort
	return 0
}
BEFORE=$(host_state)

# The sandbox writes the ids of its pid namespaces (its own and every set's)
# to fd 3, for the check below.
NSSET_BUILD=$NSSET_BUILD sh tests/lib/sandbox.sh sh demo/inner.sh 3>"$STATE"
rc=$?
[ "$rc" = 0 ] || { printf '\n%sThe demo failed (status %s).%s\n' "$CR" "$rc" "$CN" >&2; exit 1; }

step "[6/6]" "host left as it was .."
AFTER=$(host_state)
problems=
[ "$BEFORE" = "$AFTER" ] || problems="$problems
  mounts, /etc, /run/nsset or network interfaces changed:
$(printf '%s\n' "$BEFORE" >"$LOG.b"; printf '%s\n' "$AFTER" >"$LOG.a"; diff "$LOG.b" "$LOG.a" | sed 's/^/    /'; rm -f "$LOG.b" "$LOG.a")"
# Every process of the sandbox died with it: none may sit in one of its pid
# namespaces (the kernel kills a pid namespace's processes with its init).
left=
n=0
while [ $n -lt 50 ]; do
	left=
	for p in /proc/[0-9]*; do
		id=$(stat -L -c %i "$p/ns/pid" 2>/dev/null) || continue
		grep -qx "$id" "$STATE" && left="$left ${p#/proc/}"
	done
	[ -z "$left" ] && break
	n=$((n + 1))
	sleep 0.1
done
[ -z "$left" ] || problems="$problems
  processes of the sandbox still running:$left"
nns=$(grep -c . "$STATE")
if [ -z "$problems" ]; then
	ok "mounts, /etc, /run and interfaces unchanged; no process left in the sandbox's $nns pid namespaces"
else
	die "the host was changed:$problems"
fi

printf '\nDone in %s s.  Read more: README.md, man ./man/pam_nsset.8, man ./man/nsset.conf.5\n' \
	"$(($(date +%s) - START))"
