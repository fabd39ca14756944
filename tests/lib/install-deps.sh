#!/bin/sh
# Install the Debian packages that the build and the tests need.
#
#   sh tests/lib/install-deps.sh
#
# Quiet when everything is installed.  Otherwise, as root with apt-get: one
# `apt-get update`, then `apt-get install` of what is missing.  Installing
# openssh-server must not start sshd on this machine, so a policy-rc.d that
# forbids service starts is in place for the duration of the install (an
# existing one is put back afterwards).  Without root or apt-get it prints
# what is missing and exits 1.

set -u

PACKAGES="build-essential pkg-config libpam0g-dev libcap-ng-dev libmount-dev
libcmocka-dev pamtester libpam-wrapper libpamtest0-dev socat util-linux procps
iproute2 psmisc mandoc valgrind openssh-server openssh-client clang python3
libmnl-dev nftables strace"

POLICY=/usr/sbin/policy-rc.d

missing_packages() {
	for p in $PACKAGES; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || st=
		case $st in
		*" ok installed") ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: not a Debian system (no dpkg-query); the tests need:" >&2
	echo "  $(echo $PACKAGES)" >&2
	exit 1
fi

missing=$(missing_packages)
missing=${missing% }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages: $missing" >&2
	echo "install-deps: as root: apt-get install $missing" >&2
	exit 1
fi

echo "install-deps: installing: $missing" >&2

# Forbid service starts while installing (policy-rc.d exit 101 = "action
# forbidden"; invoke-rc.d and deb-systemd-invoke both honour it).
saved=
if [ -e "$POLICY" ] || [ -L "$POLICY" ]; then
	saved="$POLICY.nsset-saved.$$"
	mv -f "$POLICY" "$saved" || exit 1
fi
restore_policy() {
	rm -f "$POLICY"
	if [ -n "$saved" ]; then
		mv -f "$saved" "$POLICY"
	fi
}
trap 'restore_policy' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
printf '#!/bin/sh\n# temporary, from nsset tests/lib/install-deps.sh\nexit 101\n' >"$POLICY" &&
	chmod 0755 "$POLICY" || exit 1

export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || exit 1
# shellcheck disable=SC2086  # word splitting of the package list is wanted
apt-get install -y -q --no-install-recommends $missing >&2 || exit 1

still=$(missing_packages)
still=${still% }
if [ -n "$still" ]; then
	echo "install-deps: still missing after install: $still" >&2
	exit 1
fi
exit 0
