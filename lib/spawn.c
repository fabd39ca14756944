/* Starting a holder from the PAM module or nsset-enter; see holder.h. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define HOLDER_TIMEOUT_MS 30000

/* In the forked child, before exec: only async-signal-safe calls. */
static void exec_holder(const char *holder_path, const char *store_path, int request_fd,
			int status_fd)
{
	/* Own session: no controlling tty to push input into (CVE-2017-5226). */
	setsid();
	/* Park the pipes high first: fds 0-3 may be anything. */
	int request = fcntl(request_fd, F_DUPFD, 10);
	int status = fcntl(status_fd, F_DUPFD, 10);
	int null = open("/dev/null", O_RDWR);
	if (request < 0 || status < 0 || null < 0)
		_exit(127);
	if (dup2(request, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(status, 3) < 0)
		_exit(127);
	close_range(4, ~0U, 0);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	/* The set description comes through stdin, not argv: other users
	 * can read a process's argv. */
	char *const argv[] = { (char *)"nsset-holder", (char *)store_path, NULL };
	/* Nothing of the caller's environment reaches a root program. */
	char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	execve(holder_path, argv, envp);
	_exit(127);
}

static int read_verdict(int fd, pid_t *holder_pid, char *buf, size_t size)
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
		/* First line: "pid N"; second: the verdict. */
		char *nl = strchr(buf, '\n');
		if (nl && *holder_pid == 0 && strncmp(buf, "pid ", 4) == 0) {
			*holder_pid = atoi(buf + 4);
			memmove(buf, nl + 1, len - (size_t)(nl + 1 - buf) + 1);
			len = strlen(buf);
			nl = strchr(buf, '\n');
		}
		if (nl && *holder_pid) {
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
	char meta[2048];
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
	if (pipe2(req, O_CLOEXEC) < 0) {
		int saved = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return nsset_fail(e, saved, "pipe");
	}
	/* Fits the pipe buffer: written before the holder even starts. */
	int wrc = write_full(req[1], meta, strlen(meta));
	int wsaved = errno;
	close(req[1]);
	if (wrc < 0) {
		close(req[0]);
		close(pipefd[0]);
		close(pipefd[1]);
		return nsset_fail(e, wsaved, "writing the set description");
	}

	/* Like pam_unix running its helper: SIGCHLD to default so our own
	 * waitpid works even if the application ignores it, and back after. */
	struct sigaction old_chld, dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);

	pid_t child = fork();
	if (child < 0) {
		int saved = errno;
		sigaction(SIGCHLD, &old_chld, NULL);
		close(pipefd[0]);
		close(pipefd[1]);
		close(req[0]);
		return nsset_fail(e, saved, "fork");
	}
	if (child == 0) {
		/* Double fork: the holder must not be the caller's child
		 * (sshd would reap it, and it would die with the caller's
		 * process group handling). */
		close(pipefd[0]);
		pid_t grandchild = fork();
		if (grandchild < 0)
			_exit(1);
		if (grandchild > 0)
			_exit(0);
		exec_holder(holder_path, store_path, req[0], pipefd[1]);
	}
	close(pipefd[1]);
	close(req[0]);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGCHLD, &old_chld, NULL);

	pid_t holder_pid = 0;
	char verdict[NSSET_ERR_MAX + 64];
	int r = read_verdict(pipefd[0], &holder_pid, verdict, sizeof(verdict));
	close(pipefd[0]);
	if (r == -ETIMEDOUT) {
		if (holder_pid > 0)
			kill(holder_pid, SIGKILL);
		return nsset_fail(e, ETIMEDOUT, "%s did not finish creating the set", holder_path);
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
