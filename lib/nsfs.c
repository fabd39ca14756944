/* Namespace files: open, verify, join; see nsfs.h. */
#include "nsfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
/* Not in Debian 12's headers; answered by Linux >= 6.6, ENOTTY before. */
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, uint64_t)
#endif
/* The inode number of the initial user namespace is fixed (PROC_USER_INIT_INO). */
#define INIT_USER_NS_INO 0xEFFFFFFDUL

void nsset_nsfds_init(struct nsset_nsfds *f)
{
	f->flags = 0;
	for (int i = 0; i < NSSET_NS_MAX; i++)
		f->fd[i] = -1;
}

void nsset_nsfds_close(struct nsset_nsfds *f)
{
	for (int i = 0; i < NSSET_NS_MAX; i++)
		close_fd(&f->fd[i]);
	f->flags = 0;
}

int nsset_nsfd_open_one(int dirfd, const char *name, int flag, struct nsset_err *e)
{
	/* O_NONBLOCK: a FIFO planted in place of an ns file must not hang the
	 * login (CVE-2024-22365); the type is checked on the fd below. */
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return nsset_fail(e, errno, "cannot open namespace file '%s'", name);
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
		return nsset_fail(e, 0, "namespace file '%s' is not a namespace (nsfs) file", name);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type != flag)
		return nsset_fail(e, 0, "namespace file '%s' holds a namespace of the wrong type", name);
	/* Only namespaces owned by the initial user namespace were made by us
	 * as real root; anything else was not. */
	_cleanup_close_ int ufd = ioctl(fd, NS_GET_USERNS);
	struct stat ust;
	if (ufd < 0 || fstat(ufd, &ust) < 0 || ust.st_ino != INIT_USER_NS_INO)
		return nsset_fail(e, 0, "namespace file '%s' is not owned by the initial user namespace", name);
	return TAKE_FD(fd);
}

int nsset_nsfds_open(int dirfd, int flags, struct nsset_nsfds *out, struct nsset_err *e)
{
	nsset_nsfds_init(out);
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!(flags & nsset_nstypes[i].flag))
			continue;
		int fd = nsset_nsfd_open_one(dirfd, nsset_nstypes[i].name, nsset_nstypes[i].flag, e);
		if (fd < 0) {
			nsset_nsfds_close(out);
			return -1;
		}
		out->fd[i] = fd;
	}
	out->flags = flags;
	return 0;
}

int nsset_nsfds_join(const struct nsset_nsfds *f, struct nsset_err *e)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (f->fd[i] < 0)
			continue;
		if (setns(f->fd[i], nsset_nstypes[i].flag) < 0)
			return nsset_fail(e, errno, "setns(%s)", nsset_nstypes[i].name);
	}
	return 0;
}

int nsset_mntns_id(int fd, uint64_t *id)
{
	return ioctl(fd, NS_GET_MNTNS_ID, id) < 0 ? -1 : 0;
}

int nsset_nsfds_is_current(const struct nsset_nsfds *f)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (f->fd[i] < 0)
			continue;
		char path[64];
		/* pid: what our children get is what matters for a login. */
		const char *name = nsset_nstypes[i].children ? nsset_nstypes[i].children
							     : nsset_nstypes[i].name;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
		struct stat a, b;
		if (stat(path, &a) < 0 || fstat(f->fd[i], &b) < 0)
			return 0;
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			return 0;
	}
	return 1;
}

void nsset_nsfs_inodes(int dirfd, unsigned long long ino[NSSET_NS_MAX])
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		ino[i] = 0;
		_cleanup_close_ int fd = nsset_nsfd_open_one(dirfd, nsset_nstypes[i].name,
							     nsset_nstypes[i].flag, NULL);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0)
			ino[i] = st.st_ino;
	}
}
