/* Running hooks; see hook.h. */
#include "hook.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "nstypes.h"
#include "trusted.h"
#include "util.h"

#define HOOK_ENV_MAX 32
#define HOOK_LINE_MAX 400       /* longer output lines are cut in the log */

/* Appends "KEY=VALUE" to env, backed by buf. */
static int env_add(char **env, size_t *n, size_t max, char *buf, size_t size, size_t *used,
		   const char *key, const char *value)
{
	if (*n + 1 >= max)
		return -1;
	int len = snprintf(buf + *used, size - *used, "%s=%s", key, value);
	if (len < 0 || (size_t)len >= size - *used)
		return -1;
	env[(*n)++] = buf + *used;
	*used += (size_t)len + 1;
	env[*n] = NULL;
	return 0;
}

int nsset_hook_env(const char *store_path, const struct nsset_meta *m, const char *phase,
		   char **env, size_t max, char *buf, size_t size)
{
	size_t n = 0, used = 0;
	char val[PATH_MAX + 64];
	const char *scope = nsset_scope_name(m->scope);
#define ADD(k, v) do { if (env_add(env, &n, max, buf, size, &used, (k), (v)) < 0) return -1; } while (0)
	if (max == 0)
		return -1;
	env[0] = NULL;
	ADD("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
	ADD("NSSET_PHASE", phase);
	snprintf(val, sizeof(val), "%s/%s", scope, m->id);
	ADD("NSSET_SET", val);
	/* The record's fields that say where they show here (record.c). */
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		if (!nsset_rec_env_applies(f, m))
			continue;
		if (nsset_rec_text(f, m, val, sizeof(val)) < 0)
			return -1;
		ADD(f->env, val);
	}
	/* What is derived from it: the namespace files, the veth's peer and
	 * the gateways. */
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!(m->ns_flags & nsset_nstypes[i].flag))
			continue;
		char key[32];
		snprintf(key, sizeof(key), "NSSET_NS_%s", nsset_nstypes[i].name);
		for (char *p = key; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		snprintf(val, sizeof(val), "%s/%s/%s/%s", store_path, scope, m->id, nsset_nstypes[i].name);
		ADD(key, val);
	}
	if (m->net == NSSET_NET_VETH && m->veth[0]) {
		ADD("NSSET_VETH_PEER", NSSET_VETH_PEER);
		struct nsset_pool4 p4;
		struct nsset_pool6 p6;
		char gw[64];
		if (m->addr4[0] && nsset_pool4_parse(m->pool4, &p4) == 0) {
			nsset_addr4_format(nsset_gateway4(&p4), gw, sizeof(gw));
			ADD("NSSET_IPV4_GATEWAY", gw);
		}
		if (m->addr6[0] && nsset_pool6_parse(m->pool6, &p6) == 0) {
			uint8_t a[16];
			nsset_gateway6(&p6, a);
			nsset_addr6_format(a, gw, sizeof(gw));
			ADD("NSSET_IPV6_GATEWAY", gw);
		}
	}
#undef ADD
	return (int)n;
}

/* In the forked child: only async-signal-safe calls. Never returns, so
 * the parent's _cleanup_ variables never run in the child. */
static _Noreturn void exec_hook(const char *path, const char *phase, char **env, int out)
{
	setsid();
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	umask(022);
	/* The holder watches its set as a batch task; a hook is an ordinary
	 * program. */
	struct sched_param normal = { 0 };
	sched_setscheduler(0, SCHED_OTHER, &normal);
	if (chdir("/") < 0)
		_exit(126);
	char *const argv[] = { (char *)path, (char *)phase, NULL };
	execve(path, argv, env);
	_exit(127);
}

