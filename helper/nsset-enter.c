/* nsset-enter: the setuid-root helper. Places the calling user into the set
 * the policy assigns to their *real* uid, drops every privilege, then runs
 * their shell. See nsset-enter(8) and SECURITY.md.
 *
 * It trusts nothing of its caller: argv is only read by a trivial grammar,
 * the environment is set aside at once and reaches only the final,
 * unprivileged execve(), inherited fds are closed, signals are blocked and
 * the real uid is made root while privileged (so the caller cannot signal
 * or stop us while we hold a set's lock), limits and umask are reset, and
 * the policy, store and holder come from compiled-in paths.
 *
 * Exit codes: 64 usage, 125 could not place (nothing was started),
 * 126 shell found but not executable, 127 shell not found.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cleanroom.h"
#include "enter_args.h"
#include "hostns.h"
#include "nstypes.h"
#include "place.h"
#include "policy.h"
#include "setcg.h"
#include "util.h"

#define EXIT_USAGE 64
#define EXIT_CANNOT_PLACE 125
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

extern char **environ;

/* What the caller gave us, kept aside for the final exec only. */
static char **user_env;
static mode_t user_umask;
/* Every limit the kernel has: RLIMIT_CPU of 1 s would kill us while we
 * hold a set's lock, and any of them could break our work. */
static const int saved_limits[] = { RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK,
				    RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE,
				    RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING,
				    RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME };
#define NLIMITS (sizeof(saved_limits) / sizeof(saved_limits[0]))
_Static_assert(NLIMITS == RLIM_NLIMITS, "every resource limit is saved and given back");
/* The caller's scheduling, given back with the limits. */
static struct nsset_sched_saved user_sched;
static struct rlimit user_limits[NLIMITS];
static bool limits_lifted;

/* A message to syslog and to the caller's stderr. */
static void say(int prio, const char *msg)
{
	syslog(prio, "%s", msg);
	dprintf(STDERR_FILENO, "nsset-enter: %s\n", msg);
}

static void log_syslog(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

static void __attribute__((noreturn)) fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(LOG_ERR, msg);
	_exit(code);
}

/* ---- taming the inheritance ---------------------------------------------- */

