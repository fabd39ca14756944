/* Setting up the inside of a new set; see setup.h. */
#include "setup.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "nstypes.h"
#include "trusted.h"
#include "util.h"

int nsset_loopback_up(struct nsset_err *e)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return nsset_fail(e, errno, "socket for loopback setup");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return nsset_fail(e, errno, "reading flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return nsset_fail(e, errno, "bringing lo up");
	return 0;
}

/* The marker a set's mount namespace shows at the store path: its name, its
 * owner (uid, or a group set's gid) and the inode of each of its
 * namespaces, as the set's init saw them. Made by root on a read-only tmpfs
 * in a namespace users cannot mount in, so a process inside can trust it to
 * tell where it is (hostns.h reads it). */
static int write_marker(const char *store_path, const struct nsset_meta *m, struct nsset_err *e)
{
	char text[1024];
	int len = snprintf(text, sizeof(text), "set=%s/%s\nowner=%lu\n", nsset_scope_name(m->scope),
			   m->id, m->owner_id);
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!(m->ns_flags & nsset_nstypes[i].flag))
			continue;
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", nsset_nstypes[i].name);
		if (stat(path, &st) < 0)
			return nsset_fail(e, errno, "%s", path);
		len += snprintf(text + len, sizeof(text) - (size_t)len, "%s=%lu\n",
				nsset_nstypes[i].name, (unsigned long)st.st_ino);
	}
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/" NSSET_MARKER_NAME, store_path);
	/* Closed on return, before the caller remounts the cover read-only
	 * (which a file open for writing would make fail with EBUSY). */
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return nsset_fail(e, errno, "%s", file);
	/* Readable by the set's users (the creator's umask is 077). */
	if (fchmod(fd, 0444) < 0 || write_full(fd, text, (size_t)len) < 0)
		return nsset_fail(e, errno, "%s", file);
	return 0;
}

