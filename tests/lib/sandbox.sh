#!/bin/sh
# Run a command in a hermetic test sandbox.
#
#   sh tests/lib/sandbox.sh CMD [ARGS...]
#
# The sandbox is a process tree in new mount, net, pid, ipc and uts
# namespaces (unshare --fork --kill-child --mount-proc): when CMD exits, or
# when the unshare process is killed, everything started inside dies with it
# and every mount made inside vanishes.  Nothing on the host is written.
#
# Inside:
#   /                 rprivate: no mount propagates to or from the host
#   /mnt              tmpfs holding the scratch dir $NSSET_TEST_DIR
#                     (/mnt/nsset-test; outside /tmp and /var/tmp on purpose,
#                     because sets with tmp=private do not see those)
#   /etc              an overlayfs: the host's /etc below, an upper layer in
#                     the scratch tmpfs, so files made under /etc (say
#                     /etc/nsset/net/...) land in scratch, never on the host;
#                     mounts below the host's /etc are bound in again
#   /etc/passwd, group, shadow, gshadow, shells
#                     scratch copies (host accounts kept, test users added);
#                     edit them in place (cat > FILE), never by rename (sed -i):
#                     they are bind mounts
#   /etc/pam.d, /etc/security
#                     scratch copies of the host's directories (root 0755),
#                     without any nsset.conf / nsset.d of the host
#   /home             scratch homes of the test users (0755, owned by them)
#   /run, /tmp, /var/tmp, /var/log
#                     fresh tmpfs (/run/sshd, /run/lock; empty wtmp/btmp/lastlog)
#   /dev              fresh tmpfs: null zero full random urandom tty bound from
#                     the host, a new devpts instance (ptmx 0666), /dev/shm,
#                     /dev/mqueue, fd/stdin/stdout/stderr links, and /dev/log
#                     read by a syslog catcher that appends one line per
#                     message to $NSSET_TEST_LOG
#   network           only lo, up
#   hostname          nsset-test
#
# Test users (password "nsset-test", shell /bin/sh, primary group = own name):
#   alice 2001, bob 2002, carol 2003, dave 2004, erin 2005, frank 2006,
#   grp01..grp30 2101..2130, solo 2200
# Test groups: students 3001 (carol,dave), ci 3002 (erin), staff 3003 (frank),
#   crowd 3004 (grp01..grp30)
#
# Exported to CMD:
#   NSSET_SANDBOX=1, NSSET_TEST_DIR (scratch, with out/ mode 1777 and
#   sanitizer/ mode 1777), NSSET_TEST_LOG, NSSET_TEST_HOME (home base),
#   NSSET_TEST_PASSWORD, NSSET_BUILD (absolute; default $PWD/build).
#   When ASAN_OPTIONS / UBSAN_OPTIONS are set, log_path= pointing into
#   $NSSET_TEST_DIR/sanitizer/ is appended unless they already have one.
#
# Knobs (environment of the caller):
#   NSSET_BUILD=DIR        build dir exported to CMD
#   NSSET_SANDBOX_CPU=N    create the sandbox's namespaces on CPU N (then the
#                          sandbox may use all CPUs again).  Namespace ids
#                          are handed out per CPU on recent kernels, see
#                          DESIGN.md "False EINVAL": this makes it reproducible.
#   NSSET_TEST_KEEP=DIR    on exit copy the syslog capture and out/ into DIR
#
# Exit status: CMD's; 125 when the sandbox itself could not be set up.
# Works when the caller already sits in a non-initial mount namespace
# (including inside another sandbox), without a tty and without stdin.

set -u

TEST_USERS="alice:2001 bob:2002 carol:2003 dave:2004 erin:2005 frank:2006"
i=1
while [ $i -le 30 ]; do
	TEST_USERS="$TEST_USERS $(printf 'grp%02d:%d' $i $((2100 + i)))"
	i=$((i + 1))
done
TEST_USERS="$TEST_USERS solo:2200"
CROWD=$(i=1; while [ $i -le 30 ]; do printf '%sgrp%02d' "${sep:-}" $i; sep=,; i=$((i + 1)); done)
TEST_GROUPS="students:3001:carol,dave ci:3002:erin staff:3003:frank crowd:3004:$CROWD"
TEST_PASSWORD=nsset-test
# SHA-512 crypt of "nsset-test" (openssl passwd -6 -salt nssettestsalt0 nsset-test)
TEST_HASH='$6$nssettestsalt0$.B0SHwEPEayFM5ekJjS1fsAV2qYV2LNT1ohGOSSPdz4Dm5LLnEmePPNfLmeU5lSs8RPwvv6r3BvZVyArXBXGp/'

