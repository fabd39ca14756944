/* The clean room: the per-task state that every root process nsset starts
 * (the holder, and through it the set's init and hooks) runs with, whoever
 * started it: sshd's [priv] process, su, nssetctl, or a hostile caller of
 * the setuid nsset-enter with odd limits, scheduling and namespaces.
 *
 * The list follows the kernel's per-task state, not known attacks; SECURITY.md
 * ("The holder's promise") states each item and its value. In short:
 *   credentials      uid/gid 0 (real, effective, saved), no supplementary groups
 *   capabilities     ambient and inheritable sets empty; the bounding set
 *                    cannot be raised (a starter that lowered it gets a
 *                    holder that fails closed); securebits 0
 *   rlimits          every one set to the table in cleanroom.c; where a hard
 *                    limit cannot be raised (no CAP_SYS_RESOURCE) and is below
 *                    the holder's floor, the set is refused
 *   scheduling       SCHED_OTHER, nice 0, no reset-on-fork, utilisation
 *                    clamps reset; I/O priority: none (derived from nice);
 *                    CPU affinity: every CPU; NUMA policy: default; timer
 *                    slack 50 us; core-scheduling cookie: PID 1's
 *   memory & misc    oom_score_adj 0, THP allowed, TSC readable,
 *                    personality PER_LINUX, not dumpable
 *   refused          a seccomp filter (cannot be removed)
 *   not inherited    fds (only 0-3, set by the starter's spawn), environment
 *                    (PATH only), signal mask and dispositions, itimers,
 *                    pending signals (a fresh fork)
 *   set after fork   namespaces (hostns.h), session (setsid: no tty),
 *                    session keyring (a new one), cwd "/", umask 077
 */
#ifndef NSSET_CLEANROOM_H
#define NSSET_CLEANROOM_H

#include <stdbool.h>

#include "common.h"

/* Before the holder's one fork: credentials, capabilities, limits,
 * scheduling, memory policy and the rest of the list above, then the host's
 * namespaces as recorded in the store at store_path (hostns.h). The first
 * thing nsset-holder does, so that nothing runs in the starter's state. On
 * failure the caller must make nothing (it reports e and exits). */
int nsset_cleanroom_enter(const char *store_path, struct nsset_err *e);

/* After the fork, in the new session: checks the namespaces (pid and time
 * apply only now), gives the holder a session keyring of its own and PID
 * 1's core-scheduling cookie, and checks that every reset above took. */
int nsset_cleanroom_settle(const char *store_path, struct nsset_err *e);

/* Every CPU again: for the set's init, cloned while the holder may be
 * pinned to one CPU (the retry against the kernel's false EINVAL). */
void nsset_cleanroom_all_cpus(void);

/* For nsset-enter's own critical section: it holds set locks that other
 * users' logins wait for, so a caller's SCHED_IDLE, nice 19 or idle I/O
 * class must not slow it there. The caller's values are saved, reset to
 * SCHED_OTHER, nice 0 and no I/O class while privileged, and given back
 * before the caller's program runs. */
struct nsset_sched_saved {
	unsigned char attr[64];     /* struct sched_attr as sched_getattr gave it */
	long ioprio;
	bool saved;
};
int nsset_sched_save(struct nsset_sched_saved *s, struct nsset_err *e);
int nsset_sched_reset(struct nsset_err *e);
int nsset_sched_restore(const struct nsset_sched_saved *s, struct nsset_err *e);

#endif
