/* Starting a holder from the PAM module or nsset-enter; see holder.h. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procref.h"
#include "util.h"

#define HOLDER_TIMEOUT_MS 30000

static int read_verdict(int fd, struct nsset_proc *holder, char *buf, size_t size)
{
	size_t len = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	buf[0] = '\0';
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= HOLDER_TIMEOUT_MS)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(HOLDER_TIMEOUT_MS - elapsed));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : -errno;
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		/* First line: "pid N START INO" (the holder as a recorded
		 * process; an older holder says only "pid N"); second: the
		 * verdict. */
		char *nl = strchr(buf, '\n');
		if (nl && holder->pid == 0 && strncmp(buf, "pid ", 4) == 0) {
			int pid = 0;
			holder->start = holder->ino = 0;
			sscanf(buf + 4, "%d %llu %llu", &pid, &holder->start, &holder->ino);
			holder->pid = pid > 0 ? pid : -1;
			memmove(buf, nl + 1, len - (size_t)(nl + 1 - buf) + 1);
			len = strlen(buf);
			nl = strchr(buf, '\n');
		}
		if (nl && holder->pid) {
			*nl = '\0';
			return 0;
		}
		if (len + 1 >= size)
			break;
	}
	return -EPIPE;
}

int nsset_holder_spawn(const char *holder_path, const char *store_path,
		       const struct nsset_meta *m, struct nsset_err *e)
{
	char meta[4096];          /* what nsset-holder reads, at most */
	if (nsset_meta_format(m, meta, sizeof(meta)) < 0)
		return nsset_fail(e, 0, "set description too long");

	struct stat st;
	if (stat(holder_path, &st) < 0)
		return nsset_fail(e, errno, "%s", holder_path);
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return nsset_fail(e, 0, "%s: must be a root-owned file not writable by others", holder_path);

	int pipefd[2], req[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int status_r = pipefd[0], status_w = pipefd[1];
	if (pipe2(req, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int req_r = req[0], req_w = req[1];
	/* Fits the pipe buffer: written before the holder even starts. */
	int wrc = write_full(req_w, meta, strlen(meta));
	close_fd(&req_w);       /* the holder reads its request to EOF */
	if (wrc < 0)
		return nsset_fail(e, errno, "writing the set description");

	/* Like pam_unix running its helper: SIGCHLD to default so our own
	 * waitpid works even if the application ignores it, and back after. */
	struct sigaction old_chld, dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);

	/* posix_spawn (vfork semantics: the caller's address space, sshd's
	 * and large, is not copied, let alone twice as by fork+fork). The
	 * holder must not stay the caller's child (sshd would reap it, and
	 * it would share the caller's process group handling): nsset-holder
	 * forks once in its own small image and the process we started
	 * exits at once. What the child gets, as before exec by hand:
	 *   - its own session: no controlling tty to push input into
	 *     (CVE-2017-5226);
	 *   - fds 0 (the request), 1 and 2 (/dev/null), 3 (the status pipe)
	 *     and nothing else; the pipes are parked high first, as the
	 *     caller's fds 0-3 may be anything;
	 *   - an empty signal mask, every signal at its default;
	 *   - argv without the set description (other users can read a
	 *     process's argv: it comes through stdin), but with the set's
	 *     name: room for the title the holder writes over its argv
	 *     ("nsset-holder user/1000", proctitle.h) where it cannot move
	 *     it elsewhere; the holder takes the name from the description;
	 *   - nothing of the caller's environment (a root program). */
	_cleanup_close_ int request = fcntl(req_r, F_DUPFD_CLOEXEC, 10);
	_cleanup_close_ int status = request < 0 ? -1 : fcntl(status_w, F_DUPFD_CLOEXEC, 10);
	int serr = errno;
	pid_t child = -1;
	if (status >= 0) {
		posix_spawn_file_actions_t fa;
		posix_spawnattr_t at;
		sigset_t none, all;
		sigemptyset(&none);
		sigfillset(&all);
		char setname[64];
		snprintf(setname, sizeof(setname), "%s/%s", nsset_scope_name(m->scope), m->id);
		char *const argv[] = { (char *)"nsset-holder", (char *)store_path, setname, NULL };
		char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
		serr = posix_spawn_file_actions_init(&fa);
		if (serr == 0) {
			serr = posix_spawnattr_init(&at);
			if (serr != 0)
				posix_spawn_file_actions_destroy(&fa);
		}
		if (serr == 0) {
			if ((serr = posix_spawn_file_actions_adddup2(&fa, request, 0)) == 0 &&
			    (serr = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_RDWR, 0)) == 0 &&
			    (serr = posix_spawn_file_actions_adddup2(&fa, 1, 2)) == 0 &&
			    (serr = posix_spawn_file_actions_adddup2(&fa, status, 3)) == 0 &&
			    (serr = posix_spawn_file_actions_addclosefrom_np(&fa, 4)) == 0 &&
			    (serr = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
								POSIX_SPAWN_SETSIGDEF)) == 0 &&
			    (serr = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
			    (serr = posix_spawnattr_setsigdefault(&at, &all)) == 0)
				serr = posix_spawn(&child, holder_path, &fa, &at, argv, envp);
			posix_spawn_file_actions_destroy(&fa);
			posix_spawnattr_destroy(&at);
		}
	}
	/* Now, not at the end: with a write end of the status pipe open
	 * here, read_verdict would not see the holder's EOF. */
	close_fd(&request);
	close_fd(&status);
	close_fd(&status_w);
	close_fd(&req_r);
	if (child <= 0 || serr != 0) {
		sigaction(SIGCHLD, &old_chld, NULL);
		return nsset_fail(e, serr, "starting %s", holder_path);
	}
	int wstatus;
	while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGCHLD, &old_chld, NULL);

	struct nsset_proc holder = { 0 };
	char verdict[NSSET_ERR_MAX + 64];
	int r = read_verdict(status_r, &holder, verdict, sizeof(verdict));
	if (r == -ETIMEDOUT) {
		/* Not our child (it forked away): by its record, so that a
		 * holder gone meanwhile cannot make us hit its pid's next
		 * owner. */
		nsset_proc_kill(&holder, SIGKILL, 0);
		return nsset_fail_as(e, ETIMEDOUT, "%s did not finish creating the set", holder_path);
	}
	if (r < 0)
		return nsset_fail(e, 0, "%s exited without creating the set (can it run? see syslog)",
				  holder_path);
	if (strcmp(verdict, "ok") == 0)
		return 0;
	if (strncmp(verdict, "error: ", 7) == 0)
		return nsset_fail(e, 0, "%s", verdict + 7);
	return nsset_fail(e, 0, "%s: unexpected answer", holder_path);
}

void nsset_holder_notify(int holder_pidfd, const char *session)
{
	if (holder_pidfd < 0)
		return;
	pid_t pid;
	unsigned long long start;
	uint64_t tag;
#if UINTPTR_MAX >= UINT64_MAX
	/* Queued with the session named: the holder looks at that entry
	 * alone. Only root can signal the holder, so the fields are ours. */
	if (nsset_session_parse(session, &pid, &start) == 0 && nsset_session_tag(session, &tag) == 0) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = NSSET_SESSION_SIGNAL;
		si.si_code = SI_QUEUE;
		si.si_pid = pid;
		si.si_uid = getuid();
		si.si_value.sival_ptr = (void *)(uintptr_t)tag;
		if (pidfd_send_signal(holder_pidfd, NSSET_SESSION_SIGNAL, &si, 0) == 0)
			return;
	}
#else
	(void)pid, (void)start, (void)tag;
#endif
	/* The queue is full (or the name is not ours): look at everything. */
	pidfd_send_signal(holder_pidfd, SIGUSR1, NULL, 0);
}
