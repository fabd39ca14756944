/* The host's namespaces, and who sits in a set's.
 *
 * When the store is made, the namespaces of PID 1 (mnt uts ipc net pid
 * cgroup time, as far as the kernel has them) are recorded in STORE/.host
 * by identity (nsfs device and inode). That record is what "the host"
 * means from then on:
 *   - every holder enters exactly those namespaces before it makes a set,
 *     whatever namespaces its starter sat in (nsset_hostns_enter, then a
 *     fork, then nsset_hostns_verify);
 *   - every placement compares the caller's namespaces with the record and,
 *     where one differs, with the ns files of every set in the store: a
 *     caller that sits in any namespace of a set other than the one it is
 *     being placed in is refused (nsset_caller_check). A caller inside a
 *     set's mount namespace cannot see the store at all (it is covered
 *     there) and is refused when the store is opened.
 */
#ifndef NSSET_HOSTNS_H
#define NSSET_HOSTNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common.h"
#include "nsfs.h"
#include "store.h"

struct nsset_nsid {
	bool present;               /* the kernel has this namespace type */
	unsigned long long dev, ino;
};

/* One entry per row of nsset_nstypes[], in that order. */
struct nsset_hostns {
	struct nsset_nsid ns[NSSET_NS_MAX];
};

/* Writes STORE/.host from /proc/1/ns/ unless it is there already. Called
 * with the store just opened by root (the module or nsset-enter). */
int nsset_hostns_ensure(int store_fd, struct nsset_err *e);

/* Reads STORE/.host. */
int nsset_hostns_read(int store_fd, struct nsset_hostns *h, struct nsset_err *e);

/* Holder side, before its one fork: checks that /proc/1/ns/ as this
 * process sees it is the recorded host, then setns() into each of those
 * namespaces (the pid and time namespaces apply to the children: the
 * caller must fork next). The user namespace must already be the initial
 * one. Fails closed: on error nothing may be made. */
int nsset_hostns_enter(int store_fd, struct nsset_err *e);

/* After that fork: every namespace of this process is the recorded host's. */
int nsset_hostns_verify(int store_fd, struct nsset_err *e);

/* Placement side: 0 when the calling process sits in no namespace of any
 * set but `target`'s (the host's, or a namespace nsset did not make); -1
 * with a message naming the set and the namespace otherwise. */
int nsset_caller_check(const struct nsset_store *st, const struct nsset_setid *target,
		       struct nsset_err *e);

#endif
