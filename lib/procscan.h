/* Looking at the processes in /proc: the one walk over /proc that the
 * holder (are processes left in the set?) and nssetctl (which processes sit
 * in a set, who has a directory open, where nsfs mounts are) share.
 *
 * Read-only; never prints, never exits. Judgements are only right in the
 * host's pid namespace (the holder and nssetctl run there).
 */
#ifndef NSSET_PROCSCAN_H
#define NSSET_PROCSCAN_H

#include <stdbool.h>
#include <sys/types.h>

#include "common.h"
#include "nsfs.h"
#include "nstypes.h"

/* Calls fn for every process in /proc (the caller too), with /proc's fd and
 * the pid both as a number and as its directory name (so "NAME/ns/net" can
 * be looked at relative to procfd). fn returns 0 to go on; anything else
 * ends the walk and is returned. -1 with e when /proc cannot be read. */
typedef int (*nsset_proc_fn)(int procfd, pid_t pid, const char *name, void *ctx);
int nsset_proc_each(nsset_proc_fn fn, void *ctx, struct nsset_err *e);

/* The inode of /proc/NAME/<rel> (say "ns/pid"), following the magic link;
 * 0 if the process or the file is gone. */
unsigned long long nsset_proc_ino_at(int procfd, const char *name, const char *rel);

/* A process's namespaces, and for the types with a *_for_children entry
 * (nsset_nstypes[].children: pid, time) what its children get, which is
 * where a PAM caller sits after setns(CLONE_NEWPID). Both indexed like
 * nsset_nstypes[]; 0 = not looked at, gone, or no such entry. */
struct nsset_proc_ns {
	pid_t pid;
	unsigned long long ino[NSSET_NS_MAX];
	unsigned long long child[NSSET_NS_MAX];
};

/* The namespaces (of the types in `flags`) of one process, /proc/NAME
 * relative to procfd; false when none could be read (gone meanwhile). */
bool nsset_proc_ns_read(int procfd, pid_t pid, const char *name, int flags,
			struct nsset_proc_ns *p);

struct nsset_proc_table {
	struct nsset_proc_ns *p;
	size_t n, cap;
};

/* The namespace inodes (of the types in `flags`) of every process in at
 * least one of them. Free t->p. */
int nsset_proc_table_scan(int flags, struct nsset_proc_table *t, struct nsset_err *e);

/* In the set whose namespace inodes are `ino` (indexed like
 * nsset_nstypes[], 0 = the set lacks it): in every namespace it has (pid
 * and time: also when only the process's children are, as for a PAM
 * caller that joined). */
bool nsset_proc_in_set(const struct nsset_proc_ns *p, const unsigned long long *ino);

/* The processes that live in a set: in at least one of its namespaces
 * (`ino` indexed like nsset_nstypes[], 0 = the set lacks the type). Any one
 * will do: a process that made a nested namespace of one type (a rootless
 * container, `unshare -r`) still lives in the set's others; and a root
 * process that joined one (a hook's daemon, nsenter) counts too. A zombie
 * does not (its namespaces are gone). This is the one judgement for the
 * holder of a set that outlives its sessions (keep=processes) and for a
 * login that finds its set outdated (work left running keeps it, as a
 * session does).
 *
 * members: up to `max` pids, other than the `nskip` ones in `skip` (the
 * set's holder and init); returns how many (0: none left), or -1 with e
 * when /proc cannot be read. The walk stops once `max` are found; a
 * process outside the set costs one stat per namespace type of the set,
 * so neither is called on the common path of a login.
 * busy: the first such pid, 0 when none, -1 with e. */
int nsset_proc_set_members(const unsigned long long *ino, const pid_t *skip, size_t nskip,
			   pid_t *out, size_t max, struct nsset_err *e);
pid_t nsset_proc_set_busy(const unsigned long long *ino, const pid_t *skip, size_t nskip,
			  struct nsset_err *e);

/* Some process other than the caller with an open fd on the directory
 * dev/ino, whose path starts with `prefix`; 0 if none. */
pid_t nsset_proc_dir_user(const char *prefix, dev_t dev, ino_t ino);

/* Real uid and comm (at most 16 bytes) of a process; false when it is gone. */
bool nsset_proc_identity(pid_t pid, uid_t *uid, char *comm, size_t size);

/* A start time in clock ticks since boot as unix time; 0 if unknown.
 * btime is nsset_boot_time()'s. */
long long nsset_boot_time(void);
long long nsset_ticks_to_unix(unsigned long long ticks, long long btime);

#endif
