/* Opening, verifying and joining namespace files (nsfs). */
#ifndef NSSET_NSFS_H
#define NSSET_NSFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "nstypes.h"

struct nsset_nsfds {
	int flags;                  /* which types are open */
	int fd[NSSET_NS_MAX];       /* indexed like nsset_nstypes[], -1 if absent */
};

void nsset_nsfds_init(struct nsset_nsfds *f);
void nsset_nsfds_close(struct nsset_nsfds *f);

/* Opens dirfd/<name> for every type in `flags` with
 * O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NONBLOCK and verifies on the fd that it is
 * an nsfs inode (fstatfs NSFS_MAGIC) of the expected type (NS_GET_NSTYPE)
 * owned by the initial user namespace. Either all are open or none. */
int nsset_nsfds_open(int dirfd, int flags, struct nsset_nsfds *out, struct nsset_err *e);

/* Opens and verifies a single namespace file (same checks). */
int nsset_nsfd_open_one(int dirfd, const char *name, int flag, struct nsset_err *e);

/* setns() into every open namespace, in nsset_nstypes[] order. A failure
 * part-way returns -1: the caller must then refuse to start anything in
 * this process. */
int nsset_nsfds_join(const struct nsset_nsfds *f, struct nsset_err *e);

/* Unique id of the mount namespace behind fd (NS_GET_MNTNS_ID, Linux 6.6+).
 * Returns 0, or -1 with errno ENOTTY on kernels without it. */
int nsset_mntns_id(int fd, uint64_t *id);

/* True if the process already sits in every namespace of f (same inode). */
int nsset_nsfds_is_current(const struct nsset_nsfds *f);

/* The inode of each namespace file in dirfd that is a sound nsfs bind
 * mount (same checks as above), indexed like nsset_nstypes[]; 0 where the
 * file is absent or not one. */
void nsset_nsfs_inodes(int dirfd, unsigned long long ino[NSSET_NS_MAX]);

/* Number of nsfs mounts of any of the `n` namespace inodes, over every
 * mount namespace some process in /proc sits in (each looked at once);
 * *where gets a pid in one that has such a mount. -1 on error. For
 * nssetctl: it reads mountinfo with libmount, so it lives in nsfsscan.c,
 * apart from the login path's code above. */
int nsset_nsfs_mounts(const unsigned long long *ino, size_t n, pid_t *where,
		      struct nsset_err *e);

#endif
