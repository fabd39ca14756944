#!/bin/sh
# Print the path of a pristine Debian 12 (bookworm) root with systemd, made
# by debootstrap on first use and cached under /var/tmp, keyed by a hash of
# what goes into it (the package list, the suite, this recipe's version):
# change any of them and a new root is made beside the old one.
#
#   sh tests/debian12/systemd/mkroot.sh      -> /var/tmp/nsset-debian12-systemd-HASH/root
#
# The mirror is the one apt on this machine uses for bookworm (from
# /etc/apt/sources.list{,.d}), or $NSSET_DEBIAN_MIRROR.  Never boot or
# change the cached root itself: boot.sh puts an overlay over it.
set -eu

SUITE=bookworm
RECIPE=1
# systemd, logind through PAM and sshd are what is under test; the rest is
# what the guest's test script runs, and the run-time libraries of nsset.
PACKAGES="systemd systemd-sysv dbus libpam-systemd openssh-server openssh-client
procps iproute2 util-linux kmod libpam-modules libcap-ng0 libmnl0 libmount1
libsystemd0 passwd"

CACHE=${NSSET_DEBIAN12_CACHE:-/var/tmp}
key=$(printf '%s\n%s\n%s\n' "$SUITE" "$RECIPE" "$(echo $PACKAGES)" | sha256sum | cut -c1-16)
DIR=$CACHE/nsset-debian12-systemd-$key

if [ -f "$DIR/complete" ]; then
	echo "$DIR/root"
	exit 0
fi

mirror() {
	[ -n "${NSSET_DEBIAN_MIRROR:-}" ] && { echo "$NSSET_DEBIAN_MIRROR"; return; }
	# deb822 files: the URIs of a stanza whose Suites name bookworm.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /Suites:[^\n]*bookworm([ \n]|$)/ && /Types:[^\n]*deb([ \n]|$)/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, a, " "); print a[2]; exit } }' "$f"
	done
	# one-line format
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
}
MIRROR=$(mirror | grep -v security | head -n1)
[ -n "$MIRROR" ] || { echo "mkroot: no bookworm mirror in apt's sources; set NSSET_DEBIAN_MIRROR" >&2; exit 1; }

command -v debootstrap >/dev/null || { echo "mkroot: debootstrap missing (apt-get install debootstrap)" >&2; exit 1; }
rm -rf "$DIR"
mkdir -p "$DIR"
echo "mkroot: debootstrap $SUITE into $DIR (once; a few minutes)" >&2
debootstrap --variant=minbase --include="$(echo $PACKAGES | tr ' ' ',')" \
	"$SUITE" "$DIR/root" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 || {
	tail -n 30 "$DIR/debootstrap.log" >&2
	echo "mkroot: debootstrap failed; log in $DIR/debootstrap.log" >&2
	exit 1
}
# Package caches are not needed to boot.
rm -rf "$DIR/root/var/cache/apt/archives/"*.deb "$DIR/root/var/lib/apt/lists/"*_Packages 2>/dev/null || true
touch "$DIR/complete"
echo "$DIR/root"