/* One line of hook output to the log; control bytes would forge lines. */
static void log_segment(const struct nsset_log *log, const char *prefix, const char *s, size_t n)
{
	char line[HOOK_LINE_MAX + 1];
	for (size_t i = 0; i < n; i++)
		line[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	line[n] = '\0';
	nsset_log(log, LOG_INFO, "%s: %s", prefix, line);
}

/* Logs the complete lines in buf[0..*len) (a line longer than
 * HOOK_LINE_MAX in pieces) and keeps the rest; with `flush`, the rest too. */
static void log_lines(const struct nsset_log *log, const char *prefix, char *buf, size_t *len,
		      bool flush)
{
	size_t start = 0;
	while (start < *len) {
		const char *nl = memchr(buf + start, '\n', *len - start);
		size_t n = nl ? (size_t)(nl - (buf + start)) : *len - start;
		if (n > HOOK_LINE_MAX) {
			log_segment(log, prefix, buf + start, HOOK_LINE_MAX);
			start += HOOK_LINE_MAX;
			continue;
		}
		if (!nl && !flush)
			break;
		log_segment(log, prefix, buf + start, n);
		start += n + (nl ? 1 : 0);
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int nsset_hook_check(const char *name, char *path, size_t size, struct nsset_err *e)
{
	snprintf(path, size, "%s/%s", NSSET_HOOK_DIR, name);
	_cleanup_close_ int fd = nsset_trusted_open(path, "hook", e);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nsset_fail(e, errno, "%s", path);
	if (!(st.st_mode & S_IXUSR))
		return nsset_fail(e, 0, "%s: refusing hook: not executable", path);
	return 0;
}

int nsset_hook_run(const char *store_path, const struct nsset_meta *m, const char *phase,
		   const struct nsset_log *log, struct nsset_err *e)
{
	if (!m->hook[0])
		return 0;
	char path[PATH_MAX], prefix[160];
	if (nsset_hook_check(m->hook, path, sizeof(path), e) < 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "set %s/%s: hook %s (%s)", nsset_scope_name(m->scope), m->id,
		 m->hook, phase);

	char *env[HOOK_ENV_MAX], envbuf[4096];
	if (nsset_hook_env(store_path, m, phase, env, HOOK_ENV_MAX, envbuf, sizeof(envbuf)) < 0)
		return nsset_fail(e, 0, "%s: environment too large", path);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int out_r = pipefd[0], out_w = pipefd[1];
	pid_t pid = fork();
	if (pid < 0)
		return nsset_fail(e, errno, "fork");
	if (pid == 0)
		exec_hook(path, phase, env, out_w);
	close_fd(&out_w);       /* else no EOF when the hook is done */
	_cleanup_close_ int pidfd = pidfd_open(pid, 0);
	fcntl(out_r, F_SETFL, O_NONBLOCK);

	long long deadline = now_ms() + (long long)(m->hook_timeout ? m->hook_timeout : 5) * 1000;
	char out[2 * HOOK_LINE_MAX + 2];
	size_t len = 0;
	bool timed_out = false, exited = false, eof = false;
	int status = 0;
	while (!exited) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p[2] = { { .fd = eof ? -1 : out_r, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		/* Without a pidfd (cannot happen on the kernels we need),
		 * poll in short steps for the exit. */
		int r = poll(p, 2, pidfd < 0 ? 50 : (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		if (!eof && (p[0].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(out_r, out + len, sizeof(out) - 1 - len);
			if (n > 0)
				len += (size_t)n;
			else if (n == 0)
				eof = true;
			log_lines(log, prefix, out, &len, false);
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			exited = true;
	}
	if (!exited) {
		/* The whole group: a shell hook's children too. */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	/* What it wrote before it ended (a background child may hold the
	 * pipe open: only what is there now). */
	for (;;) {
		ssize_t n = read(out_r, out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		log_lines(log, prefix, out, &len, false);
	}
	log_lines(log, prefix, out, &len, true);

	if (timed_out)
		return nsset_fail(e, 0, "%s %s: timed out after %u s (killed)", path, phase,
				  m->hook_timeout);
	if (WIFSIGNALED(status))
		return nsset_fail(e, 0, "%s %s: killed by signal %d", path, phase, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return nsset_fail(e, 0, "%s %s: exited with status %d", path, phase, WEXITSTATUS(status));
	return 0;
}
