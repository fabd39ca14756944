#!/bin/sh
# Prove the README's two commands on a fresh Debian 12 (bookworm) root.
#
#   sh tests/debian12/fresh.sh [demo] [check] [deb]   (as root; default: demo check)
#   make check-fresh            (demo and check)
#   make check-deb              (make deb, then deb)
#
# A fresh root is `debootstrap --variant=minbase bookworm`: no make, gcc,
# git, iproute2, procps or openssh.  Each command below runs as root in a
# throwaway copy of it, and must install what it needs by itself:
#
#   demo    apt-get update && apt-get install -y make && make demo
#   check   apt-get update && apt-get install -y make && make check
#
# and, for the packages of `make deb` (build/deb/*.deb, copied to /root/debs):
#
#   deb     sh tests/debian12/deb-install.sh   (install, use, remove them)
#
# How the root is run (found by trying; each piece is needed):
#   - The minbase root is made once and cached, never written again:
#     /var/tmp/nsset-fresh-KEY/root, KEY a hash of the suite, variant,
#     mirror and package list given to debootstrap.  Its apt sources and
#     Acquire:: settings (proxy, snapshot validity) are the host's, so it
#     reaches the same mirror the host does.  Downloaded .debs are kept in
#     /var/tmp/nsset-fresh-KEY/archives (a cache only: apt installs them;
#     used by one run at a time, a second one downloads).
#   - Each command gets a copy of that root (/var/tmp/nsset-fresh-KEY/
#     run.PID.WHAT/root, removed afterwards), with a copy of the working
#     tree (tracked and untracked files, not build/) in /root/nsset.  A
#     copy, not an overlayfs over the cached root: the test sandbox mounts
#     an overlayfs on /etc, and a sandbox inside a sandbox (t_cpus) one on
#     top of that, which is the kernel's limit of two stacked layers.
#   - What the Debian installer writes and debootstrap leaves to it: an
#     /etc/hosts (localhost and the host name), as every installed system
#     has.  Without it, t_net's hosts override fails: see "Known" below.
#   - It runs in new mount, pid, ipc and uts namespaces (unshare --fork).
#     It keeps the host's network namespace, because apt-get needs the
#     mirror (the tests make their own).  Nothing mounted inside reaches
#     the host, and every process dies with it.
#   - pivot_root, not chroot: a mount namespace made by a chrooted process
#     still has the host's / as its root, so a login that setns()-joins a
#     set's mount namespace would land in the host's tree (setns resets the
#     root to the namespace's).  pivot_root makes the fresh root the real
#     root of this mount namespace.
#   - Inside: a new /proc (for this pid namespace), the host's /sys bound
#     (sets with net mount their own), a fresh /dev (tmpfs with null, zero,
#     full, random, urandom and tty bound from the host, a new devpts
#     instance, /dev/shm, /dev/mqueue), and a tmpfs on /run as at boot
#     (so no systemd is seen running, as in a container).  /tmp is the
#     root's own, as on a Debian 12 install.
#   - A clean environment (env -i: HOME, PATH, LOGNAME, USER, SHELL, TERM),
#     stdin /dev/null, as CI has.
#
# Output: each command's output, then its result: "fresh demo: ok" (or
# FAILED), "fresh deb: N passed, M failed", and last the summary line of the
# inner `make check`, "N passed, M failed".  The full logs are kept in
# /var/tmp/nsset-fresh-KEY/{demo,check,deb}.log.  Exit status 0 when every
# command succeeded.
#
# Environment: NSSET_FRESH_MIRROR (default http://deb.debian.org/debian),
# NSSET_FRESH_CACHE (default /var/tmp), NSSET_FRESH_DEBS (the packages for
# deb, default build/deb), NSSET_FRESH_KEEP=1 keeps the root of each run
# (for a look at what went wrong).
#
# Known: with no /etc/hosts at all (a bare debootstrap root), a hosts
# override in /etc/nsset/net makes every net set fail to build: the holder
# bind-mounts the override over /etc/hosts, which must exist.

set -u