die() {
	echo "sandbox: $*" >&2
	exit 125
}

usage() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 125
}

# ---------------------------------------------------------------- outside

outer() {
	[ $# -gt 0 ] || usage
	case $1 in -h | --help) usage ;; esac
	[ "$(id -u)" = 0 ] || die "must run as root (it creates namespaces and mounts)"
	for c in unshare mount ip perl; do
		command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
	done

	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	NSSET_BUILD=${NSSET_BUILD:-$PWD/build}
	case $NSSET_BUILD in /*) ;; *) NSSET_BUILD=$PWD/$NSSET_BUILD ;; esac
	export NSSET_BUILD

	# CI may start us with stdin closed: give the tree a harmless one.
	(: <&0) 2>/dev/null || exec </dev/null

	if [ -n "${NSSET_SANDBOX_CPU:-}" ]; then
		command -v taskset >/dev/null 2>&1 || die "NSSET_SANDBOX_CPU needs taskset"
		NSSET_SANDBOX_AFFINITY=$(taskset -pc $$ | sed 's/.*: *//')
		export NSSET_SANDBOX_AFFINITY
		exec taskset -c "$NSSET_SANDBOX_CPU" \
			unshare --mount --net --pid --ipc --uts --fork --kill-child --mount-proc \
			-- sh "$self" --nsset-sandbox-inner "$@"
	fi
	exec unshare --mount --net --pid --ipc --uts --fork --kill-child --mount-proc \
		-- sh "$self" --nsset-sandbox-inner "$@"
}

# ---------------------------------------------------------------- inside

