/* A recorded process: one the store names in a set's meta (a holder, a pid
 * set's init) or a session entry, to be looked at or signalled later by
 * another process.
 *
 * A pid alone may name a newcomer by then. The handle names the process by
 * pid plus its start time (clock ticks since boot, /proc/PID/stat field
 * 22) plus, on Linux 6.9+, its pidfs inode, which is never reused. Every
 * use goes through a pidfd taken first and checked after (pidfd_open_verified
 * in util.h): once the check passes, the pidfd names that very process, so a
 * signal sent through it (pidfd_send_signal) cannot reach anyone else however
 * the pid is recycled meanwhile. No kill(pid) on a recorded process anywhere.
 *
 * A process that has exited but is not reaped yet (a zombie) counts as
 * gone: whatever it stood for is over.
 *
 * (A process's own unreaped child, whose pid cannot be reused, may be
 * signalled by pid: holder.c does so for the init it forked.)
 */
#ifndef NSSET_PROCREF_H
#define NSSET_PROCREF_H

#include <stdbool.h>
#include <sys/types.h>

struct nsset_proc {
	pid_t pid;                  /* 0: none recorded */
	unsigned long long start;   /* start time in clock ticks since boot */
	unsigned long long ino;     /* pidfs inode, 0 if unknown */
};

/* The handle of a live process `pid` as it is now (for the process itself,
 * or its parent: the pid is the unreaped child's). -1 with errno ESRCH if
 * there is no such live process. */
int nsset_proc_record(pid_t pid, struct nsset_proc *p);

/* A pidfd of the recorded process (O_CLOEXEC). -1 with errno ESRCH when it
 * is gone or the pid now names another process; with another errno (ENOSYS:
 * a kernel without pidfds, EMFILE) when it cannot tell. */
int nsset_proc_open(const struct nsset_proc *p);

/* Whether the recorded process is alive now (false also when it cannot
 * tell). */
bool nsset_proc_alive(const struct nsset_proc *p);

/* Sends `sig` to the recorded process through a verified pidfd; with
 * wait_ms > 0 then waits that long for it to exit. 0 when signalled (and,
 * if waited for, exited); -1 with errno ESRCH when it was not there (nothing
 * signalled: a recycled pid is never hit), ETIMEDOUT when it outlived the
 * wait, another errno when nothing could be done (no pidfds: nothing is
 * signalled rather than risk a stranger). */
int nsset_proc_kill(const struct nsset_proc *p, int sig, int wait_ms);

/* Waits up to ms for the process of `pidfd` to exit: 0 exited, -1 with
 * errno ETIMEDOUT (or poll's). */
int nsset_pidfd_wait(int pidfd, int ms);

#endif