static void sanitize_fds(void)
{
	/* Fds 0-2 closed by the caller would be handed to the first files
	 * we open: keep them taken by /dev/null. Everything else goes. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);
			if (n < 0 || (n != fd && (dup2(n, fd) < 0 || close(n) < 0)))
				_exit(EXIT_CANNOT_PLACE);
		}
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
}

static char **copy_env(char **env)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	char **copy = calloc(n + 1, sizeof(char *));
	if (!copy)
		_exit(EXIT_CANNOT_PLACE);
	for (size_t i = 0; i < n; i++)
		if (!(copy[i] = strdup(env[i])))
			_exit(EXIT_CANNOT_PLACE);
	return copy;
}

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static void save_limits(void)
{
	for (size_t i = 0; i < NLIMITS; i++)
		if (getrlimit(saved_limits[i], &user_limits[i]) < 0)
			_exit(EXIT_CANNOT_PLACE);
}

/* Limits the caller set (RLIMIT_FSIZE 0, NOFILE 3...) must not break our
 * work, nor reach the holder, which inherits them: while privileged, raise
 * what is too low (never lower a hard limit, so that the caller's can be
 * given back exactly), and keep a root process from dumping core. */
static void lift_limits(void)
{
	/* SCHED_IDLE or nice 19 would let the caller's own busy processes
	 * starve us while we hold a lock that other users' logins wait for. */
	struct nsset_err e = { 0 };
	if (nsset_sched_save(&user_sched, &e) < 0 || nsset_sched_reset(&e) < 0)
		fail(EXIT_CANNOT_PLACE, "resetting the scheduling: %s", e.msg);
	for (size_t i = 0; i < NLIMITS; i++) {
		struct rlimit r = user_limits[i];
		rlim_t want = saved_limits[i] == RLIMIT_NOFILE ? 4096
			    : saved_limits[i] == RLIMIT_STACK ? (rlim_t)8 << 20
			    : saved_limits[i] == RLIMIT_CORE ? 0 : RLIM_INFINITY;
		if (saved_limits[i] == RLIMIT_CORE) {
			r.rlim_cur = 0;
		} else {
			if (r.rlim_max != RLIM_INFINITY && (want == RLIM_INFINITY || r.rlim_max < want))
				r.rlim_max = want;
			if (r.rlim_cur != RLIM_INFINITY && (want == RLIM_INFINITY || r.rlim_cur < want))
				r.rlim_cur = want;
		}
		if (setrlimit(saved_limits[i], &r) < 0) {
			/* No CAP_SYS_RESOURCE: as far as the hard limit goes. */
			r.rlim_max = user_limits[i].rlim_max;
			if (r.rlim_cur > r.rlim_max)
				r.rlim_cur = r.rlim_max;
			setrlimit(saved_limits[i], &r);
		}
	}
	limits_lifted = true;
}

/* Before dropping privileges: afterwards a raised hard limit could not be
 * lowered... it could, but a lowered one could not be raised back. */
static void restore_limits(void)
{
	if (!limits_lifted)
		return;
	for (size_t i = 0; i < NLIMITS; i++)
		if (setrlimit(saved_limits[i], &user_limits[i]) < 0)
			fail(EXIT_CANNOT_PLACE, "restoring resource limits: %m");
	struct nsset_err e = { 0 };
	if (nsset_sched_restore(&user_sched, &e) < 0)
		fail(EXIT_CANNOT_PLACE, "%s", e.msg);
	limits_lifted = false;
}

/* ---- privilege ----------------------------------------------------------- */

/* Privileged means: the kernel ran us setuid (AT_SECURE) and we really hold
 * CAP_SYS_ADMIN in the initial user namespace. Never getuid()==0: root in a
 * caller's own user namespace is not root (CVE-2020-5291). */
static bool in_initial_userns(void)
{
	struct stat st;
	/* PROC_USER_INIT_INO: the initial user namespace's fixed inode. */
	return stat("/proc/self/ns/user", &st) == 0 && st.st_ino == 0xEFFFFFFDUL;
}

static bool really_privileged(void)
{
	if (!getauxval(AT_SECURE) || !in_initial_userns())
		return false;
	capng_get_caps_process();
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN) &&
	       capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_CHROOT);
}

/* Runs after the caller's limits are back: a 100 kB stack limit is the
 * caller's right, so no large array on the stack here (NGROUPS_MAX gids
 * are 256 kB). */
static bool same_groups(const struct nsset_user *u)
{
	int n = getgroups(0, NULL);
	if (n < 0 || (size_t)n != u->ngroups)
		return false;
	_cleanup_free_ gid_t *now = calloc((size_t)n + 1, sizeof(gid_t));
	bool same = now && getgroups(n, now) == n;
	for (int i = 0; same && i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < u->ngroups && !found; j++)
			found = now[i] == u->groups[j];
		same = found;
	}
	return same;
}

/* Irrevocably become the user: groups, gids, uids, capabilities (and, with
 * nnp=yes, the bounding set and no_new_privs), then prove it. */
static void drop_privileges(const struct nsset_user *u, bool nnp)
{
	restore_limits();
	if (setgroups(u->ngroups, u->groups) < 0)
		fail(EXIT_CANNOT_PLACE, "setgroups: %m");
	capng_clear(nnp ? CAPNG_SELECT_ALL : (CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT));
	capng_flags_t flags = CAPNG_CLEAR_AMBIENT | (nnp ? CAPNG_CLEAR_BOUNDING : CAPNG_NO_FLAG);
	if (capng_change_id((int)u->uid, (int)u->gid, flags) < 0)
		fail(EXIT_CANNOT_PLACE, "dropping privileges failed");
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(EXIT_CANNOT_PLACE, "no_new_privs: %m");

	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) < 0 || r != u->uid || e != u->uid || s != u->uid ||
	    getresgid(&rg, &eg, &sg) < 0 || rg != u->gid || eg != u->gid || sg != u->gid ||
	    !same_groups(u))
		fail(EXIT_CANNOT_PLACE, "privilege drop did not take");
	if (setuid(0) == 0 || setgid(0) == 0 || seteuid(0) == 0)
		fail(EXIT_CANNOT_PLACE, "could regain root after dropping privileges");
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		fail(EXIT_CANNOT_PLACE, "capabilities left after dropping privileges");
	if (nnp && capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE)
		fail(EXIT_CANNOT_PLACE, "bounding set not cleared");
	/* Non-dumpable until exec: nobody may ptrace us in between. */
	prctl(PR_SET_DUMPABLE, 0);
}

