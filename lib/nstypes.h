/* The namespace types nsset manages, as one table (the util-linux habit):
 * policy words, store file names, /proc/PID/ns names, CLONE_NEW* flags, the
 * join, display and watch orders, the *_for_children entries and how the
 * holder makes each type all come from here (NSSET_NSTYPES below). */
#ifndef NSSET_NSTYPES_H
#define NSSET_NSTYPES_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* How the holder makes a namespace of the type (holder.c, attempt_build). */
enum nsset_ns_made {
	NSSET_NS_CLONED,        /* a CLONE_NEW* flag of the clone() that makes the init */
	NSSET_NS_UNSHARED,      /* unshare()d by the holder before that clone: clone()
				 * refuses CLONE_NEWTIME; the init inherits it as its
				 * children's namespace */
};

/* One row per namespace type: everything nsset knows about it.
 *
 *   X(name, flag, rank, watch, children, optional, made)
 *
 * name      policy word, store file name and /proc/PID/ns/<name>
 * flag      CLONE_NEW*
 * rank      display order ("mnt,uts,ipc,net,pid,cgroup,time": the familiar
 *           one of util-linux and the man pages), 0 first
 * watch     the order in which the holder looks for processes left in a
 *           set: pid first, the one a process can never leave
 * children  the /proc/self/ns entry a process's children get, where the
 *           type has one: it is what a login joins (nsfs.c) and what
 *           setns(CLONE_NEWPID) changes
 * optional  a kernel may lack it (CONFIG_CGROUPS, CONFIG_TIME_NS) even
 *           though nsset runs: the host record (hostns.c) may omit it
 * made      enum nsset_ns_made
 *
 * Rows are in join order: everything that only changes what the process
 * can reach first, pid and time (which mostly affect children) next, mnt
 * last, because joining the mount namespace changes root and cwd and after
 * it no path of the host may be resolved any more. All files are opened
 * and verified before the first setns(), so the order never decides which
 * files get opened.
 *
 * A new type is one row here (nstypes.c's static asserts check the rest)
 * plus what it means inside a set: setup.c, the man pages, the tests. */
#define NSSET_NSTYPES(X) \
	X("cgroup", CLONE_NEWCGROUP, 5, 5, NULL,                true,  NSSET_NS_CLONED) \
	X("ipc",    CLONE_NEWIPC,    2, 3, NULL,                false, NSSET_NS_CLONED) \
	X("uts",    CLONE_NEWUTS,    1, 4, NULL,                false, NSSET_NS_CLONED) \
	X("net",    CLONE_NEWNET,    3, 2, NULL,                false, NSSET_NS_CLONED) \
	X("time",   CLONE_NEWTIME,   6, 6, "time_for_children", true,  NSSET_NS_UNSHARED) \
	X("pid",    CLONE_NEWPID,    4, 0, "pid_for_children",  false, NSSET_NS_CLONED) \
	X("mnt",    CLONE_NEWNS,     0, 1, NULL,                false, NSSET_NS_CLONED)

struct nsset_nstype {
	const char *name;
	int flag;
	unsigned rank, watch;
	const char *children;       /* NULL: children get the process's own */
	bool optional;
	enum nsset_ns_made made;
};

#define NSSET_NSTYPE_COUNT_(name, flag, ...) + 1
#define NSSET_NSTYPE_FLAG_(name, flag, ...) | (flag)

/* Sizes arrays indexed like nsset_nstypes[]; nstypes.c asserts it is the
 * number of rows. */
#define NSSET_NS_MAX 7

#define NSSET_NS_ALL_FLAGS (0 NSSET_NSTYPES(NSSET_NSTYPE_FLAG_))

/* In join order. */
extern const struct nsset_nstype nsset_nstypes[NSSET_NS_MAX];
extern const size_t nsset_nstype_count;

/* The row of display rank / watch rank r (0 <= r < NSSET_NS_MAX). */
const struct nsset_nstype *nsset_nstype_ranked(unsigned r);
const struct nsset_nstype *nsset_nstype_watched(unsigned r);

/* The row of a policy word, or NULL. */
const struct nsset_nstype *nsset_nstype_named(const char *name);

/* The types in `flags` the holder makes the given way. */
int nsset_nsflags_made(int flags, enum nsset_ns_made how);

/* Returns the CLONE_NEW* flag for a policy word, or 0. */
int nsset_nstype_flag(const char *name);

/* Writes "mnt,uts,pid" for a flag set into buf, in display order; returns
 * buf. */
char *nsset_nsflags_format(int flags, char *buf, size_t size);

/* Parses "mnt,uts,pid" (or "all"); returns flags, or -1 with the bad word
 * copied into bad (cut to badsize - 1 characters; bad may be NULL). */
int nsset_nsflags_parse(const char *list, char *bad, size_t badsize);

/* Where the running kernel lists the namespace types it was built with: a
 * kernel without CONFIG_TIME_NS (Debian 12's user-mode-linux build) has no
 * /proc/self/ns/time, one without CONFIG_CGROUPS no .../cgroup, and so on.
 * Compiled in; only a test build defines another (see mk/nskernel.mk). */
#ifndef NSSET_PROC_NS_DIR
#define NSSET_PROC_NS_DIR "/proc/self/ns"
#endif

/* Which of the types in `flags` (CLONE_NEW*) the running kernel lacks, by
 * the absence of <nsdir>/<name>; nsdir NULL means NSSET_PROC_NS_DIR (every
 * caller but the unit tests). Returns 0 when the kernel has them all; else
 * the flags of the missing ones, with e->msg naming each, e.g.
 *   namespace 'time' is not supported by this kernel (no /proc/self/ns/time)
 * (callers put "FILE:LINE: " of the rule before it); -1 when nsdir itself
 * cannot be looked at (no /proc), with e saying so. Callers refuse on any
 * result but 0, before anything of the set is made. */
int nsset_nstypes_unsupported(int flags, const char *nsdir, struct nsset_err *e);

#endif
