#!/bin/sh
# The systemd tier: nsset on a real Debian 12 booted with systemd, in
# user-mode-linux.  `make check-debian12-systemd` runs it (as root).
#
#   sh tests/debian12/systemd/run.sh
#
# 1. mkroot.sh: a pristine bookworm root (debootstrap, cached in /var/tmp).
# 2. In a private mount namespace of this machine: an overlay over that root
#    (the cache is never written), nsset installed into it -- `make install
#    DESTDIR=... PREFIX=/usr` of this tree, built in build-debian12/, or the
#    .deb files named in $NSSET_DEBS (dpkg -i in a chroot) -- the UML
#    kernel's modules, and nsset-test.service, which runs guest.sh and
#    powers off.
# 3. Boot: linux.uml ... init=/lib/systemd/systemd, no network, no stdin;
#    the console goes to the log.  The guest's lines are printed here, then
#    `N passed, M failed`.  A guest that did not boot, or ran no test, fails.
#
# Environment: NSSET_DEBS (space-separated .deb paths), NSSET_SYSTEMD_LOGS
# (where to keep console.log and guest.log; default build-debian12/systemd),
# NSSET_UML_TIMEOUT (seconds, default 2700: about 12 minutes of logins on an
# idle 2-core machine, over 20 when other builds share it), NSSET_SYSTEMD_GUEST (another
# guest script, to try one thing).
set -u

TOP=$(cd "$(dirname "$0")/../../.." && pwd)
HERE=$TOP/tests/debian12/systemd
LOGS=${NSSET_SYSTEMD_LOGS:-$TOP/build-debian12/systemd}
TIMEOUT=${NSSET_UML_TIMEOUT:-2700}
mkdir -p "$LOGS" || exit 1
rm -f "$LOGS/console.log" "$LOGS/guest.log" "$LOGS/result"

die() {
	echo "FAIL systemd/boot: $*"
	echo "0 passed, 1 failed"
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mounts, the overlay)"
for c in linux.uml debootstrap modprobe; do
	command -v "$c" >/dev/null || die "$c missing: apt-get install user-mode-linux kmod debootstrap"
done
KVER=$(ls /usr/lib/uml/modules 2>/dev/null | head -n1)
[ -n "$KVER" ] || die "no /usr/lib/uml/modules/VERSION (user-mode-linux)"

ROOT=$(sh "$HERE/mkroot.sh") || die "could not make the Debian 12 root"

if [ -z "${NSSET_DEBS:-}" ]; then
	make -C "$TOP" -s BUILD=build-debian12 PREFIX=/usr all >"$LOGS/build.log" 2>&1 ||
		{ tail -n 20 "$LOGS/build.log"; die "build failed (build-debian12/)"; }
fi

WORK=$(mktemp -d /var/tmp/nsset-debian12-run.XXXXXX) || die "mktemp"
trap 'rm -rf "$WORK"' EXIT

# Everything below runs in a mount namespace of its own: the overlay and
# binds vanish with it, whatever happens.
NSSET_TOP=$TOP NSSET_HERE=$HERE NSSET_ROOT=$ROOT NSSET_WORK=$WORK NSSET_KVER=$KVER \
NSSET_LOGS=$LOGS NSSET_TIMEOUT=$TIMEOUT NSSET_GUEST=${NSSET_SYSTEMD_GUEST:-$HERE/guest.sh} \
unshare --mount --propagation private sh -eu -c '
	W=$NSSET_WORK
	mkdir -p "$W/upper" "$W/work" "$W/merged"
	mount -t overlay overlay -o "lowerdir=$NSSET_ROOT,upperdir=$W/upper,workdir=$W/work" "$W/merged"
	M=$W/merged
	if [ -n "${NSSET_DEBS:-}" ]; then
		mkdir -p "$M/tmp/debs"
		cp $NSSET_DEBS "$M/tmp/debs/"
		chroot "$M" sh -c "dpkg -i /tmp/debs/*.deb" >"$NSSET_LOGS/install.log" 2>&1
	else
		make -C "$NSSET_TOP" -s BUILD=build-debian12 PREFIX=/usr DESTDIR="$M" install \
			>"$NSSET_LOGS/install.log" 2>&1
	fi
	# The UML kernel s modules, for the guest s modprobe.
	mkdir -p "$M/lib/modules/$NSSET_KVER"
	mount --bind "/usr/lib/uml/modules/$NSSET_KVER" "$M/lib/modules/$NSSET_KVER"
	mkdir -p "$M/nsset-test"
	cp "$NSSET_GUEST" "$M/nsset-test/guest.sh"
	cat >"$M/etc/systemd/system/nsset-test.service" <<UNIT
[Unit]
Description=nsset systemd tier (tests/debian12/systemd/guest.sh)
After=multi-user.target ssh.service systemd-logind.service systemd-user-sessions.service dbus.service
Wants=ssh.service
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/sh /nsset-test/guest.sh
StandardOutput=journal+console
TimeoutStartSec=infinity
[Install]
WantedBy=multi-user.target
UNIT
	ln -sf /etc/systemd/system/nsset-test.service \
		"$M/etc/systemd/system/multi-user.target.wants/nsset-test.service"
	# No consoles to log in on, and nothing that reaches for the network.
	for u in getty@tty1.service serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer; do
		ln -sf /dev/null "$M/etc/systemd/system/$u"
	done
	echo debian12-guest >"$M/etc/hostname"
	# UML keeps the guest s memory in a file under TMPDIR: tmpfs, not disk.
	TMPDIR=/dev/shm timeout -k 10 "$NSSET_TIMEOUT" linux.uml mem=2G \
		root=/dev/root rootfstype=hostfs rootflags="$M" rw init=/lib/systemd/systemd \
		con=null con0=null,fd:1 ssl=null systemd.show_status=false \
		</dev/null >"$NSSET_LOGS/console.log" 2>&1 || echo "uml exit $?" >>"$NSSET_LOGS/console.log"
	cp "$M/nsset-test/log" "$NSSET_LOGS/guest.log" 2>/dev/null || true
	cp "$M/nsset-test/result" "$NSSET_LOGS/result" 2>/dev/null || true
	# The guest s journal, for journalctl --directory.
	rm -rf "$NSSET_LOGS/journal"
	cp -r "$M/var/log/journal" "$NSSET_LOGS/journal" 2>/dev/null || true
' || echo "setup exit $?" >>"$LOGS/console.log"

if [ ! -s "$LOGS/result" ]; then
	tail -n 40 "$LOGS/console.log" 2>/dev/null
	die "the guest did not boot or ran no test (logs in $LOGS)"
fi
grep -E '^(PASS|FAIL) ' "$LOGS/result"
p=$(grep -c '^PASS ' "$LOGS/result")
f=$(grep -c '^FAIL ' "$LOGS/result")
if [ "$(tail -n1 "$LOGS/result")" != done ]; then
	echo "FAIL systemd/guest: the guest's test did not finish (logs in $LOGS)"
	f=$((f + 1))
fi
[ "$p" -gt 0 ] || { echo "FAIL systemd/guest: no test passed"; f=$((f + 1)); }
echo "$p passed, $f failed"
[ "$f" = 0 ]