SUITE=bookworm
VARIANT=minbase
MIRROR=${NSSET_FRESH_MIRROR:-http://deb.debian.org/debian}
# Nothing beyond minbase: the point is that the README's commands install
# everything else.
INCLUDE=
CACHE=${NSSET_FRESH_CACHE:-/var/tmp}

die() {
	echo "fresh: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- outside

key() {
	printf '%s\n' "$SUITE" "$VARIANT" "$MIRROR" "$INCLUDE" | sha256sum | cut -c1-16
}

# The cached minbase root: made in a temporary directory, renamed into
# place when complete, under a lock (two runs at once make it once).
make_root() {
	[ -d "$DIR/root" ] && return 0
	command -v debootstrap >/dev/null 2>&1 || {
		echo "fresh: installing debootstrap" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 ||
			die "cannot install debootstrap"
	}
	exec 9>"$DIR/lock" || die "cannot open $DIR/lock"
	flock 9 || die "cannot lock $DIR/lock"
	if [ ! -d "$DIR/root" ]; then
		echo "fresh: debootstrap --variant=$VARIANT $SUITE into $DIR/root (a few minutes, once)" >&2
		rm -rf "$DIR/root.tmp"
		if ! debootstrap --variant="$VARIANT" ${INCLUDE:+--include="$INCLUDE"} \
			"$SUITE" "$DIR/root.tmp" "$MIRROR" >"$DIR/debootstrap.log" 2>&1; then
			tail -n 20 "$DIR/debootstrap.log" >&2
			die "debootstrap failed (log: $DIR/debootstrap.log)"
		fi
		# The host's way to the mirror: its sources, and its Acquire::
		# settings (a proxy, a snapshot mirror's validity dates).
		if [ -e /etc/apt/sources.list.d/debian.sources ]; then
			rm -f "$DIR/root.tmp/etc/apt/sources.list"
			cp /etc/apt/sources.list.d/debian.sources "$DIR/root.tmp/etc/apt/sources.list.d/"
		elif [ -s /etc/apt/sources.list ]; then
			cp /etc/apt/sources.list "$DIR/root.tmp/etc/apt/sources.list"
		fi
		for f in /etc/apt/apt.conf.d/*; do
			[ -f "$f" ] && grep -q '^[[:space:]]*Acquire::' "$f" &&
				cp "$f" "$DIR/root.tmp/etc/apt/apt.conf.d/"
		done
		# No apt lists and no .debs in the cached root: a fresh install
		# has run no `apt-get update` either.
		rm -rf "$DIR/root.tmp/var/lib/apt/lists/"* "$DIR/root.tmp/var/cache/apt/archives/"*.deb
		mv "$DIR/root.tmp" "$DIR/root" || die "cannot move the root into place"
	fi
	exec 9>&-
}

# Copy the working tree (what git tracks, and untracked files it does not
# ignore) into DEST, without build output: as a fresh clone would have it.
copy_tree() {
	if command -v git >/dev/null 2>&1 && git -C "$TOP" rev-parse >/dev/null 2>&1; then
		(cd "$TOP" && git ls-files -z -c -o --exclude-standard |
			xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
			tar --null -T - -cf -) | tar -C "$1" -xf - || return 1
	else
		(cd "$TOP" && tar --exclude=./build --exclude=./build-asan -cf - .) | tar -C "$1" -xf - ||
			return 1
	fi
}

run_one() {
	what=$1
	case $what in
	demo) cmd='apt-get update && apt-get install -y make && make demo' ;;
	check) cmd='apt-get update && apt-get install -y make && make check' ;;
	deb) cmd='sh tests/debian12/deb-install.sh' ;;
	*) die "unknown command $what (demo, check, deb)" ;;
	esac
	R=$DIR/run.$$.$what
	rm -rf "$R"
	mkdir -p "$R" && cp -a "$DIR/root" "$R/root" || die "cannot copy the root to $R"
	if [ ! -e "$R/root/etc/hosts" ]; then
		printf '127.0.0.1\tlocalhost\n127.0.1.1\tnsset-fresh\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
			>"$R/root/etc/hosts"
	fi
	mkdir -p "$R/root/root/nsset" && copy_tree "$R/root/root/nsset" ||
		die "cannot copy the tree into $R"
	if [ "$what" = deb ]; then
		mkdir -p "$R/root/root/debs" &&
			cp "$DEBS"/nsset_*.deb "$DEBS"/libpam-nsset_*.deb "$R/root/root/debs/" ||
			die "no packages in $DEBS: run make deb first"
	fi
	log=$DIR/$what.log
	echo "fresh: $what: # $cmd" >&2
	# unshare ignores SIGINT and SIGTERM while it waits, and so does the
	# shell that is PID 1 inside: the traps below SIGKILL it, and
	# --kill-child takes everything inside with it.
	: >"$log" || die "cannot write $log"
	# One run at a time uses the package cache (apt locks it); another
	# run at the same time downloads instead.
	exec 8>"$DIR/archives.lock" || die "cannot open $DIR/archives.lock"
	cached=1
	flock -n 8 || {
		cached=0
		echo "fresh: $what: the package cache is in use by another run: downloading" >&2
	}
	unshare --mount --pid --ipc --uts --fork --kill-child --propagation private \
		sh "$SELF" --inner "$DIR" "$R" "$cmd" "$cached" </dev/null >>"$log" 2>&1 8>&- &
	UPID=$!
	# In the background too: a shell runs its traps only between
	# foreground commands, and `wait` is one a signal interrupts.
	tail -n +1 --pid="$UPID" -f "$log" 8>&- &
	TPID=$!
	wait "$UPID"
	UPID=
	wait "$TPID"
	exec 8>&-
	if [ "${NSSET_FRESH_KEEP:-0}" = 1 ]; then
		echo "fresh: kept $R/root" >&2
	else
		rm -rf "$R"
	fi
	R=
	status=$(sed -n 's/^fresh-inner: exit status \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	[ -n "$status" ] || status=1
	case $what in
	demo)
		if [ "$status" = 0 ]; then line="fresh demo: ok"; else line="fresh demo: FAILED (exit status $status; log: $log)"; fi
		;;
	deb)
		sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
		line="fresh deb: ${sum:-0 passed, 1 failed}"
		;;
	check)
		sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
		[ -n "$sum" ] || sum="0 passed, 1 failed"
		[ "$status" = 0 ] || [ "${sum#*passed, }" != "0 failed" ] || sum="0 passed, 1 failed"
		line="$sum"
		;;
	esac
	RESULTS="$RESULTS$what:$status:$line
"
	[ "$status" = 0 ] || RC=1
}

outer() {
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, namespaces, mounts)"
	for c in unshare pivot_root flock tar sha256sum; do
		command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
	done
	TOP=$(cd "$(dirname "$0")/../.." && pwd)
	SELF=$TOP/tests/debian12/fresh.sh
	DEBS=${NSSET_FRESH_DEBS:-$TOP/build/deb}
	whats=
	for a; do
		case $a in
		demo | check | deb) whats="$whats $a" ;;
		-h | --help)
			sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
			exit 0
			;;
		*) die "unknown argument $a (demo, check, deb)" ;;
		esac
	done
	[ -n "$whats" ] || whats="demo check"

	DIR=$CACHE/nsset-fresh-$(key)
	mkdir -p "$DIR/archives/partial" || die "mkdir $DIR"
	# An interrupted run leaves no copy behind (the mounts go with the
	# namespaces).
	R= UPID=
	trap '[ -z "$UPID" ] || { kill -KILL "$UPID"; wait "$UPID"; }
		[ -z "$R" ] || [ "${NSSET_FRESH_KEEP:-0}" = 1 ] || rm -rf "$R"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	make_root
	RESULTS= RC=0
	for w in $whats; do
		run_one "$w"
	done
	echo
	# The summary line of the inner `make check` last.
	printf '%s' "$RESULTS" | while IFS=: read -r w st line; do
		[ "$w" = check ] || echo "$line"
	done
	printf '%s' "$RESULTS" | while IFS=: read -r w st line; do
		[ "$w" = check ] && echo "fresh check (exit status $st; log: $DIR/check.log):" && echo "$line"
	done
	exit $RC
}

# ---------------------------------------------------------------- inside
# In the new mount, pid, ipc and uts namespaces; mounts are private here.

bind() {
	mount --bind "$1" "$2" || die "bind $1 on $2"
}

inner() {
	DIR=$1 R=$2 CMD=$3 CACHED=$4
	M=$R/root
	# pivot_root needs the new root to be a mount point.
	bind "$M" "$M"
	mount -t proc -o nosuid,nodev,noexec proc "$M/proc" || die "proc"
	mount --rbind /sys "$M/sys" || die "sys"
	mount -t tmpfs -o mode=0755,nosuid,nodev,size=20% nsset-fresh-run "$M/run" || die "tmpfs on /run"
	mkdir -m 1777 "$M/run/lock"
	mount -t tmpfs -o mode=0755,nosuid,size=1m nsset-fresh-dev "$M/dev" || die "tmpfs on /dev"
	for n in null zero full random urandom tty; do
		: >"$M/dev/$n" && bind "/dev/$n" "$M/dev/$n"
	done
	mkdir "$M/dev/pts" "$M/dev/shm" "$M/dev/mqueue"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$M/dev/pts" || die "devpts"
	ln -s pts/ptmx "$M/dev/ptmx"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$M/dev/shm" || die "/dev/shm"
	mount -t mqueue -o nosuid,nodev,noexec mqueue "$M/dev/mqueue" || rmdir "$M/dev/mqueue"
	ln -s /proc/self/fd "$M/dev/fd"
	ln -s /proc/self/fd/0 "$M/dev/stdin"
	ln -s /proc/self/fd/1 "$M/dev/stdout"
	ln -s /proc/self/fd/2 "$M/dev/stderr"
	[ "$CACHED" = 0 ] || bind "$DIR/archives" "$M/var/cache/apt/archives"
	hostname nsset-fresh
	cp /etc/resolv.conf "$M/etc/resolv.conf" 2>/dev/null

	cd "$M" || die "cd $M"
	mkdir -p .oldroot
	pivot_root . .oldroot || die "pivot_root"
	# From here on / is the fresh root; only its own programs run.
	exec /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LOGNAME=root USER=root SHELL=/bin/bash TERM=dumb \
		/bin/sh -c 'umount -l /.oldroot && rmdir /.oldroot || exit 125
		cd /root/nsset || exit 125
		sh -c "$1"
		echo "fresh-inner: exit status $?"' sh "$CMD"
}

if [ "${1:-}" = --inner ]; then
	shift
	inner "$@"
else
	outer "$@"
fi
