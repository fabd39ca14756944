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

/* ---- the caller: where does it sit? ----------------------------------------
 *
 * A login may come from a process that sits in a set already: a second
 * pam_nsset in one PAM transaction is caught by the module itself (PAM
 * data), but `su - alice` run inside alice's set, or by root inside it, is
 * a new PAM application in a process of the set. Such a caller is looked at
 * by namespace identity against the set it would be placed in (`target`;
 * for a session set, whose id is new at every login, any session set of
 * the same owner, `owner_id`):
 *   - it sits in every namespace of that set (pid and time: its children's
 *     too): the login is already where it belongs, and nothing is done;
 *   - it sits in a namespace of any other set: refused (refusal class
 *     NSSET_REFUSAL_INSIDE), the message naming both sets for the log;
 *   - otherwise it is placed as from the host.
 * Two ways to see it: inside a set's mount namespace the store is covered
 * and the marker (store.h) names the set and lists its namespace inodes
 * (nsset_caller_marked); elsewhere the store is open and every set's ns
 * files are compared by device and inode (nsset_caller_check). */

/* The set a marker names. */
struct nsset_marker {
	char set[64];               /* "user/1000" */
	bool has_owner;             /* markers of sets made before nsset wrote it lack it */
	unsigned long owner_id;     /* uid, or the gid of a group set */
};

/* Inside a set's mount namespace: 1 when the marker at the store path
 * names a set (m filled) and every namespace it lists is the calling
 * process's own (pid and time: its children's too); -1 when a marker is
 * there but does not match or cannot be trusted (not a root-owned file on
 * a read-only tmpfs, or the caller sits in a user namespace); 0 when there
 * is no marker. */
int nsset_marker_check(const char *store_path, struct nsset_marker *m);

/* Before the store is opened: 0 when there is no marker (go on, open the
 * store, nsset_caller_check); 1 when the marker shows the caller in the
 * target set (`inside` gets its name); -1 with e otherwise. */
int nsset_caller_marked(const char *store_path, const struct nsset_setid *target,
			unsigned long owner_id, char *inside, size_t size, struct nsset_err *e);

/* With the store open: 0 when the calling process may be placed into
 * `target` (it sits in the host's namespaces, in namespaces nsset did not
 * make, or in some of target's); 1 when it sits in every namespace of the
 * target set already (`inside` gets its name); -1 with a message naming
 * the sets and the namespace otherwise (refusal class INSIDE), or when a
 * namespace cannot be looked at. */
int nsset_caller_check(const struct nsset_store *st, const struct nsset_setid *target,
		       unsigned long owner_id, char *inside, size_t size, struct nsset_err *e);

#endif
