/* nsset-sec-launch: starts a program with a hostile inheritance, for the
 * security tests of nsset-enter (tests/security/t_*.sh).
 *
 *   nsset-sec-launch [OPTION...] PATH [ARG...]
 *
 *   --argc0           execve(PATH, {NULL}, envp): argc 0 (CVE-2021-4034)
 *   --argv0 STR       argv[0] = STR (default: PATH)
 *   --close FD        close FD before the exec (repeatable; 0, 1, 2...)
 *   --fds N           leave fds 3..N open (not close-on-exec): even ones on
 *                     /, odd ones on /etc/passwd, so they are worth having
 *   --block-signals   block every signal before the exec
 *   --ignore-signals  set every catchable signal to SIG_IGN before the exec
 *   --rawenv STR      the environment is exactly the --rawenv strings, in
 *                     order (repeatable; any bytes, '=' not needed)
 *   --hostile-task    every per-task setting an unprivileged caller can make
 *                     and the kernel keeps across exec, at its worst:
 *                     SCHED_IDLE (nice 19 underneath), idle I/O class, one
 *                     CPU, utilisation clamp 0, a 10 s timer slack,
 *                     oom_score_adj 1000, THP off, TSC faulting, personality
 *                     ADDR_NO_RANDOMIZE|READ_IMPLIES_EXEC, NUMA policy
 *                     bound to node 0, a session keyring of its own
 *   --traceme         PTRACE_TRACEME, then exec: the program starts traced
 *                     by this launcher, which lets it run to its end and
 *                     exits with its status (128+N if killed by signal N)
 *   --                end of options
 *
 * Without --traceme it execs directly (exit 127 if the exec fails).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdint.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "nsset-sec-launch: %s: %s\n", what, strerror(errno));
	exit(127);
}

static int traced_run(const char *path, char **argv)
{
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			die("PTRACE_TRACEME");
		execve(path, argv, environ);
		die(path);
	}
	int status;
	for (;;) {
		if (waitpid(child, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("waitpid");
		}
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		if (WIFSTOPPED(status)) {
			int sig = WSTOPSIG(status);
			/* The exec's own SIGTRAP is ours; pass on anything else. */
			if (sig == SIGTRAP)
				sig = 0;
			ptrace(PTRACE_CONT, child, NULL, (void *)(long)sig);
		}
	}
}

/* Each step must work for an unprivileged caller: a hostile one does
 * exactly this before running nsset-enter. */
static void hostile_task(void)
{
	if (setpriority(PRIO_PROCESS, 0, 19) < 0)
		die("setpriority 19");
	struct sched_param zero = { 0 };
	if (sched_setscheduler(0, SCHED_IDLE, &zero) < 0)
		die("SCHED_IDLE");
	/* ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE) */
	if (syscall(SYS_ioprio_set, 1, 0, 3 << 13) < 0)
		die("ioprio idle");
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		die("affinity");
	/* struct sched_attr: policy SCHED_IDLE, flags KEEP_ALL|UTIL_CLAMP_MAX,
	 * util_max 0; kernels without uclamp refuse it (not an error). */
	struct { uint32_t size, policy; uint64_t flags; int32_t nice; uint32_t prio;
		 uint64_t rt, dl, per; uint32_t umin, umax; } a = {
		.size = sizeof(a), .policy = SCHED_IDLE, .flags = 0x08 | 0x10 | 0x40, .umax = 0 };
	syscall(SYS_sched_setattr, 0, &a, 0);
	if (prctl(PR_SET_TIMERSLACK, 10000000000UL, 0, 0, 0) < 0)
		die("timer slack");
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd < 0 || write(fd, "1000", 4) != 4)
		die("oom_score_adj");
	close(fd);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		die("THP off");
	/* EINVAL: an architecture without TSC control (user-mode-linux,
	 * arm64): there is no such state to pass on. */
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) < 0 && errno != EINVAL)
		die("TSC");
	if (personality(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC) < 0)
		die("personality");
	unsigned long node0 = 1;
	/* set_mempolicy(MPOL_BIND, {0}); ENOSYS on kernels without NUMA */
	if (syscall(SYS_set_mempolicy, 2, &node0, 64UL) < 0 && errno != ENOSYS)
		die("mempolicy");
	/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, "hostile") */
	if (syscall(SYS_keyctl, 1, "hostile") < 0 && errno != ENOSYS)
		die("keyring");
}

int main(int argc, char **argv)
{
	int i = 1, argc0 = 0, block = 0, ignore = 0, traceme = 0, nfds = 0, hostile = 0;
	const char *argv0 = NULL;
	int closes[16], nclose = 0;
	char *rawenv[64];
	int nraw = 0, use_raw = 0;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--argc0") == 0) {
			argc0 = 1;
		} else if (strcmp(argv[i], "--argv0") == 0 && i + 1 < argc) {
			argv0 = argv[++i];
		} else if (strcmp(argv[i], "--close") == 0 && i + 1 < argc && nclose < 16) {
			closes[nclose++] = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--fds") == 0 && i + 1 < argc) {
			nfds = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--block-signals") == 0) {
			block = 1;
		} else if (strcmp(argv[i], "--ignore-signals") == 0) {
			ignore = 1;
		} else if (strcmp(argv[i], "--rawenv") == 0 && i + 1 < argc && nraw < 63) {
			rawenv[nraw++] = argv[++i];
			use_raw = 1;
		} else if (strcmp(argv[i], "--traceme") == 0) {
			traceme = 1;
		} else if (strcmp(argv[i], "--hostile-task") == 0) {
			hostile = 1;
		} else {
			fprintf(stderr, "nsset-sec-launch: unknown option %s\n", argv[i]);
			return 127;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: nsset-sec-launch [OPTION...] PATH [ARG...]\n");
		return 127;
	}
	const char *path = argv[i];
	char **args = argv + i;
	if (argv0)
		args[0] = (char *)argv0;
	char *none[] = { NULL };
	if (argc0)
		args = none;
	rawenv[nraw] = NULL;
	if (use_raw)
		environ = rawenv;

	for (int fd = 3; fd <= nfds; fd++) {
		int f = open(fd % 2 ? "/etc/passwd" : "/", O_RDONLY);
		if (f < 0)
			die("open");
		if (f != fd) {
			if (dup2(f, fd) < 0)
				die("dup2");
			close(f);
		}
	}
	if (ignore)
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_IGN);   /* fails for KILL, STOP, 32, 33: fine */
	if (block) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
	}
	if (hostile)
		hostile_task();
	if (traceme)
		return traced_run(path, args);
	for (int k = 0; k < nclose; k++)
		close(closes[k]);
	execve(path, args, environ);
	/* stderr may be closed: the status says it. */
	return 127;
}