# Would mounting over $1 hide the project, the build or the caller's cwd?
hides() {
	for p in "$PWD" "$NSSET_BUILD" "$REPO"; do
		case $p/ in "$1"/*) return 0 ;; esac
	done
	return 1
}

# Copy /etc/$1 to the scratch etc, leaving out entries (by name, and by id
# in field $2 when given) that collide with the test accounts.
copy_db() {
	src=/etc/$1 dst=$ETC/$1
	if [ -e "$src" ]; then
		cp -p "$src" "$dst" || die "cp $src"
	else
		: >"$dst" && chmod 0640 "$dst"
	fi
	awk -F: -v names="$NAMES" -v ids="$IDS" -v idf="${2:-0}" '
		index(names, "|" $1 "|") { next }
		idf > 0 && index(ids, "|" $idf "|") { next }
		{ print }' "$dst" >"$dst.new" || die "filter $dst"
	cat "$dst.new" >"$dst" && rm -f "$dst.new"
}

bind() {
	mount --bind "$1" "$2" || die "bind $1 on $2"
}

# An overlayfs over /etc: reads see the host's /etc, writes go to an upper
# layer in the scratch tmpfs.  The overlay sees the directory below /etc,
# not what is mounted on top of its entries (a container's bind-mounted
# /etc/resolv.conf or /etc/hosts): those mounts are bound in again, from a
# recursive bind of the old /etc taken before.  Mount points with blanks
# (escaped in mountinfo) are not expected below /etc and not handled.
overlay_etc() {
	hides /etc && die "the project, the build or the cwd lives below /etc"
	O=$D/.etc
	mkdir -p "$O/upper" "$O/work" "$O/host" && chmod 0755 "$O/upper" ||
		die "mkdir $O"
	subs=$(awk '$5 ~ "^/etc/" { print $5 }' /proc/self/mountinfo)
	if [ -n "$subs" ]; then
		mount --rbind /etc "$O/host" || die "rbind /etc on $O/host"
	fi
	mount -t overlay -o "lowerdir=/etc,upperdir=$O/upper,workdir=$O/work" \
		nsset-etc /etc || die "overlayfs on /etc"
	for m in $subs; do
		bind "$O/host${m#/etc}" "$m"
	done
	if [ -n "$subs" ]; then
		umount -l "$O/host" || die "umount $O/host"
	fi
	rmdir "$O/host"
}

make_accounts() {
	NAMES="|" IDS="|"
	for u in $TEST_USERS; do
		NAMES="$NAMES${u%%:*}|" IDS="$IDS${u#*:}|"
	done
	for g in $TEST_GROUPS; do
		n=${g%%:*} r=${g#*:}
		NAMES="$NAMES$n|" IDS="$IDS${r%%:*}|"
	done
	copy_db passwd 3
	copy_db group 3
	copy_db shadow
	copy_db gshadow
	for u in $TEST_USERS; do
		n=${u%%:*} id=${u#*:}
		echo "$n:x:$id:$id:nsset test user:$HOME_BASE/$n:/bin/sh" >>"$ETC/passwd"
		echo "$n:$TEST_HASH:19000:0:99999:7:::" >>"$ETC/shadow"
		echo "$n:x:$id:" >>"$ETC/group"
		echo "$n:!::" >>"$ETC/gshadow"
		mkdir -p "$D/home/$n" && chown "$id:$id" "$D/home/$n" &&
			chmod 0755 "$D/home/$n" || die "home of $n"
	done
	for g in $TEST_GROUPS; do
		n=${g%%:*} r=${g#*:}
		gid=${r%%:*} members=${r#*:}
		echo "$n:x:$gid:$members" >>"$ETC/group"
		echo "$n:!::$members" >>"$ETC/gshadow"
	done
	if [ -e /etc/shells ]; then cp -p /etc/shells "$ETC/shells"; else : >"$ETC/shells"; fi
}

make_dev() {
	S=$D/.dev
	mkdir -p "$S" && mount -t tmpfs -o mode=0755,nosuid,size=1m nsset-dev "$S" ||
		die "tmpfs for /dev"
	for n in null zero full random urandom tty; do
		: >"$S/$n" && bind "/dev/$n" "$S/$n"
	done
	mkdir "$S/pts"
	ttygid=$(getent group tty | cut -d: -f3)
	mount -t devpts -o "newinstance,ptmxmode=0666,mode=0620${ttygid:+,gid=$ttygid}" \
		devpts "$S/pts" || die "devpts"
	ln -s pts/ptmx "$S/ptmx"
	mkdir "$S/shm" && mount -t tmpfs -o mode=1777,nosuid,nodev shm "$S/shm" ||
		die "tmpfs for /dev/shm"
	mkdir "$S/mqueue"
	mount -t mqueue -o nosuid,nodev,noexec mqueue "$S/mqueue" 2>/dev/null ||
		rmdir "$S/mqueue"
	ln -s /proc/self/fd "$S/fd"
	ln -s /proc/self/fd/0 "$S/stdin"
	ln -s /proc/self/fd/1 "$S/stdout"
	ln -s /proc/self/fd/2 "$S/stderr"
	mount --move "$S" /dev || die "move the new /dev in place"
	rmdir "$S"
}

# A syslog catcher on /dev/log.  glibc's syslog() and logger(1) send one
# datagram per message without a trailing newline, so `socat UNIX-RECV: -`
# would glue them into one endless line; this writes one line per datagram.
start_syslog() {
	: >"$NSSET_TEST_LOG" && chmod 0644 "$NSSET_TEST_LOG"
	perl -e '
		use strict; use warnings; use Socket; use IO::Socket::UNIX; use Errno;
		$0 = "nsset-syslog";
		my ($path, $log) = @ARGV;
		unlink $path;
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
			or die "syslog catcher: bind $path: $!\n";
		chmod 0666, $path;
		open(my $fh, ">>", $log) or die "syslog catcher: $log: $!\n";
		$fh->autoflush(1);
		while (1) {
			my $m;
			if (!defined $s->recv($m, 65536)) {
				next if $!{EINTR};
				die "syslog catcher: recv: $!\n";
			}
			$m =~ s/[\0\n]+\z//;
			$m =~ s/\n/\\n/g;
			print $fh "$m\n";
		}' /dev/log "$NSSET_TEST_LOG" </dev/null >/dev/null 2>>"$D/syslog.err" &
	n=0
	until [ -S /dev/log ] && [ "$(stat -c %a /dev/log)" = 666 ]; do
		n=$((n + 1))
		[ $n -le 200 ] || die "syslog catcher did not start: $(cat "$D/syslog.err")"
		sleep 0.025
	done
}

inner() {
	REPO=$(cd "$(dirname "$0")/../.." && pwd)
	mount --make-rprivate / || die "make / rprivate"

	# Scratch: a tmpfs that vanishes with the namespace.
	base=
	for b in /mnt /media /srv /opt; do
		if [ -d "$b" ] && ! hides "$b"; then base=$b; break; fi
	done
	[ -n "$base" ] || die "no place for the scratch tmpfs (/mnt /media /srv /opt)"
	mount -t tmpfs -o mode=0755 nsset-test "$base" || die "tmpfs on $base"
	D=$base/nsset-test
	ETC=$D/etc
	mkdir -p "$D/out" "$D/sanitizer" "$ETC" "$D/home" || die "mkdir scratch"
	chmod 0755 "$D" "$ETC" && chmod 1777 "$D/out" "$D/sanitizer"
	NSSET_TEST_LOG=$D/syslog.log

	overlay_etc
	if hides /home; then HOME_BASE=$D/home; else HOME_BASE=/home; fi
	make_accounts
	for f in passwd group shadow gshadow shells; do
		[ -e "/etc/$f" ] && bind "$ETC/$f" "/etc/$f"
	done
	for d in pam.d security; do
		mkdir -p "$ETC/$d"
		[ -d "/etc/$d" ] && { cp -a "/etc/$d/." "$ETC/$d/" || die "copy /etc/$d"; }
		chown 0:0 "$ETC/$d" && chmod 0755 "$ETC/$d"
		bind "$ETC/$d" "/etc/$d"
	done
	rm -rf /etc/security/nsset.conf /etc/security/nsset.d
	[ "$HOME_BASE" = /home ] && bind "$D/home" /home

	mount -t tmpfs -o mode=0755,nosuid,nodev nsset-run /run || die "tmpfs on /run"
	mkdir -m 0755 /run/sshd && mkdir -m 1777 /run/lock
	for t in /tmp /var/tmp; do
		hides "$t" || mount -t tmpfs -o mode=1777,nosuid,nodev nsset-tmp "$t" ||
			die "tmpfs on $t"
	done
	if [ -d /var/log ] && ! hides /var/log; then
		mount -t tmpfs -o mode=0755,nosuid,nodev nsset-log /var/log || die "tmpfs on /var/log"
		for f in wtmp:0664 btmp:0660 lastlog:0664; do
			: >"/var/log/${f%:*}" && chmod "${f#*:}" "/var/log/${f%:*}"
			chgrp utmp "/var/log/${f%:*}" 2>/dev/null
		done
	fi

	make_dev
	ip link set lo up || die "lo up"
	echo nsset-test >/proc/sys/kernel/hostname || die "hostname"
	start_syslog

	if [ -n "${NSSET_SANDBOX_AFFINITY:-}" ]; then
		taskset -pc "$NSSET_SANDBOX_AFFINITY" $$ >/dev/null || die "restore affinity"
	fi
	unset NSSET_SANDBOX_AFFINITY NSSET_SANDBOX_CPU
	case ${ASAN_OPTIONS:-log_path=} in *log_path=*) ;; *)
		export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$D/sanitizer/asan" ;;
	esac
	case ${UBSAN_OPTIONS:-log_path=} in *log_path=*) ;; *)
		export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$D/sanitizer/ubsan" ;;
	esac
	NSSET_SANDBOX=1 NSSET_TEST_DIR=$D NSSET_TEST_HOME=$HOME_BASE
	NSSET_TEST_PASSWORD=$TEST_PASSWORD
	export NSSET_SANDBOX NSSET_TEST_DIR NSSET_TEST_LOG NSSET_TEST_HOME NSSET_TEST_PASSWORD

	# CMD runs in the foreground, not as PID 1: this shell is the sandbox's
	# init, and while it waits it also reaps orphans reparented to it.
	"$@"
	rc=$?

	if [ -n "${NSSET_TEST_KEEP:-}" ]; then
		mkdir -p "$NSSET_TEST_KEEP" &&
			cp -a "$NSSET_TEST_LOG" "$D/out" "$D/sanitizer" "$NSSET_TEST_KEEP/" ||
			echo "sandbox: could not copy results to $NSSET_TEST_KEEP" >&2
	fi
	exit $rc
}

if [ "${1:-}" = --nsset-sandbox-inner ]; then
	shift
	inner "$@"
else
	outer "$@"
fi