/* ---- the shell ------------------------------------------------------------ */

static bool is_self(const char *path)
{
	struct stat a, b;
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static const char *choose_shell(const struct nsset_rule *rule, const char *pw_shell)
{
	if (rule && rule->shell[0])
		return rule->shell;
	if (!pw_shell || !*pw_shell)
		return "/bin/sh";
	if (pw_shell[0] != '/')
		fail(EXIT_CANNOT_PLACE, "login shell '%s' is not an absolute path", pw_shell);
	if (is_self(pw_shell))
		fail(EXIT_CANNOT_PLACE, "the login shell is nsset-enter itself: "
		     "set shell= for this user in " NSSET_CONF_PATH);
	return pw_shell;
}

static void set_env(const char *name, const char *value)
{
	size_t n = 0;
	size_t len = strlen(name);
	for (; user_env[n]; n++)
		if (strncmp(user_env[n], name, len) == 0 && user_env[n][len] == '=')
			break;
	char *entry = malloc(len + strlen(value) + 2);
	if (!entry)
		_exit(EXIT_CANNOT_PLACE);
	sprintf(entry, "%s=%s", name, value);
	if (!user_env[n]) {
		char **grown = realloc(user_env, (n + 2) * sizeof(char *));
		if (!grown)
			_exit(EXIT_CANNOT_PLACE);
		user_env = grown;
		user_env[n + 1] = NULL;
	}
	user_env[n] = entry;
}

static void __attribute__((noreturn)) run(const struct nsset_enter_args *args, char **argv,
					  const struct nsset_rule *rule, const struct passwd *pw)
{
	/* `-- CMD` needs no shell: do not fail on a passwd shell that is
	 * nsset-enter itself. */
	const char *shell = args->mode == NSSET_ENTER_EXEC ? pw->pw_shell : choose_shell(rule, pw->pw_shell);
	umask(user_umask);
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (chdir(pw->pw_dir) < 0 && chdir("/") < 0)
		fail(EXIT_CANNOT_PLACE, "chdir: %m");
	set_env("HOME", pw->pw_dir);
	set_env("USER", pw->pw_name);
	set_env("LOGNAME", pw->pw_name);
	set_env("SHELL", shell);
	if (!env_get(user_env, "PATH"))
		set_env("PATH", "/usr/local/bin:/usr/bin:/bin");
	environ = user_env;

	const char *base = strrchr(shell, '/') ? strrchr(shell, '/') + 1 : shell;
	char arg0[NAME_MAX + 2];
	snprintf(arg0, sizeof(arg0), "%s%s", args->login ? "-" : "", base);
	if (args->mode == NSSET_ENTER_EXEC) {
		execvp(argv[args->first], argv + args->first);
		fail(errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, "%s: %m", argv[args->first]);
	}
	if (args->mode == NSSET_ENTER_SHELL_COMMAND) {
		char *const sargv[] = { arg0, (char *)"-c", (char *)args->command, NULL };
		execv(shell, sargv);
	} else {
		char *const sargv[] = { arg0, NULL };
		execv(shell, sargv);
	}
	fail(errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, "%s: %m", shell);
}

/* For a pid set the caller itself cannot move: setns(CLONE_NEWPID) only
 * places children. Fork; the child becomes the shell, the parent (already
 * unprivileged) waits and passes its status and signals on. */
static pid_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void __attribute__((noreturn)) wait_for_shell(pid_t child)
{
	child_pid = child;
	struct sigaction fwd = { .sa_handler = forward }, ign = { .sa_handler = SIG_IGN };
	sigemptyset(&fwd.sa_mask);
	sigemptyset(&ign.sa_mask);
	static const int forwarded[] = { SIGHUP, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT };
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &fwd, NULL);
	/* The terminal delivers these to the whole foreground group already. */
	static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &ign, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_CANNOT_PLACE);
	if (isatty(STDIN_FILENO))
		tcsetpgrp(STDIN_FILENO, getpgrp());     /* SIGTTOU is ignored here */
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	dprintf(STDOUT_FILENO,
		"usage: nsset-enter [-c COMMAND | -- COMMAND [ARG...]]\n"
		"Runs your shell (or COMMAND) inside the namespace set that %s\n"
		"assigns to you. See nsset-enter(8).\n", NSSET_CONF_PATH);
	_exit(0);
}