int nsset_hide_store(const char *store_path, const struct nsset_meta *self, struct nsset_err *e)
{
	/* EINVAL: not a mount point here (already detached), fine. */
	if (umount2(store_path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return nsset_fail(e, errno, "%s: detaching the store", store_path);
	struct stat st;
	if (stat(store_path, &st) < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s: stat", store_path);
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (mount("nsset", store_path, "tmpfs", flags, "mode=0755,size=16k,nr_inodes=8") < 0)
		return nsset_fail(e, errno, "%s: covering the store", store_path);
	if (self && write_marker(store_path, self, e) < 0)
		return -1;
	if (mount("none", store_path, "none", MS_REMOUNT | MS_RDONLY | flags, NULL) < 0)
		return nsset_fail(e, errno, "%s: making the cover read-only", store_path);
	return 0;
}

static int mount_tmpfs(const char *target, const char *size, struct nsset_err *e)
{
	char opts[64];
	if (size && *size)
		snprintf(opts, sizeof(opts), "mode=1777,size=%s", size);
	else
		snprintf(opts, sizeof(opts), "mode=1777");
	struct stat st;
	if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
		return errno == ENOENT ? 0 : nsset_fail(e, errno ? errno : ENOTDIR, "%s", target);
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return nsset_fail(e, errno, "mounting tmpfs on %s (%s)", target, opts);
	return 0;
}

/* A fresh sysfs on /sys, made by a process inside the set's network
 * namespace, so that /sys/class/net shows the set's interfaces (as `ip
 * netns exec` does). The cgroup tree below it is kept as the set saw it. */
static int remount_sys(struct nsset_err *e)
{
	struct stat sys, cg;
	if (stat("/sys", &sys) < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "/sys");
	_cleanup_close_ int cgfd = -1;
	if (stat("/sys/fs/cgroup", &cg) == 0 && cg.st_dev != sys.st_dev) {
		cgfd = open_tree(AT_FDCWD, "/sys/fs/cgroup", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (cgfd < 0)
			return nsset_fail(e, errno, "keeping /sys/fs/cgroup");
	}
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		return nsset_fail(e, errno, "detaching /sys");
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nsset_fail(e, errno, "mounting /sys for the set's network namespace");
	if (cgfd >= 0 && move_mount(cgfd, "", AT_FDCWD, "/sys/fs/cgroup", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return nsset_fail(e, errno, "putting /sys/fs/cgroup back");
	return 0;
}

/* A name usable as a directory name under NSSET_NET_ETC_DIR. */
static bool plain_name(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

/* /etc/FILE inside a net set from NSSET_NET_ETC_DIR, the first of
 * <scope>/<id>/FILE, <scope>/<owner>/FILE, default/FILE that exists (the
 * `ip netns exec` convention, per set). Only in the set's mount namespace:
 * a symlinked /etc/FILE (systemd-resolved's) is followed there, and the
 * host never sees the mount. */
static int override_etc(const struct nsset_meta *m, const char *file, struct nsset_err *e)
{
	const char *scope = nsset_scope_name(m->scope);
	char paths[3][PATH_MAX];
	size_t n = 0;
	snprintf(paths[n++], PATH_MAX, NSSET_NET_ETC_DIR "/%s/%s/%s", scope, m->id, file);
	if (plain_name(m->owner))
		snprintf(paths[n++], PATH_MAX, NSSET_NET_ETC_DIR "/%s/%s/%s", scope, m->owner, file);
	snprintf(paths[n++], PATH_MAX, NSSET_NET_ETC_DIR "/default/%s", file);
	char what[64];
	snprintf(what, sizeof(what), "%s override", file);
	for (size_t i = 0; i < n; i++) {
		struct nsset_err te = { 0 };
		_cleanup_close_ int fd = nsset_trusted_open(paths[i], what, &te);
		if (fd < 0) {
			if (te.errnum == ENOENT)
				continue;
			*e = te;
			return -1;
		}
		char src[64], dst[PATH_MAX];
		snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
		snprintf(dst, sizeof(dst), "/etc/%s", file);
		if (!(m->ns_flags & CLONE_NEWNS))
			return nsset_fail(e, 0, "%s: a %s needs mnt in the set", paths[i], what);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return nsset_fail(e, errno, "bind-mounting %s over %s", paths[i], dst);
		return 0;
	}
	return 0;
}

int nsset_setup_inside(const struct nsset_meta *m, const char *store_path, struct nsset_err *e)
{
	if (m->ns_flags & CLONE_NEWNS) {
		/* Host mounts (automounted homes, new media) still appear;
		 * nothing mounted in here reaches the host. */
		if (mount("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0)
			return nsset_fail(e, errno, "making / a slave mount");
		if (nsset_hide_store(store_path, m, e) < 0)
			return -1;
		if (m->ns_flags & CLONE_NEWPID) {
			/* Mounted by a process inside the new pid namespace, so
			 * it shows that namespace. */
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				return nsset_fail(e, errno, "mounting /proc");
		}
		if (m->tmp_private) {
			if (mount_tmpfs("/tmp", m->tmp_size, e) < 0 ||
			    mount_tmpfs("/var/tmp", m->tmp_size, e) < 0)
				return -1;
		}
		/* POSIX shared memory is files in /dev/shm: bounded, like
		 * /tmp, so that no tenant pins half of RAM there. */
		const char *shm = nsset_shm_size(m);
		if (shm && mount_tmpfs("/dev/shm", shm, e) < 0)
			return -1;
		if (m->ns_flags & CLONE_NEWIPC) {
			struct stat st;
			if (stat("/dev/mqueue", &st) == 0 && S_ISDIR(st.st_mode) &&
			    mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				return nsset_fail(e, errno, "mounting /dev/mqueue");
		}
	}
	if (m->ns_flags & CLONE_NEWNET) {
		if (nsset_loopback_up(e) < 0)
			return -1;
		if ((m->ns_flags & CLONE_NEWNS) && remount_sys(e) < 0)
			return -1;
		/* One look for the common case of no overrides at all, rather
		 * than six walks from "/" (a tenth of a millisecond). */
		struct stat dir;
		if (lstat(NSSET_NET_ETC_DIR, &dir) == 0 &&
		    (override_etc(m, "resolv.conf", e) < 0 || override_etc(m, "hosts", e) < 0))
			return -1;
	}
	if ((m->ns_flags & CLONE_NEWUTS) && m->hostname[0] &&
	    sethostname(m->hostname, strlen(m->hostname)) < 0)
		return nsset_fail(e, errno, "setting hostname '%s'", m->hostname);
	return 0;
}
