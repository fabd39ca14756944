/* Recorded processes; see procref.h. */
#include "procref.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "util.h"

int nsset_proc_record(pid_t pid, struct nsset_proc *p)
{
	p->pid = pid;
	p->start = pid > 0 ? proc_starttime(pid) : 0;
	p->ino = p->start ? pidfs_ino_of(pid) : 0;
	if (!p->start) {
		p->pid = 0;
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int nsset_proc_open(const struct nsset_proc *p)
{
	/* Neither an inode nor a start time: nothing to check a pid against. */
	if (p->pid <= 0 || (!p->ino && !p->start)) {
		errno = ESRCH;
		return -1;
	}
	return pidfd_open_verified(p->pid, p->ino, p->start);
}

bool nsset_proc_alive(const struct nsset_proc *p)
{
	_cleanup_close_ int fd = nsset_proc_open(p);
	if (fd >= 0)
		return true;
	/* No pidfds (before 5.3): the start time alone, read from /proc. */
	return errno == ENOSYS && p->pid > 0 && p->start && proc_starttime(p->pid) == p->start;
}

int nsset_pidfd_wait(int pidfd, int ms)
{
	/* A pidfd becomes readable when its process has exited. */
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;
	while ((r = poll(&pfd, 1, ms)) < 0 && errno == EINTR)
		;
	if (r > 0)
		return 0;
	if (r == 0)
		errno = ETIMEDOUT;
	return -1;
}

int nsset_proc_kill(const struct nsset_proc *p, int sig, int wait_ms)
{
	_cleanup_close_ int fd = nsset_proc_open(p);
	if (fd < 0)
		return -1;
	/* ESRCH here: it exited between the check and the signal, which
	 * was then sent to nobody. */
	if (pidfd_send_signal(fd, sig, NULL, 0) < 0)
		return -1;
	return wait_ms > 0 ? nsset_pidfd_wait(fd, wait_ms) : 0;
}
