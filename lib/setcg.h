/* A set's own cgroup: where its resource limits (nsset.conf(5):
 * memory.max=, memory.high=, pids.max=, cpu.quota=, cpu.weight=,
 * io.weight=) hold, as one budget for every process of the set.
 *
 * Only a set whose rule has limits gets one; every other set stays where it
 * is today (its holder in its own systemd scope, or in its starter's cgroup
 * on a host without systemd).
 *
 * Where it is (cgroup v2 only; its path goes into the set's meta, `cgroup`):
 *   - systemd host: PARENT = the set's own scope, made with Delegate=yes
 *     (sdunit.c), so the subtree below it is nsset's; the set's cgroup is
 *     PARENT/set, and the scope itself holds no process (cgroup v2's "no
 *     internal processes" rule, for the controllers enabled below it).
 *   - no systemd: PARENT = cgroup.root= (NSSET_CG_ROOT_NAME in the mount), made on
 *     first use with the controllers enabled down to it; the set's cgroup
 *     is PARENT/SCOPE-ID ("/sys/fs/cgroup/nsset/user-1000").
 * The holder moves itself in before it makes any namespace, so that the
 * init is born there and the set's cgroup namespace is rooted there; each
 * login moves its own process in (nsset_cg_join) before it joins the
 * namespaces. Limits are written by nsset into the set's cgroup, never into
 * a cgroup systemd owns.
 *
 * Fail closed: a rule with limits on a machine whose cgroup v2 lacks one of
 * the controllers they need is refused (nsset_cg_check), by the account
 * phase, `nssetctl check` and the holder.
 */
#ifndef NSSET_SETCG_H
#define NSSET_SETCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "policy.h"

/* cgroup.root= when the policy does not say: this directory in the cgroup2
 * mount ("/sys/fs/cgroup/nsset"). */
#define NSSET_CG_ROOT_NAME "nsset"

/* The controllers a set's limits need, as bits. */
#define NSSET_CG_MEMORY 0x1u
#define NSSET_CG_PIDS   0x2u
#define NSSET_CG_CPU    0x4u
#define NSSET_CG_IO     0x8u

/* The controllers `l` needs; 0 when it sets no limit at all. */
unsigned nsset_limits_controllers(const struct nsset_limits *l);

bool nsset_limits_equal(const struct nsset_limits *a, const struct nsset_limits *b);

/* The limits as nsset.conf writes them: "memory.max=512m pids.max=100",
 * or "none". */
const char *nsset_limits_format(const struct nsset_limits *l, char *buf, size_t size);

/* Controller bits as text: "memory,pids" ("" for 0). */
const char *nsset_cg_names(unsigned mask, char *buf, size_t size);

/* The cgroup v2 mount point this process sees: "/sys/fs/cgroup" on a
 * unified host, "/sys/fs/cgroup/unified" on a hybrid one. 0, or -1 with e
 * (no cgroup2 mount). */
int nsset_cg_mount(char *buf, size_t size, struct nsset_err *e);

/* Opens the cgroup at `path` below the mount `mnt` ("" is the mount's
 * root), one component at a time, following no symlink and refusing "."
 * and ".." (the path comes from a set's record and must name a cgroup
 * below the mount, nothing else). An fd, or -1 with e and errno. */
int nsset_cg_open(const char *mnt, const char *path, struct nsset_err *e);

/* The value of `key` in a flat-keyed interface file's text ("oom_kill 1\n",
 * cpu.stat's "usage_usec 1234\n"): a whole word at the start of a line,
 * followed by a decimal number. A line the buffer cut is not read. true
 * with *out, or false (not there, malformed). */
bool nsset_cg_key(const char *text, const char *key, uint64_t *out);

/* Whether sets can have the controllers in `need` here: cgroup v2 is
 * mounted and its root's cgroup.controllers lists each of them. 0, or -1
 * with e saying which are missing and what the machine has ("cgroup v2
 * (/sys/fs/cgroup/unified) lacks the memory, pids controllers (it has:
 * hugetlb); they are bound to cgroup v1 hierarchies, or disabled"). */
int nsset_cg_check(unsigned need, struct nsset_err *e);

/* Holder only: makes the set's cgroup below `parent_abs` (an absolute path
 * in the cgroup2 mount: the set's scope's cgroup, or cgroup.root), enables
 * the controllers `need` on the way, moves the calling process in, and
 * writes the limits. `leaf` is the child's name ("set", or "user-1000").
 * On success *path (below the mount, for the meta) names it. On failure
 * nothing is left that was made here (a cgroup made is removed again). */
int nsset_cg_make(const char *parent_abs, const char *leaf, const struct nsset_limits *l,
		  char *path, size_t size, struct nsset_err *e);

/* Writes every limit into the set's cgroup (`path` below the mount), "max"
 * (or the default weight) for those `l` does not set: a policy edit that
 * drops a limit lifts it. */
int nsset_cg_apply(const char *path, const struct nsset_limits *l, struct nsset_err *e);

/* Moves process `pid` (0: the caller) into the set's cgroup. */
int nsset_cg_join(const char *path, pid_t pid, struct nsset_err *e);

/* Removes the set's cgroup once its processes are gone, waiting up to
 * wait_ms for those just killed to finish exiting: 0, or -1 with e
 * (EBUSY: processes left in it, a set without a pid namespace). A path
 * already gone is 0. */
int nsset_cg_remove(const char *path, int wait_ms, struct nsset_err *e);

/* What a set's cgroup shows: usage, limits in bytes/tasks as the kernel
 * holds them (UINT64_MAX for "max"), and its event counters. */
struct nsset_cg_usage {
	uint64_t memory_current, memory_max, memory_high;
	uint64_t pids_current, pids_max;
	uint64_t cpu_usec;              /* cpu.stat usage_usec */
	uint64_t oom_kill;              /* memory.events oom_kill */
	uint64_t memory_max_hits;       /* memory.events max */
	uint64_t pids_max_hits;         /* pids.events max: forks refused */
};

/* Reads them; a file the kernel does not have (a controller not enabled)
 * leaves its fields at 0. 0, or -1 with e (the cgroup is gone). */
int nsset_cg_usage(const char *path, struct nsset_cg_usage *u, struct nsset_err *e);

/* A size limit in bytes: a size as tmp= writes it, or a percentage of the
 * machine's RAM (sysinfo). 0 for "". */
uint64_t nsset_cg_bytes(const char *size);

/* ---- added for the admin view (cgusage.c) and its unit test ------------- */

/* nsset_cg_usage on the set's cgroup directory, already open (dirfd):
 * the reading and parsing without the mount lookup, so that
 * tests/unit/test_cgusage.c can point it at a directory of plain files.
 * -1 with e (ENOENT) when dirfd has no cgroup.procs: the cgroup was
 * removed after it was opened. */
int nsset_cg_usage_at(int dirfd, struct nsset_cg_usage *u, struct nsset_err *e);

#endif
