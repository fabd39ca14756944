#!/bin/sh
# PID 1 of the user-mode-linux guest that tests/debian12/kernel.sh boots.
# Not for running by hand: kernel.sh passes everything on the kernel command
# line, which the kernel hands to init as environment variables:
#
#   NSSET_UML_REPO   the project (as a host path, seen through the root)
#   NSSET_UML_BUILD  the build tree made on the host by `make tests`
#   NSSET_UML_OUT    a host directory, mounted read-write through hostfs:
#                    the only place of the host that the guest writes
#   NSSET_UML_TESTS  what to pass to tests/run-all.sh (commas for blanks)
#   NSSET_UML_TIMEOUT  NSSET_TEST_TIMEOUT for run-all.sh (per test script)
#   NSSET_UML_SLOW   NSSET_TEST_SLOW for the tests (timeouts of their waits)
#
# Stage 1 runs on the kernel's root, the host's / through hostfs mounted
# read-only.  It loads overlayfs and assembles the guest's root: that
# read-only / below, an upper layer on a tmpfs above, so that everything
# the tests write lands in the guest's memory and the host is never
# written.  It pivots into it and execs stage 2, which mounts the API file
# systems, loads the modules the tests need, runs the suites and writes
# their output, the exit status and `uname -r` into NSSET_UML_OUT.  Then
# it powers the guest off; kernel.sh reads the results.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

say() {
	echo "uml-init: $*" >/dev/console 2>/dev/null || echo "uml-init: $*"
}

# The guest ends by powering off, never by PID 1 exiting (a kernel panic).
poweroff_now() {
	sync
	[ -e /proc/sysrq-trigger ] || mount -t proc proc /proc 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 60
}

# Stage 1 and stage 2 both give up the same way: say why, leave the reason
# in the results directory when it is mounted (kernel.sh reports it), and
# power off.  kernel.sh counts a guest without results as a failure.
die() {
	say "FATAL: $*"
	if [ -n "${OUTM:-}" ] && [ -d "$OUTM" ]; then
		echo "$*" >"$OUTM/fatal" 2>/dev/null
	fi
	poweroff_now
}

KVER=$(uname -r)
MODDIR=/usr/lib/uml/modules/$KVER

# modprobe looks in DIR/lib/modules/$(uname -r) with -d DIR: a small tree
# of symlinks on a tmpfs points that at the UML kernel's modules, whichever
# file system the root is.
modtree() { # DIR
	mkdir -p "$1/lib/modules" && ln -sfn "$MODDIR" "$1/lib/modules/$KVER"
}

stage1() {
	mount -t proc proc /proc || die "mount /proc"
	T=/tmp
	mount -t tmpfs -o mode=0755 uml-root "$T" || die "tmpfs on $T"
	mkdir -p "$T/upper" "$T/work" "$T/root" "$T/mods" || die "mkdir $T"
	modtree "$T/mods" || die "module tree"
	modprobe -d "$T/mods" overlay || die "modprobe overlay (from $MODDIR)"
	mount -t overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" \
		uml-root "$T/root" || die "overlay root"
	mkdir -p "$T/root/.oldroot" || die "mkdir .oldroot"
	cd "$T/root" || die "cd $T/root"
	pivot_root . .oldroot || die "pivot_root"
	exec chroot . /bin/sh "$NSSET_UML_REPO/tests/debian12/uml-init.sh" stage2
	die "exec stage 2"
}

stage2() {
	mount -t proc proc /proc || die "mount /proc"
	mount -t sysfs sysfs /sys || die "mount /sys"
	mount -t devtmpfs devtmpfs /dev || die "mount /dev"
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts || die "mount /dev/pts"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm || die "mount /dev/shm"
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || die "mount cgroup2"
	# A fresh /run and /tmp, unless the project lives there (a clone in
	# /tmp, as CI's may be): a tmpfs would hide it, as in the test sandbox.
	for d in /run /tmp; do
		case "$NSSET_UML_REPO/ $NSSET_UML_BUILD/" in "$d"/* | *" $d"/*) continue ;; esac
		mount -t tmpfs -o mode=0755,nosuid,nodev "uml$d" "$d" || die "tmpfs on $d"
	done
	chmod 1777 /tmp
	mkdir -p /run/lock && chmod 1777 /run/lock
	# /etc as a copy on a tmpfs, not through the root overlay: the test
	# sandbox puts an overlay on /etc, and a nested sandbox (t_smoke) one
	# more on that, which would exceed the kernel's overlay stacking depth
	# of 2 ("maximum fs stacking depth exceeded") above the root overlay.
	# On the host and on a real Debian 12, /etc is no overlay either.
	mkdir -p /run/uml-etc && cp -a /etc/. /run/uml-etc/ || die "copy /etc"
	mount --bind /run/uml-etc /etc || die "bind the copy of /etc"
	# The old root (hostfs, read-only) and stage 1's tmpfs are held by the
	# overlay itself; nothing needs them mounted any more.
	umount -l /.oldroot || die "umount the old root"

	OUTM=/run/uml-out
	mkdir -p "$OUTM" &&
		mount -t hostfs -o "$NSSET_UML_OUT" uml-out "$OUTM" || die "hostfs on $NSSET_UML_OUT"

	# Module autoloading runs /sbin/modprobe, which looks in
	# /lib/modules/$(uname -r): point that at the UML modules (in the
	# overlay's upper layer, not on the host).
	modtree / || die "module tree"
	# nf_tables' NAT and masquerade parts are not autoloaded by nft here,
	# and veth, bridge and ipv6 are loaded up front so that the first
	# test does not pay for them.  What this kernel does not have (see
	# tests/debian12/README.md) is reported, not fatal.
	for m in overlay veth bridge ipv6 nf_tables nf_nat nft_masq nft_chain_nat; do
		modprobe "$m" 2>/dev/null || say "module $m: not available in $KVER"
	done

	# Debian 12's systemd gives logins 1024 open files, 524288 as the hard
	# limit; the kernel's own default for init (4096) is below what the
	# tests raise to (t_inherit: prlimit --nofile=8:20000 as a user).
	ulimit -H -n 524288 && ulimit -S -n 1024 || die "open files limit"

	hostname uml-debian12 2>/dev/null || echo uml-debian12 >/proc/sys/kernel/hostname
	ip link set lo up 2>/dev/null

	echo "$KVER" >"$OUTM/uname-r" || die "write $OUTM"
	say "kernel $KVER, running: tests/run-all.sh $(echo "$NSSET_UML_TESTS" | tr , ' ')"
	cd "$NSSET_UML_REPO" || die "cd $NSSET_UML_REPO"
	mkdir -p "$OUTM/logs"
	# shellcheck disable=SC2046  # the suite list is split on purpose
	env CI=true NSSET_BUILD="$NSSET_UML_BUILD" NSSET_TEST_LOGS="$OUTM/logs" \
		NSSET_TEST_TIMEOUT="${NSSET_UML_TIMEOUT:-2400}" NSSET_TEST_SLOW="${NSSET_UML_SLOW:-1}" \
		sh tests/run-all.sh $(echo "$NSSET_UML_TESTS" | tr , ' ') \
		</dev/null >"$OUTM/run.log" 2>&1
	echo $? >"$OUTM/rc"
	sync
	umount "$OUTM"
	poweroff_now
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
