/* The namespace types nsset manages, as one table (the util-linux habit):
 * policy words, store file names and /proc/PID/ns names all come from here. */
#ifndef NSSET_NSTYPES_H
#define NSSET_NSTYPES_H

#include <sched.h>
#include <stddef.h>

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

#endif