int main(int argc, char **argv)
{
	/* argc 0: argv[1] would alias envp[0] (CVE-2021-4034). Leave before
	 * anything reads either. */
	if (argc < 1 || !argv || !argv[0])
		return EXIT_USAGE;
	sanitize_fds();
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* A caller's SIG_IGN for SIGCHLD would make our waitpid() fail. */
	signal(SIGCHLD, SIG_DFL);
	save_limits();
	user_env = copy_env(environ);
	clearenv();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	user_umask = umask(022);
	openlog("nsset-enter", LOG_PID, LOG_AUTHPRIV);

	struct nsset_enter_args args;
	const char *why = NULL;
	if (nsset_enter_args_parse(argc, argv, env_get(user_env, "SSH_ORIGINAL_COMMAND"), &args, &why) < 0) {
		dprintf(STDERR_FILENO, "nsset-enter: %s\nusage: nsset-enter [-c COMMAND | -- COMMAND [ARG...]]\n", why);
		return EXIT_USAGE;
	}
	if (args.mode == NSSET_ENTER_HELP)
		usage();

	/* Who is asking: the real uid, the only thing we take from them. */
	uid_t uid = getuid();
	bool privileged = really_privileged();
	if (privileged) {
		prctl(PR_SET_DUMPABLE, 0);
		/* Real uid root too: the caller can no longer signal us (e.g.
		 * SIGSTOP while we hold the lock of a set others share). And
		 * root's gid and no groups: the holder we may start lives on. */
		if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			fail(EXIT_CANNOT_PLACE, "becoming root: %m");
		/* Not in a directory of the caller's choosing while root. */
		if (chdir("/") < 0)
			fail(EXIT_CANNOT_PLACE, "chdir /: %m");
		lift_limits();
	} else if (!in_initial_userns()) {
		fail(EXIT_CANNOT_PLACE, "running in a user namespace: cannot place anyone from here");
	}
	if (uid == (uid_t)-1)
		fail(EXIT_CANNOT_PLACE, "invalid uid");

	struct passwd *pw = getpwuid(uid);
	if (!pw || !pw->pw_name)
		fail(EXIT_CANNOT_PLACE, "uid %u has no passwd entry", (unsigned)uid);
	pw = &(struct passwd){ .pw_name = strdup(pw->pw_name), .pw_dir = strdup(pw->pw_dir ? pw->pw_dir : "/"),
			       .pw_shell = strdup(pw->pw_shell ? pw->pw_shell : ""), .pw_uid = pw->pw_uid,
			       .pw_gid = pw->pw_gid };
	if (!pw->pw_name || !pw->pw_dir || !pw->pw_shell)
		fail(EXIT_CANNOT_PLACE, "out of memory");
	struct nsset_user u;
	struct nsset_err e = { 0 };
	if (nsset_user_lookup(pw->pw_name, &u, &e) < 0 || u.uid != uid)
		fail(EXIT_CANNOT_PLACE, "looking up uid %u: %s", (unsigned)uid, e.msg);

	/* Root is never placed, as with the PAM module: real root, that is,
	 * in the initial user namespace (uid 0 of `unshare -Ur` is a user). */
	if (uid == 0 && !getauxval(AT_SECURE) && in_initial_userns()) {
		run(&args, argv, NULL, pw);
	}

	struct nsset_policy pol = { 0 };
	if (nsset_policy_load(NSSET_CONF_PATH, &pol, &e) < 0)
		fail(EXIT_CANNOT_PLACE, "%s", e.msg);
	gid_t rule_gid = 0;
	const struct nsset_rule *rule;
	if (nsset_policy_find(&pol, u.name, u.groups, u.ngroups, &rule, &rule_gid, &e) < 0)
		fail(EXIT_CANNOT_PLACE, "%s: %s", NSSET_CONF_PATH, e.msg);
	bool nnp = rule && rule->no_new_privs;
	/* Find out whether there is a shell to run before making anything. */
	if (args.mode != NSSET_ENTER_EXEC)
		choose_shell(rule, pw->pw_shell);

	if (!rule || rule->scope == NSSET_SCOPE_NONE) {
		/* The policy places this user nowhere. */
		if (privileged)
			drop_privileges(&u, nnp);
		run(&args, argv, rule, pw);
	}
	if (nsset_nstypes_unsupported(rule->ns_flags, NULL, &e) != 0)
		fail(EXIT_CANNOT_PLACE, "user %s: %s:%u: %s", u.name, NSSET_CONF_PATH, rule->line, e.msg);
	/* Limits that cannot be had refuse the login (fail closed). */
	if (nsset_cg_check(nsset_limits_controllers(&rule->limits), &e) < 0)
		fail(EXIT_CANNOT_PLACE, "user %s: %s:%u: the rule's limits cannot be applied: %s",
		     u.name, NSSET_CONF_PATH, rule->line, e.msg);

	struct nsset_meta m;
	if (nsset_describe(rule, rule_gid, &u, &m, &e) < 0)
		fail(EXIT_CANNOT_PLACE, "%s", e.msg);
	char want[64];
	snprintf(want, sizeof(want), "%s/%s", nsset_scope_name(m.scope), m.id);

	/* Already inside a set's mount namespace (a PAM login put us there)?
	 * Its marker names it and lists its namespaces by inode. */
	struct nsset_marker mark;
	int in = nsset_marker_check(NSSET_STORE_PATH, &mark);
	const char *inside = mark.set;
	if (in == 1 && m.scope != NSSET_SCOPE_SESSION && strcmp(inside, want) == 0) {
		if (privileged)
			drop_privileges(&u, nnp);
		run(&args, argv, rule, pw);
	}
	if (in == 1 && m.scope == NSSET_SCOPE_SESSION && strncmp(inside, "session/", 8) == 0) {
		/* A session set is made per login; the one we are in is ours. */
		if (privileged)
			drop_privileges(&u, nnp);
		run(&args, argv, rule, pw);
	}
	if (in != 0)
		fail(EXIT_CANNOT_PLACE, "this session sits in set %s, but the policy assigns %s: "
		     "log in again", in == 1 ? inside : "(unknown)", want);
	if (!privileged)
		fail(EXIT_CANNOT_PLACE, "not running with privileges (nosuid mount, no_new_privs, "
		     "a user namespace or a tracer?): cannot enter set %s", want);

	struct nsset_paths paths = { .store = NSSET_STORE_PATH, .holder = NSSET_HOLDER_PATH };
	struct nsset_log log = { .write = log_syslog };
	struct nsset_placement p;
	nsset_placement_init(&p);
	if (nsset_place(&paths, &m, getpid(), &p, &log, &e) < 0)
		fail(EXIT_CANNOT_PLACE, "cannot place %s in set %s: %s", u.name, want, e.msg);
	if (p.already) {
		/* In every namespace of the set already (one without mnt,
		 * hence without a marker): nothing was joined. */
		drop_privileges(&u, nnp);
		run(&args, argv, rule, pw);
	}
	syslog(LOG_INFO, "user %s entered set %s%s", u.name, p.setname, p.created ? " (created)" : "");
	/* Our session entry names this pid; the holder ends it when we exit. */
	nsset_placement_release(&p);
	closelog();
	if (close_range(3, ~0U, 0) < 0)
		fail(EXIT_CANNOT_PLACE, "close_range: %m");

	/* The set's own namespaces, not the rule's: an outdated set (the
	 * policy was edited since it was made) is joined as it is. */
	pid_t child = 0;
	if (p.ns_flags & CLONE_NEWPID) {
		child = fork();
		if (child < 0)
			fail(EXIT_CANNOT_PLACE, "fork into set %s: %m", want);
		/* Inside the new pid namespace the terminal's foreground group
		 * (ours, from outside) does not exist: an interactive shell
		 * would find no job control. Give the child a process group of
		 * its own and the terminal (signals are still blocked, so no
		 * SIGTTOU); the parent takes the terminal back afterwards. */
		if (child == 0 && isatty(STDIN_FILENO) && setpgid(0, 0) == 0)
			tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	drop_privileges(&u, nnp);
	if (child > 0)
		wait_for_shell(child);
	run(&args, argv, rule, pw);
}
