/* The namespace types nsset manages, as one table (the util-linux habit):
 * policy words, store file names and /proc/PID/ns names all come from here. */
#ifndef NSSET_NSTYPES_H
#define NSSET_NSTYPES_H

#include <sched.h>
#include <stddef.h>

#include "common.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct nsset_nstype {
	const char *name;   /* policy word, store file name and /proc/PID/ns/<name> */
	int flag;           /* CLONE_NEW* */
};

/* In join order (see nsfs.c for why this order). */
extern const struct nsset_nstype nsset_nstypes[];
extern const size_t nsset_nstype_count;

#define NSSET_NS_ALL_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
	CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Returns the CLONE_NEW* flag for a policy word, or 0. */
int nsset_nstype_flag(const char *name);

/* Writes "mnt,uts,pid" for a flag set into buf; returns buf. */
char *nsset_nsflags_format(int flags, char *buf, size_t size);

/* Parses "mnt,uts,pid" (or "all"); returns flags, or -1 naming the bad word
 * in *bad (pointer into a static-free copy: bad must hold 32 bytes). */
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
