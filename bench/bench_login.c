/*
 * bench_login — what pam_nsset.so costs per login (issue 6).
 *
 * Runs inside the hermetic sandbox (tests/lib/sandbox.sh), started by
 * bench/run.sh, which has already added the bench users to the scratch
 * /etc/passwd and /etc/group. See bench/README.md for the cases, the method
 * and how to read the table.
 *
 * Method, in one paragraph: every sample runs in a freshly forked child of
 * this process, because a PAM session joins namespaces *in the calling
 * process* (setns). The fork itself is excluded from every case: the child
 * takes its first timestamp after fork() returned in it and its last one
 * before it reports to the parent over a pipe and exits. Whatever a case does
 * inside that window counts: libpam loading the modules (dlopen), the
 * module's own fork/exec of the holder, the fork+exec of unshare/nsenter.
 * Cases of one section are interleaved round by round (baseline, floor,
 * module, ...), so that the ratios compare samples taken under the same load;
 * the machine is shared and absolute times wander.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "nstypes.h"
#include "util.h"

/* ---- namespace types ------------------------------------------------------ */

struct ntype {
	const char *name;       /* policy word, store file, /proc/PID/ns/<name> */
	int flag;
	const char *self;       /* what /proc/self/ns shows for our children */
};

static const struct ntype NT[] = {
	{ "mnt", CLONE_NEWNS, "mnt" },
	{ "uts", CLONE_NEWUTS, "uts" },
	{ "ipc", CLONE_NEWIPC, "ipc" },
	{ "net", CLONE_NEWNET, "net" },
	{ "pid", CLONE_NEWPID, "pid_for_children" },
	{ "cgroup", CLONE_NEWCGROUP, "cgroup" },
	{ "time", CLONE_NEWTIME, "time_for_children" },
};
#define NNT ((int)(sizeof(NT) / sizeof(NT[0])))

/* The per-type sections. A pid set always has a mount namespace too (the
 * policy refuses pid without mnt: the set mounts its own /proc). */
static int shape_flags(int i)
{
	return NT[i].flag == CLONE_NEWPID ? (CLONE_NEWPID | CLONE_NEWNS) : NT[i].flag;
}

static const char *shape_words(int i)
{
	return NT[i].flag == CLONE_NEWPID ? "mnt,pid" : NT[i].name;
}
#define COMBINED (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID)

/* ---- global settings -------------------------------------------------------- */

static struct {
	bool quick;
	int rounds_combined, rounds_type, rounds_pamns, rounds_scale, warmup;
	int conc_n, conc_reps;
	int pop_max;                    /* how many population users exist */
	int levels[8], nlevels;
	int mem_level;                  /* where kernel memory per set is measured */
	char build[PATH_MAX / 2], work[PATH_MAX / 2];
	char module[PATH_MAX], holder[PATH_MAX], confdir[PATH_MAX], conf[PATH_MAX];
	char clierr[PATH_MAX], nsconf_stock[PATH_MAX + 32], nsconf_noinit[PATH_MAX + 32];
	char unshare_bin[64], nsenter_bin[64];
	const char *store, *rawdir;
	const char *only;               /* run only sections whose title has this */
	const char *compare;            /* --compare DIR: another build, same run */
	const char *loop_case;          /* --loop NAME: one case, N samples */
	int loop_n;
	bool no_scale, no_conc;
	int ncpu, good_cpu;
	int tmpl_fd, host_mnt_fd;       /* template_mntns() */
	ino_t self_ns[NNT];
	FILE *out;
	int next_pop;                   /* next population user to log in */
	unsigned long rawseq;
	bool failed;                    /* a correctness check failed */
} G = {
	.store = "/run/nsset-bench",
	.rawdir = "/run/nsset-bench-raw",
	.next_pop = 1,
	.tmpl_fd = -1,
	.host_mnt_fd = -1,
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (G.out) {
		va_start(ap, fmt);
		vfprintf(G.out, fmt, ap);
		va_end(ap);
		fflush(G.out);
	}
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("\nbench: FATAL: %s\n", msg);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void write_text(const char *path, mode_t mode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void write_text(const char *path, mode_t mode, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fchmod(fileno(f), mode) < 0 || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static uid_t uid_of(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw)
		die("no user %s: bench/run.sh makes the bench users", user);
	return pw->pw_uid;
}

/* ---- cases ------------------------------------------------------------------ */

enum kind { K_PAM, K_RAW_JOIN, K_RAW_CREATE, K_CLI };
enum role { R_BASE, R_FLOOR_JOIN, R_FLOOR_CREATE, R_JOIN, R_CREATE, R_OTHER };

struct bcase {
	char name[64];
	enum kind kind;
	enum role role;
	int flags;
	char service[32];
	char user[32];
	uid_t uid;
	bool destroy_after;             /* create: remove the set between samples */
	bool acct;                      /* pam_acct_mgmt before the session */
	bool pin;                       /* create via the CLI/raw: see good_cpu */
	bool from_template;             /* raw create: clone from template_mntns() */
	bool unshare_cli;
	char setdir[PATH_MAX];          /* raw join and nsenter read this set */
	const char *argv[16];
	double *v;                      /* samples, µs */
	size_t n, cap;
	double *vsess;                  /* pam cases: open+close_session only, µs */
	size_t nsess, capsess;
	int retries;
};

struct res {
	int status;                     /* 0 ok, 1 failed, 2 EINVAL: other CPU */
	int64_t total, sess;
	char dir[128];                  /* raw/cli create: what to clean up */
	char msg[400];
};

static void res_fail(struct res *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void res_fail(struct res *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->status = status;
}

static int quiet_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)msg;
	(void)data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	*resp = r;
	return PAM_SUCCESS;
}

/* In a sample child: are we (our children, for pid/time) in new namespaces? */
static int check_placed(int nsdir, int flags, struct res *r)
{
	for (int i = 0; i < NNT; i++) {
		if (!(flags & NT[i].flag))
			continue;
		struct stat st;
		if (fstatat(nsdir, NT[i].self, &st, 0) < 0) {
			res_fail(r, 1, "stat /proc/self/ns/%s: %s", NT[i].self, strerror(errno));
			return -1;
		}
		if (st.st_ino == G.self_ns[i]) {
			res_fail(r, 1, "not placed: %s namespace unchanged", NT[i].name);
			return -1;
		}
	}
	return 0;
}

static void child_pam(const struct bcase *c, struct res *r)
{
	int nsdir = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct pam_conv conv = { quiet_conv, NULL };
	pam_handle_t *h = NULL;
	/* login and sshd have resolved the user long before they open the
	 * session: NSS is set up (nsswitch.conf read, its modules loaded). */
	if (!getpwnam(c->user)) {
		res_fail(r, 1, "getpwnam %s failed", c->user);
		return;
	}

	int64_t t0 = now_ns();
	int rc = pam_start_confdir(c->service, c->user, &conv, G.confdir, &h);
	if (rc != PAM_SUCCESS) {
		res_fail(r, 1, "pam_start: %s", pam_strerror(h, rc));
		return;
	}
	int64_t ta = now_ns();
	if (c->acct && (rc = pam_acct_mgmt(h, 0)) != PAM_SUCCESS) {
		res_fail(r, 1, "pam_acct_mgmt(%s, %s): %s", c->service, c->user, pam_strerror(h, rc));
		pam_end(h, rc);
		return;
	}
	rc = pam_open_session(h, 0);
	int64_t t1 = now_ns();
	if (rc != PAM_SUCCESS) {
		res_fail(r, 1, "pam_open_session(%s, %s): %s", c->service, c->user, pam_strerror(h, rc));
		pam_end(h, rc);
		return;
	}
	if (check_placed(nsdir, c->flags, r) < 0)
		return;
	int64_t t2 = now_ns();
	rc = pam_close_session(h, 0);
	int64_t tc = now_ns();
	pam_end(h, rc);
	int64_t t3 = now_ns();
	if (rc != PAM_SUCCESS)
		res_fail(r, 1, "pam_close_session: %s", pam_strerror(NULL, rc));
	r->sess = (t1 - ta) + (tc - t2);
	r->total = (t1 - t0) + (t3 - t2);
}

static void child_raw_join(const struct bcase *c, struct res *r)
{
	int nsdir = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fds[16];
	char path[PATH_MAX + 16];

	int64_t t0 = now_ns();
	/* Open everything first, mnt joined last: the order of the module. */
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		fds[i] = -1;
		if (!(c->flags & nsset_nstypes[i].flag))
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->setdir, nsset_nstypes[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			res_fail(r, 1, "%s: %s", path, strerror(errno));
			return;
		}
	}
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], nsset_nstypes[i].flag) < 0) {
			res_fail(r, 1, "setns %s: %s", nsset_nstypes[i].name, strerror(errno));
			return;
		}
		close(fds[i]);
	}
	int64_t t1 = now_ns();
	if (check_placed(nsdir, c->flags, r) < 0)
		return;
	r->total = r->sess = t1 - t0;
}

static void pin_to(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* A mount namespace like nsset's template: the host's, without the store
 * and without the raw floors' binds, so that a clone from it copies none
 * of the sets already made. Made once; the fds stay open (they keep the
 * namespace alive) and are inherited by every sample child. */
static void template_mntns(void)
{
	if (G.tmpl_fd >= 0)
		return;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(ready[0]);
		char ok = 'o';
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
		    umount2(G.store, MNT_DETACH) < 0 || umount2(G.rawdir, MNT_DETACH) < 0)
			ok = 'e';
		if (write(ready[1], &ok, 1) != 1)
			_exit(1);
		/* Until the parent has opened our namespace and kills us. */
		for (;;)
			pause();
		_exit(0);
	}
	close(ready[1]);
	char ok = 0;
	if (read(ready[0], &ok, 1) != 1 || ok != 'o')
		die("preparing the template mount namespace failed");
	close(ready[0]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	G.tmpl_fd = open(path, O_RDONLY | O_CLOEXEC);
	G.host_mnt_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (G.tmpl_fd < 0 || G.host_mnt_fd < 0)
		die("opening mount namespaces: %s", strerror(errno));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The raw floors' set: one clone() with the CLONE_NEW* flags (from the
 * template mount namespace if asked, back to ours to bind, as nsset's holder
 * does), its child waiting on wait_r until that pipe closes; wait_w, if not
 * -1, is the write end the child must not keep. Returns the child's pid, or
 * -1 with *what naming the step that failed (errno set). */
static pid_t raw_clone(int flags, bool from_template, int wait_r, int wait_w, const char **what)
{
	*what = "setns(template)";
	if (from_template && setns(G.tmpl_fd, CLONE_NEWNS) < 0)
		return -1;
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, 0UL);
	if (pid == 0) {
		char b;
		if (wait_w >= 0)
			close(wait_w);
		while (read(wait_r, &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	int saved = errno;
	if (from_template && setns(G.host_mnt_fd, CLONE_NEWNS) < 0) {
		saved = errno;
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		*what = "setns(host)";
		errno = saved;
		return -1;
	}
	*what = "clone";
	errno = saved;
	return pid;
}

/* Binds /proc/PID/ns/NAME onto DIR/NAME for every type in flags. Returns 0;
 * 2 for the kernel's false EINVAL on the mnt ns (worth another CPU); 1 for
 * any other failure. msg says what failed. */
static int raw_bind(const char *dir, pid_t pid, int flags, char *msg, size_t size)
{
	char src[64], dst[PATH_MAX];
	for (int i = 0; i < NNT; i++) {
		if (!(flags & NT[i].flag))
			continue;
		snprintf(dst, sizeof(dst), "%s/%s", dir, NT[i].name);
		int fd = open(dst, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0400);
		if (fd < 0) {
			snprintf(msg, size, "%.300s: %s", dst, strerror(errno));
			return 1;
		}
		close(fd);
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, NT[i].name);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
			if (errno == EINVAL && NT[i].flag == CLONE_NEWNS) {
				snprintf(msg, size, "false EINVAL binding a mnt ns (CPU %d)", G.good_cpu);
				return 2;
			}
			snprintf(msg, size, "bind %s: %s", src, strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* One clone() with the CLONE_NEW* flags (its child must exist: a mnt ns file
 * can only be bound from outside, and a pid ns needs its init), then each
 * /proc/CHILD/ns/NAME bound onto a file of a fresh dir on a private mount. */
static void child_raw_create(const struct bcase *c, struct res *r)
{
	pin_to(G.good_cpu);
	snprintf(r->dir, sizeof(r->dir), "%s/r%lu", G.rawdir, G.rawseq);
	int w[2];
	if (pipe2(w, O_CLOEXEC) < 0) {
		res_fail(r, 1, "pipe: %s", strerror(errno));
		return;
	}

	int64_t t0 = now_ns();
	if (mkdir(r->dir, 0700) < 0) {
		res_fail(r, 1, "mkdir %s: %s", r->dir, strerror(errno));
		return;
	}
	if ((c->flags & CLONE_NEWTIME) && unshare(CLONE_NEWTIME) < 0) {
		res_fail(r, 1, "unshare(CLONE_NEWTIME): %s", strerror(errno));
		return;
	}
	const char *what;
	pid_t pid = raw_clone(c->flags & ~CLONE_NEWTIME, c->from_template, w[0], -1, &what);
	if (pid < 0) {
		res_fail(r, 1, "%s: %s", what, strerror(errno));
		return;
	}
	char msg[sizeof(r->msg) - 16];
	int b = raw_bind(r->dir, pid, c->flags, msg, sizeof(msg));
	if (b != 0)
		res_fail(r, b, "%s", msg);
	int64_t t1 = now_ns();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	r->total = r->sess = t1 - t0;
}

static void child_cli(const struct bcase *c, struct res *r)
{
	const char *argv[24];
	char args[NNT][PATH_MAX + 16];
	int n = 0;
	if (c->pin)
		pin_to(G.good_cpu);
	if (c->unshare_cli) {
		/* An admin script would mkdir+touch too; that part is not timed. */
		snprintf(r->dir, sizeof(r->dir), "%s/u%lu", G.rawdir, G.rawseq);
		if (mkdir(r->dir, 0700) < 0) {
			res_fail(r, 1, "mkdir %s: %s", r->dir, strerror(errno));
			return;
		}
		argv[n++] = G.unshare_bin;
		for (int i = 0; i < NNT; i++) {
			if (!(c->flags & NT[i].flag))
				continue;
			snprintf(args[i], sizeof(args[i]), "%s/%s", r->dir, NT[i].name);
			close(open(args[i], O_RDONLY | O_CREAT | O_CLOEXEC, 0400));
			snprintf(args[i], sizeof(args[i]), "--%s=%s/%s", NT[i].flag == CLONE_NEWNS ? "mount" : NT[i].name,
				 r->dir, NT[i].name);
			argv[n++] = args[i];
		}
		if (c->flags & CLONE_NEWPID)
			argv[n++] = "--fork";
		argv[n++] = "/bin/true";
		argv[n] = NULL;
	} else {
		for (int i = 0; c->argv[i]; i++)
			argv[n++] = c->argv[i];
		argv[n] = NULL;
	}
	int errfd = open(G.clierr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(errfd, 2);
		execve(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int64_t t1 = now_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char err[300] = "";
		int fd = open(G.clierr, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t k = read(fd, err, sizeof(err) - 1);
			err[k > 0 ? k : 0] = '\0';
			close(fd);
		}
		res_fail(r, c->unshare_cli ? 2 : 1, "%s exited %d: %s", argv[0], WEXITSTATUS(st), err);
	}
	r->total = r->sess = t1 - t0;
}

/* Unmounts and removes a dir of bound ns files (raw and unshare cases). */
static void clean_raw_dir(const char *dir)
{
	char path[PATH_MAX];
	for (int i = 0; i < NNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, NT[i].name);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		die("rmdir %s: %s", dir, strerror(errno));
}

/* ---- the store, from outside (never timed) ----------------------------------- */

/* The bench does not link the store code of lib/: that would pull libmount
 * (and libblkid, libselinux, libpcre2) into this process, and every sample
 * child would then find them loaded already, which no real caller of the
 * module (login, sshd) has. Removing a set is done here the way the module
 * remakes a stale one (stop the holder, then nsset_set_remove's steps). */

static long long meta_value(const char *meta, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = meta; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, k) == 0 && p[k] == '=')
			return strtoll(p + k + 1, NULL, 10);
	return 0;
}

static void stop_pid(pid_t pid, unsigned long long start)
{
	if (pid <= 0)
		return;
	int pfd = pidfd_open(pid, 0);
	if (pfd < 0)
		return;
	if (proc_starttime(pid) == start && pidfd_send_signal(pfd, SIGKILL, NULL, 0) == 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		while (poll(&p, 1, 5000) < 0 && errno == EINTR)
			;
	}
	close(pfd);
}

/* Removes user UID's set: 1 if there was one, 0 if none. */
static int destroy_user_set(uid_t uid)
{
	char lockp[PATH_MAX], dir[PATH_MAX], dead[PATH_MAX], path[PATH_MAX + 32];
	snprintf(lockp, sizeof(lockp), "%s/user/%u.lock", G.store, (unsigned)uid);
	snprintf(dir, sizeof(dir), "%s/user/%u", G.store, (unsigned)uid);
	int lock = open(lockp, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (lock < 0)
		return 0;
	while (flock(lock, LOCK_EX) < 0 && errno == EINTR)
		;
	int found = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd >= 0) {
		found = 1;
		char meta[4096];
		if (read_small_file_at(dfd, "meta", meta, sizeof(meta)) < 0)
			meta[0] = '\0';
		stop_pid((pid_t)meta_value(meta, "holder_pid"), (unsigned long long)meta_value(meta, "holder_start"));
		snprintf(dead, sizeof(dead), "%s/.dead-bench-%u", G.store, (unsigned)uid);
		if (rename(dir, dead) < 0)
			die("rename %s: %s", dir, strerror(errno));
		stop_pid((pid_t)meta_value(meta, "init_pid"), (unsigned long long)meta_value(meta, "init_start"));
		for (int i = 0; i < NNT; i++) {
			snprintf(path, sizeof(path), "%s/%s", dead, NT[i].name);
			umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
			unlinkat(dfd, NT[i].name, 0);
		}
		DIR *d = NULL;
		int sfd = openat(dfd, "sessions", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sfd >= 0 && (d = fdopendir(sfd)) != NULL) {
			struct dirent *de;
			while ((de = readdir(d)) != NULL)
				if (de->d_name[0] != '.')
					unlinkat(sfd, de->d_name, 0);
			closedir(d);
		} else if (sfd >= 0) {
			close(sfd);
		}
		unlinkat(dfd, "sessions", AT_REMOVEDIR);
		unlinkat(dfd, "meta", 0);
		unlinkat(dfd, ".meta.tmp", 0);
		unlinkat(dfd, "holder.lock", 0);
		close(dfd);
		if (rmdir(dead) < 0)
			die("rmdir %s: %s", dead, strerror(errno));
	}
	close(lock);
	return found;
}

static int count_sets(void)
{
	char path[PATH_MAX];
	int n = 0;
	static const char *const scopes[] = { "user", "group", "session" };
	for (int s = 0; s < 3; s++) {
		snprintf(path, sizeof(path), "%s/%s", G.store, scopes[s]);
		DIR *d = opendir(path);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && de->d_type == DT_DIR)
				n++;
		closedir(d);
	}
	return n;
}

static void set_dir_of(uid_t uid, char *out, size_t size)
{
	snprintf(out, size, "%s/user/%u", G.store, (unsigned)uid);
}

/* ---- sampling ---------------------------------------------------------------- */

/* What the module and the holders said last (the sandbox's syslog capture),
 * before a fatal failure: the sandbox and its log vanish when we exit. */
static void show_log_tail(void)
{
	const char *log = getenv("NSSET_TEST_LOG");
	if (!log)
		return;
	char cmd[PATH_MAX + 96];
	snprintf(cmd, sizeof(cmd), "grep -v 'placed in set' '%s' | tail -n 8 | cut -c1-300", log);
	say("  last lines of the syslog capture:\n");
	fflush(stdout);
	if (system(cmd) != 0)
		say("  (could not read %s)\n", log);
}

static void push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			die("out of memory");
	}
	(*v)[(*n)++] = x;
}

static void run_child(const struct bcase *c, struct res *r)
{
	switch (c->kind) {
	case K_PAM: child_pam(c, r); break;
	case K_RAW_JOIN: child_raw_join(c, r); break;
	case K_RAW_CREATE: child_raw_create(c, r); break;
	case K_CLI: child_cli(c, r); break;
	}
}

/* One sample of c in a fresh child; returns it (µs) or dies. */
static double sample(struct bcase *c, bool keep)
{
	for (int attempt = 0;; attempt++) {
		struct res r;
		memset(&r, 0, sizeof(r));
		G.rawseq++;
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			die("pipe: %s", strerror(errno));
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(p[0]);
			run_child(c, &r);
			write_full(p[1], &r, sizeof(r));
			_exit(0);
		}
		close(p[1]);
		ssize_t got = read_full(p[0], &r, sizeof(r));
		close(p[0]);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (got != (ssize_t)sizeof(r))
			die("%s: sample child died (status 0x%x)", c->name, st);
		if (r.dir[0])
			clean_raw_dir(r.dir);
		if (c->destroy_after && destroy_user_set(c->uid) != 1 && r.status == 0)
			die("%s: no set was created for %s", c->name, c->user);
		if (r.status == 2 && attempt < 2 * G.ncpu) {
			/* The kernel's false EINVAL on this CPU (DESIGN.md): the
			 * floor is what the work costs where it works. */
			c->retries++;
			G.good_cpu = (G.good_cpu + 1) % G.ncpu;
			continue;
		}
		if (r.status != 0) {
			show_log_tail();
			die("%s: %s", c->name, r.msg);
		}
		double us = (double)r.total / 1000.0;
		if (keep) {
			push(&c->v, &c->n, &c->cap, us);
			if (c->kind == K_PAM)
				push(&c->vsess, &c->nsess, &c->capsess, (double)r.sess / 1000.0);
		}
		return us;
	}
}

/* ---- statistics ---------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double quantile(const double *v, size_t n, double q)
{
	if (n == 0)
		return 0.0 / 0.0;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		die("out of memory");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)pos;
	double frac = pos - (double)lo;
	double x = lo + 1 < n ? s[lo] + frac * (s[lo + 1] - s[lo]) : s[lo];
	free(s);
	return x;
}

static double med(const struct bcase *c) { return quantile(c->v, c->n, 0.5); }
static double p95(const struct bcase *c) { return quantile(c->v, c->n, 0.95); }

/* ---- sections --------------------------------------------------------------- */

#define MAXC 16
struct section {
	char title[160];
	struct bcase *c[MAXC];
	int nc;
	int rounds;
	double seconds;
};

static struct bcase *new_case(const char *name, enum kind k, enum role role, int flags)
{
	struct bcase *c = calloc(1, sizeof(*c));
	if (!c)
		die("out of memory");
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->kind = k;
	c->role = role;
	c->flags = flags;
	return c;
}

static struct bcase *pam_case(const char *name, enum role role, const char *service, const char *user,
			      int verify_flags)
{
	struct bcase *c = new_case(name, K_PAM, role, verify_flags);
	snprintf(c->service, sizeof(c->service), "%s", service);
	snprintf(c->user, sizeof(c->user), "%s", user);
	c->uid = uid_of(user);
	return c;
}

static struct bcase *find_role(const struct section *s, enum role r)
{
	for (int i = 0; i < s->nc; i++)
		if (s->c[i]->role == r)
			return s->c[i];
	return NULL;
}

static bool selected(const char *title)
{
	return !G.only || strstr(title, G.only);
}

static void run_section(struct section *s)
{
	int64_t t0 = now_ns();
	int order[MAXC];
	for (int k = 0; k < s->nc; k++)
		order[k] = k;
	for (int r = 0; r < G.warmup + s->rounds; r++) {
		/* A new random order every round: no case always follows the
		 * same one (a create leaves the kernel work of tearing down
		 * namespaces behind, which lands on whatever runs next). */
		for (int k = s->nc - 1; k > 0; k--) {
			int j = (int)(random() % (k + 1)), t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < s->nc; k++)
			sample(s->c[order[k]], r >= G.warmup);
	}
	s->seconds = (double)(now_ns() - t0) / 1e9;
}

static void print_section(const struct section *s)
{
	const struct bcase *base = find_role(s, R_BASE);
	const struct bcase *fj = find_role(s, R_FLOOR_JOIN), *fc = find_role(s, R_FLOOR_CREATE);
	double b = base ? med(base) : 0;
	say("\n== %s  (%d rounds interleaved, %.1f s)\n", s->title, s->rounds, s->seconds);
	say("%-40s %5s %10s %10s %7s %9s %9s %11s\n", "case", "n", "median us", "p95 us", "x base",
	    "overhead", "ovh/floor", "open+close");
	for (int i = 0; i < s->nc; i++) {
		const struct bcase *c = s->c[i];
		double m = med(c);
		char xb[16] = "-", ov[16] = "-", of[16] = "-";
		if (c->kind == K_PAM && base) {
			snprintf(xb, sizeof(xb), "%.2f", m / b);
			if (c != base)
				snprintf(ov, sizeof(ov), "%.1f", m - b);
			const struct bcase *fl = c->role == R_JOIN ? fj : c->role == R_CREATE ? fc : NULL;
			if (fl && c != base)
				snprintf(of, sizeof(of), "%.2f", (m - b) / med(fl));
		}
		char name[80], sess[24] = "-";
		snprintf(name, sizeof(name), "%s%s", c->name, c->retries ? " *" : "");
		if (c->kind == K_PAM)
			snprintf(sess, sizeof(sess), "%.1f", quantile(c->vsess, c->nsess, 0.5));
		say("%-40s %5zu %10.1f %10.1f %7s %9s %9s %11s\n", name, c->n, m, p95(c), xb, ov, of, sess);
	}
	for (int i = 0; i < s->nc; i++)
		if (s->c[i]->retries)
			say("  * %s: %d attempt(s) hit the kernel's false EINVAL on one CPU and were redone "
			    "on another (not timed)\n", s->c[i]->name, s->c[i]->retries);
}

/* ---- memory --------------------------------------------------------------- */

struct meminfo {
	long avail, slab, sreclaim, sunreclaim, kstack, ptables;
};

static void read_meminfo(struct meminfo *m)
{
	memset(m, 0, sizeof(*m));
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	char key[64];
	long v;
	while (fscanf(f, "%63[^:]: %ld kB\n", key, &v) == 2) {
		if (!strcmp(key, "MemAvailable")) m->avail = v;
		else if (!strcmp(key, "Slab")) m->slab = v;
		else if (!strcmp(key, "SReclaimable")) m->sreclaim = v;
		else if (!strcmp(key, "SUnreclaim")) m->sunreclaim = v;
		else if (!strcmp(key, "KernelStack")) m->kstack = v;
		else if (!strcmp(key, "PageTables")) m->ptables = v;
	}
	fclose(f);
}

/* ---- populating the store --------------------------------------------------- */

static void pop_login_child(int i)
{
	char user[32];
	snprintf(user, sizeof(user), "bp%05d", i);
	struct pam_conv conv = { quiet_conv, NULL };
	pam_handle_t *h = NULL;
	if (pam_start_confdir("bench-nsset", user, &conv, G.confdir, &h) != PAM_SUCCESS)
		_exit(1);
	int rc = pam_open_session(h, 0);
	if (rc == PAM_SUCCESS)
		rc = pam_close_session(h, 0);
	pam_end(h, rc);
	_exit(rc == PAM_SUCCESS ? 0 : 1);
}

/* Logs population users in (4 at a time) until `target` sets exist. Returns
 * the number of sets present afterwards. */
static int populate(int target)
{
	int have = count_sets();
	int want = target - have;
	int active = 0, failed = 0;
	int64_t t0 = now_ns();
	while (want > 0 || active > 0) {
		while (want > 0 && active < 4) {
			if (G.next_pop > G.pop_max)
				die("populating: only %d population users exist (bench/run.sh POP)", G.pop_max);
			int i = G.next_pop++;
			pid_t pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0)
				pop_login_child(i);
			active++;
			want--;
		}
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			die("waitpid: %s", strerror(errno));
		}
		active--;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	/* A holder that cannot watch its set destroys it right after; let
	 * that happen before counting. */
	usleep(500000);
	int n = count_sets();
	say("  populated %d -> %d sets in %.1f s (%d login(s) failed)\n", have, n,
	    (double)(now_ns() - t0) / 1e9, failed);
	return n;
}

/* ---- concurrency ------------------------------------------------------------ */

struct conc_res {
	int64_t t_open;             /* absolute, CLOCK_MONOTONIC */
	ino_t net, mnt;
	char msg[200];
	int ok;
};

static void concurrency(const char *title, bool one_user)
{
	int n = G.conc_n;
	char users[64][32];
	uid_t uids[64];
	for (int i = 0; i < n; i++) {
		if (one_user)
			snprintf(users[i], sizeof(users[i]), "bkone");
		else
			snprintf(users[i], sizeof(users[i]), "bk%02d", i);
		uids[i] = uid_of(users[i]);
		destroy_user_set(uids[i]);
	}
	double *lat = NULL, *tput = NULL;
	size_t nl = 0, cl = 0, nt = 0, ct = 0;
	for (int rep = 0; rep < G.conc_reps; rep++) {
		int go[2], rel[2], resp[64][2];
		pid_t pids[64];
		if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rel, O_CLOEXEC) < 0)
			die("pipe: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (pipe2(resp[i], O_CLOEXEC) < 0)
				die("pipe: %s", strerror(errno));
			fflush(NULL);
			pids[i] = fork();
			if (pids[i] < 0)
				die("fork: %s", strerror(errno));
			if (pids[i] == 0) {
				close(go[1]);
				close(rel[1]);
				struct conc_res cr;
				memset(&cr, 0, sizeof(cr));
				int nsdir = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				struct pam_conv conv = { quiet_conv, NULL };
				pam_handle_t *h = NULL;
				char b;
				(void)getpwnam(users[i]);       /* as in sample children */
				while (read(go[0], &b, 1) < 0 && errno == EINTR)
					;
				int rc = pam_start_confdir("bench-nsset", users[i], &conv, G.confdir, &h);
				if (rc == PAM_SUCCESS)
					rc = pam_open_session(h, 0);
				cr.t_open = now_ns();
				struct stat st;
				if (rc != PAM_SUCCESS) {
					snprintf(cr.msg, sizeof(cr.msg), "%s: %s", users[i], pam_strerror(h, rc));
				} else {
					cr.ok = 1;
					if (fstatat(nsdir, "net", &st, 0) == 0)
						cr.net = st.st_ino;
					if (fstatat(nsdir, "mnt", &st, 0) == 0)
						cr.mnt = st.st_ino;
				}
				write_full(resp[i][1], &cr, sizeof(cr));
				/* Hold the session until the parent has checked. */
				while (read(rel[0], &b, 1) < 0 && errno == EINTR)
					;
				if (cr.ok)
					pam_close_session(h, 0);
				if (h)
					pam_end(h, rc);
				_exit(0);
			}
			close(resp[i][1]);
		}
		close(go[0]);
		close(rel[0]);
		usleep(50000);          /* let every child reach its read() */
		int64_t t0 = now_ns();
		close(go[1]);
		struct conc_res cr[64];
		int64_t last = t0;
		int okc = 0;
		for (int i = 0; i < n; i++) {
			memset(&cr[i], 0, sizeof(cr[i]));
			if (read_full(resp[i][0], &cr[i], sizeof(cr[i])) != (ssize_t)sizeof(cr[i]))
				snprintf(cr[i].msg, sizeof(cr[i].msg), "child died");
			close(resp[i][0]);
			if (cr[i].ok) {
				okc++;
				if (cr[i].t_open > last)
					last = cr[i].t_open;
				push(&lat, &nl, &cl, (double)(cr[i].t_open - t0) / 1000.0);
			}
		}
		double secs = (double)(last - t0) / 1e9;
		push(&tput, &nt, &ct, okc / secs);

		/* Verify while every session is still open. */
		char problem[512] = "";
		if (okc != n) {
			for (int i = 0; i < n && !problem[0]; i++)
				if (!cr[i].ok)
					snprintf(problem, sizeof(problem), "%d of %d logins failed, e.g. %s",
						 n - okc, n, cr[i].msg);
		}
		int distinct = 0;
		for (int i = 0; i < n; i++) {
			bool seen = false;
			for (int j = 0; j < i && !seen; j++)
				seen = cr[j].net == cr[i].net;
			if (!seen && cr[i].ok)
				distinct++;
		}
		char dir[PATH_MAX];
		if (!problem[0] && one_user) {
			set_dir_of(uids[0], dir, sizeof(dir));
			char sdir[PATH_MAX + 16];
			snprintf(sdir, sizeof(sdir), "%s/sessions", dir);
			int sessions = 0;
			DIR *d = opendir(sdir);
			struct dirent *de;
			while (d && (de = readdir(d)) != NULL)
				sessions += de->d_name[0] != '.';
			if (d)
				closedir(d);
			int builds = 0;
			d = opendir(G.store);
			while (d && (de = readdir(d)) != NULL)
				builds += strncmp(de->d_name, ".build-", 7) == 0;
			if (d)
				closedir(d);
			if (distinct != 1)
				snprintf(problem, sizeof(problem),
					 "%d parallel logins of one user ended in %d different sets", n, distinct);
			else if (sessions != n)
				snprintf(problem, sizeof(problem), "%d sessions registered, expected %d", sessions, n);
			else if (builds)
				snprintf(problem, sizeof(problem), "%d half-built sets left", builds);
		} else if (!problem[0] && distinct != n) {
			snprintf(problem, sizeof(problem), "%d users ended in %d sets", n, distinct);
		}
		close(rel[1]);
		for (int i = 0; i < n; i++)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		if (problem[0]) {
			G.failed = true;
			show_log_tail();
			die("concurrency (%s): %s", title, problem);
		}
		for (int i = 0; i < n; i++)
			destroy_user_set(uids[i]);
	}
	say("%-40s %5zu %10.1f %10.1f   throughput %.0f logins/s (median of %zu runs), %s\n",
	    title, nl, quantile(lat, nl, 0.5), quantile(lat, nl, 0.95), quantile(tput, nt, 0.5), nt,
	    one_user ? "exactly one set: verified" : "one set each: verified");
	free(lat);
	free(tput);
}

/* ---- setup ------------------------------------------------------------------ */

static void setup(void)
{
	G.ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (G.ncpu < 1)
		G.ncpu = 1;
	for (int i = 0; i < NNT; i++) {
		char p[64];
		struct stat st;
		snprintf(p, sizeof(p), "/proc/self/ns/%s", NT[i].self);
		if (stat(p, &st) < 0)
			die("%s: %s", p, strerror(errno));
		G.self_ns[i] = st.st_ino;
	}
	snprintf(G.module, sizeof(G.module), "%s/pam_nsset.so", G.build);
	snprintf(G.holder, sizeof(G.holder), "%s/nsset-holder", G.build);
	if (access(G.module, R_OK) < 0 || access(G.holder, X_OK) < 0)
		die("%s or %s missing: make first", G.module, G.holder);
	if (mkdir(G.work, 0755) < 0 && errno != EEXIST)
		die("%s: %s", G.work, strerror(errno));
	snprintf(G.confdir, sizeof(G.confdir), "%s/pam.d", G.work);
	snprintf(G.conf, sizeof(G.conf), "%s/nsset.conf", G.work);
	snprintf(G.clierr, sizeof(G.clierr), "%s/cli.err", G.work);
	if (mkdir(G.confdir, 0755) < 0 && errno != EEXIST)
		die("%s: %s", G.confdir, strerror(errno));
	static const char *const bins[] = { "/usr/bin/unshare", "/bin/unshare", "/usr/bin/nsenter", "/bin/nsenter" };
	for (int i = 0; i < 4; i++) {
		char *dst = i < 2 ? G.unshare_bin : G.nsenter_bin;
		if (!dst[0] && access(bins[i], X_OK) == 0)
			snprintf(dst, 64, "%s", bins[i]);
	}
	if (!G.unshare_bin[0] || !G.nsenter_bin[0])
		die("unshare/nsenter (util-linux) not found");

	/* The policy: one user per shape for joins (bj*) and creates (bc*);
	 * the population (@benchpop) and the concurrency users (@bench) get
	 * the combined set. Minimal options: the floors do no setup inside
	 * either (no tmp=private, no hostname). */
	char pol[4096];
	int len = snprintf(pol, sizeof(pol), "# written by bench_login\n");
	for (int i = 0; i < NNT; i++)
		len += snprintf(pol + len, sizeof(pol) - (size_t)len,
				"bj%-8s user %-22s keep=always\nbc%-8s user %-22s keep=always\n",
				NT[i].name, shape_words(i), NT[i].name, shape_words(i));
	snprintf(pol + len, sizeof(pol) - (size_t)len,
		 "bjall      user mnt,uts,ipc,net,pid    keep=always\n"
		 "bjallb     user mnt,uts,ipc,net,pid    keep=always\n"
		 "bcall      user mnt,uts,ipc,net,pid    keep=always\n"
		 "@benchpop  user mnt,uts,ipc,net,pid    keep=always\n"
		 "@bench     user mnt,uts,ipc,net,pid    keep=always\n");
	write_text(G.conf, 0644, "%s", pol);

	char path[PATH_MAX + 64];
	/* libpam always reads CONFDIR/other too; without one it logs an
	 * error at every pam_start. Empty: it adds no module to any stack. */
	snprintf(path, sizeof(path), "%s/other", G.confdir);
	write_text(path, 0644, "# written by bench_login: nothing\n");
	snprintf(path, sizeof(path), "%s/bench-permit", G.confdir);
	write_text(path, 0644, "session required pam_permit.so\n");
	snprintf(path, sizeof(path), "%s/bench-nsset", G.confdir);
	write_text(path, 0644, "session required pam_permit.so\nsession required %s holder=%s conf=%s store=%s\n",
		   G.module, G.holder, G.conf, G.store);
	if (G.compare) {
		snprintf(path, sizeof(path), "%s/bench-nsset-acct-b", G.confdir);
		write_text(path, 0644,
			   "account required pam_permit.so\naccount required %s/pam_nsset.so holder=%s/nsset-holder "
			   "conf=%s store=%s\nsession required pam_permit.so\nsession required %s/pam_nsset.so "
			   "holder=%s/nsset-holder conf=%s store=%s\n",
			   G.compare, G.compare, G.conf, G.store, G.compare, G.compare, G.conf, G.store);
		snprintf(path, sizeof(path), "%s/bench-nsset-b", G.confdir);
		write_text(path, 0644,
			   "session required pam_permit.so\nsession required %s/pam_nsset.so holder=%s/nsset-holder "
			   "conf=%s store=%s\n", G.compare, G.compare, G.conf, G.store);
	}
	/* The hardened setup of the README: the module in account too. */
	snprintf(path, sizeof(path), "%s/bench-permit-acct", G.confdir);
	write_text(path, 0644, "account required pam_permit.so\nsession required pam_permit.so\n");
	snprintf(path, sizeof(path), "%s/bench-nsset-acct", G.confdir);
	write_text(path, 0644,
		   "account required pam_permit.so\naccount required %s holder=%s conf=%s store=%s\n"
		   "session required pam_permit.so\nsession required %s holder=%s conf=%s store=%s\n",
		   G.module, G.holder, G.conf, G.store, G.module, G.holder, G.conf, G.store);
	snprintf(path, sizeof(path), "%s/bench-pamns", G.confdir);
	write_text(path, 0644, "session required pam_permit.so\nsession required pam_namespace.so\n");

	/* pam_namespace: /tmp polyinstantiated per user, instances under a
	 * mode-000 parent, as namespace.conf(5) wants. It reads the fixed
	 * /etc/security/namespace.conf (the sandbox's scratch copy). */
	char inst[PATH_MAX - 64];
	snprintf(inst, sizeof(inst), "%s/tmp-inst", G.work);
	if (mkdir(inst, 0000) < 0 && errno != EEXIST)
		die("%s: %s", inst, strerror(errno));
	chmod(inst, 0000);
	snprintf(G.nsconf_stock, sizeof(G.nsconf_stock), "/tmp %s/ user root", inst);
	snprintf(G.nsconf_noinit, sizeof(G.nsconf_noinit), "/tmp %s/ user:noinit root", inst);

	/* A private mount for the raw and unshare(1) floors' ns files. */
	if (mkdir(G.rawdir, 0700) < 0 && errno != EEXIST)
		die("%s: %s", G.rawdir, strerror(errno));
	if (mount(G.rawdir, G.rawdir, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, G.rawdir, NULL, MS_PRIVATE, NULL) < 0)
		die("%s: private bind mount: %s", G.rawdir, strerror(errno));
}

static void set_pamns_conf(bool noinit)
{
	write_text("/etc/security/namespace.conf", 0644, "# written by bench_login\n%s\n",
		   noinit ? G.nsconf_noinit : G.nsconf_stock);
}

/* A set for user (made by one login through service, kept: keep=always). */
static void ensure_set_with(const char *user, const char *service)
{
	struct bcase *c = pam_case("setup", R_OTHER, service, user, 0);
	char dir[PATH_MAX];
	set_dir_of(c->uid, dir, sizeof(dir));
	struct stat st;
	if (stat(dir, &st) < 0)
		sample(c, false);
	if (stat(dir, &st) < 0)
		die("no set for %s after its first login", user);
	free(c);
}

static void ensure_set(const char *user)
{
	ensure_set_with(user, "bench-nsset");
}

static void destroy_all_sets_but(uid_t keep)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/user", G.store);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	uid_t *list = NULL;
	size_t n = 0, cap = 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long u;
		if (de->d_type == DT_DIR && parse_ulong(de->d_name, 0xfffffffeUL, &u) == 0 && u != keep) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				list = realloc(list, cap * sizeof(*list));
				if (!list)
					die("out of memory");
			}
			list[n++] = (uid_t)u;
		}
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		destroy_user_set(list[i]);
	free(list);
}

/* ---- the run ------------------------------------------------------------------ */

/* Results the targets are judged on. */
static struct {
	struct section comb, pamns_stock, acct;
	struct section types[NNT];
	int nlev;
	int lev[8];
	double join_med[8], create_med[8], base_med[8], rawc_med[8], rawj_med[8], rawct_med[8];
	bool lev_ok[8];
	char lev_note[8][200];
	double mem_slab, mem_sunrecl, mem_kstack_pt, mem_avail;
	int mem_sets, mem_level;
	bool mem_done;
	double raw_slab, raw_sunrecl, raw_kstack_pt;  /* the bare sets' floor */
	int raw_sets;
	bool raw_mem_done;
} R;

/* ---- the kernel memory floor --------------------------------------------------- */

/* What `n` bare combined sets cost the kernel, measured the way nsset's sets
 * are (Slab growth in /proc/meminfo): one clone() with the flags per set, its
 * child waiting as the pid namespace's init, its ns files bound into a fresh
 * dir. The clone is made from a mount namespace without the store and without
 * these binds (as nsset's template), so that no set copies the others' mounts.
 * No mounts inside, no holder: the namespaces alone. Sets are torn down
 * afterwards, and the kernel given time to free them before anything else is
 * measured. Fills R.raw_* when it could be measured. */
static void raw_memory_floor(int n)
{
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	template_mntns();
	char path[PATH_MAX];
	char top[PATH_MAX / 2];
	snprintf(top, sizeof(top), "%s/mem", G.rawdir);
	if (mkdir(top, 0700) < 0)
		die("%s: %s", top, strerror(errno));
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	if (!pids)
		die("out of memory");

	struct meminfo m0, m1;
	usleep(300000);
	read_meminfo(&m0);
	int made = 0, retries = 0;
	bool fail = false;
	while (made < n && !fail) {
		pin_to(G.good_cpu);
		const char *what;
		pid_t pid = raw_clone(COMBINED, true, hold[0], hold[1], &what);
		if (pid < 0) {
			say("  raw memory floor: %s: %s\n", what, strerror(errno));
			fail = true;
			break;
		}
		snprintf(path, sizeof(path), "%s/%d", top, made);
		if (mkdir(path, 0700) < 0)
			die("%s: %s", path, strerror(errno));
		char msg[400];
		int b = raw_bind(path, pid, COMBINED, msg, sizeof(msg));
		if (b == 1 || (b == 2 && ++retries > 4 * G.ncpu))
			die("raw memory floor: %s", msg);
		if (b == 2) {
			/* The kernel's false EINVAL (see raw create): elsewhere. */
			G.good_cpu = (G.good_cpu + 1) % G.ncpu;
			clean_raw_dir(path);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			continue;
		}
		pids[made++] = pid;
	}
	usleep(300000);
	read_meminfo(&m1);

	/* Teardown: every init exits when the pipe closes. */
	close(hold[1]);
	close(hold[0]);
	for (int i = 0; i < made; i++)
		waitpid(pids[i], NULL, 0);
	for (int i = 0; i < made; i++) {
		snprintf(path, sizeof(path), "%s/%d", top, i);
		clean_raw_dir(path);
	}
	if (rmdir(top) < 0)
		die("rmdir %s: %s", top, strerror(errno));
	free(pids);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int c = 0; c < G.ncpu; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);

	/* The kernel frees network namespaces in the background: wait until
	 * that is over (no drop of SUnreclaim over a second), so the nsset
	 * figure taken next is not flattered by memory freed under it. What
	 * stays in the slab caches (a few percent) is reported: sets made
	 * next may reuse it. */
	int64_t t0 = now_ns();
	struct meminfo m2;
	long last = -1, step = (m1.sunreclaim - m0.sunreclaim) / 100;
	for (;;) {
		usleep(1000000);
		read_meminfo(&m2);
		if ((last >= 0 && last - m2.sunreclaim <= step) || now_ns() - t0 > 20 * (int64_t)1000000000)
			break;
		last = m2.sunreclaim;
	}
	if (fail || made == 0)
		return;
	R.raw_sets = made;
	R.raw_slab = (double)(m1.slab - m0.slab) / made;
	R.raw_sunrecl = (double)(m1.sunreclaim - m0.sunreclaim) / made;
	R.raw_kstack_pt = (double)((m1.kstack + m1.ptables) - (m0.kstack + m0.ptables)) / made;
	R.raw_mem_done = true;
	say("  raw floor: memory per bare combined set over %d sets (one clone+bind each, from a mount "
	    "namespace without the store): Slab %.1f kB (SUnreclaim %.1f kB), KernelStack+PageTables %.1f kB\n"
	    "  (torn down: after %.1f s SUnreclaim is +%ld kB over where it was, left in slab caches)\n",
	    made, R.raw_slab, R.raw_sunrecl, R.raw_kstack_pt, (double)(now_ns() - t0) / 1e9,
	    m2.sunreclaim - m0.sunreclaim);
}

static void add(struct section *s, struct bcase *c)
{
	if (s->nc == MAXC)
		die("too many cases in a section");
	s->c[s->nc++] = c;
}

static struct bcase *raw_join_case(const char *name, int flags, const char *user)
{
	struct bcase *c = new_case(name, K_RAW_JOIN, R_FLOOR_JOIN, flags);
	set_dir_of(uid_of(user), c->setdir, sizeof(c->setdir));
	return c;
}

static struct bcase *raw_create_case(const char *name, int flags)
{
	return new_case(name, K_RAW_CREATE, R_FLOOR_CREATE, flags);
}

static struct bcase *raw_create_template_case(const char *name, int flags)
{
	template_mntns();
	struct bcase *c = new_case(name, K_RAW_CREATE, R_FLOOR_CREATE, flags);
	c->from_template = true;
	return c;
}

static struct bcase *create_case(const char *name, const char *user, int flags)
{
	struct bcase *c = pam_case(name, R_CREATE, "bench-nsset", user, flags);
	c->destroy_after = true;
	destroy_user_set(c->uid);
	return c;
}

static void section_combined(void)
{
	struct section *s = &R.comb;
	snprintf(s->title, sizeof(s->title), "combined set mnt,uts,ipc,net,pid");
	s->rounds = G.rounds_combined;
	ensure_set("bjall");
	char dir[PATH_MAX];
	set_dir_of(uid_of("bjall"), dir, sizeof(dir));

	add(s, pam_case("pam_permit only (baseline)", R_BASE, "bench-permit", "bjall", 0));
	add(s, raw_join_case("raw join: open+setns", COMBINED, "bjall"));
	add(s, pam_case("pam_nsset join (set exists)", R_JOIN, "bench-nsset", "bjall", COMBINED));
	add(s, raw_create_case("raw create: clone+bind", COMBINED));
	add(s, create_case("pam_nsset create (first login)", "bcall", COMBINED));
	add(s, pam_case("pam_namespace /tmp per user (noinit)", R_OTHER, "bench-pamns", "bjall", CLONE_NEWNS));

	struct bcase *c = new_case("nsenter join (fork+exec util-linux)", K_CLI, R_OTHER, COMBINED);
	static char a[5][PATH_MAX + 16];
	int n = 0;
	c->argv[n++] = G.nsenter_bin;
	const char *opt[] = { "mount", "uts", "ipc", "net", "pid" };
	for (int i = 0; i < 5; i++) {
		snprintf(a[i], sizeof(a[i]), "--%s=%s/%s", opt[i], dir, NT[i].name);
		c->argv[n++] = a[i];
	}
	c->argv[n++] = "/bin/true";
	c->argv[n] = NULL;
	add(s, c);
	c = new_case("unshare create (fork+exec util-linux)", K_CLI, R_OTHER, COMBINED);
	c->unshare_cli = true;
	c->pin = true;
	add(s, c);
	c = new_case("fork+exec /bin/true (exec floor)", K_CLI, R_OTHER, 0);
	c->argv[0] = "/bin/true";
	add(s, c);
	if (G.compare) {
		/* Same run, same store, the other build's module and holder;
		 * B joins a set B's holder made (user bjallb). */
		ensure_set_with("bjallb", "bench-nsset-b");
		add(s, pam_case("B: pam_nsset join (--compare build)", R_JOIN, "bench-nsset-b", "bjallb", COMBINED));
		c = create_case("B: pam_nsset create (--compare build)", "bcall", COMBINED);
		snprintf(c->service, sizeof(c->service), "bench-nsset-b");
		add(s, c);
	}
	set_pamns_conf(true);
	run_section(s);
	print_section(s);
	if (G.compare) {
		double b = med(s->c[0]);
		double oja = med(s->c[2]) - b, oca = med(s->c[4]) - b;
		double ojb = med(s->c[9]) - b, ocb = med(s->c[10]) - b;
		say("  --compare %s:\n    join overhead %.1f -> %.1f us (%.2fx), create overhead %.1f -> %.1f us (%.2fx)\n",
		    G.compare, oja, ojb, ojb / oja, oca, ocb, ocb / oca);
	}
}

static void section_acct(void)
{
	struct section *s = &R.acct;
	snprintf(s->title, sizeof(s->title), "account+session stack (the README's hardened setup), combined set");
	s->rounds = G.rounds_pamns;
	ensure_set("bjall");
	struct bcase *c = pam_case("pam_permit only, account+session", R_BASE, "bench-permit-acct", "bjall", 0);
	c->acct = true;
	add(s, c);
	c = pam_case("pam_nsset join, account+session", R_JOIN, "bench-nsset-acct", "bjall", COMBINED);
	c->acct = true;
	add(s, c);
	add(s, raw_join_case("raw join: open+setns", COMBINED, "bjall"));
	if (G.compare) {
		ensure_set_with("bjallb", "bench-nsset-b");
		c = pam_case("B: pam_nsset join, account+session", R_JOIN, "bench-nsset-acct-b", "bjallb", COMBINED);
		c->acct = true;
		add(s, c);
	}
	run_section(s);
	print_section(s);
	if (G.compare) {
		double b = med(s->c[0]), oa = med(s->c[1]) - b, ob = med(s->c[3]) - b;
		say("  --compare %s:\n    account+session join overhead %.1f -> %.1f us (%.2fx)\n",
		    G.compare, oa, ob, ob / oa);
	}
}

static void section_pamns_stock(void)
{
	struct section *s = &R.pamns_stock;
	snprintf(s->title, sizeof(s->title), "pam_namespace with Debian's stock namespace.init (run per login)");
	s->rounds = G.rounds_pamns;
	set_pamns_conf(false);
	add(s, pam_case("pam_permit only (baseline)", R_BASE, "bench-permit", "bjall", 0));
	add(s, pam_case("pam_namespace /tmp per user (stock init)", R_OTHER, "bench-pamns", "bjall", CLONE_NEWNS));
	run_section(s);
	print_section(s);
	set_pamns_conf(true);
}

static void section_type(int i)
{
	struct section *s = &R.types[i];
	char uj[32], uc[32], name[64];
	snprintf(s->title, sizeof(s->title), "namespace type %s", shape_words(i));
	s->rounds = G.rounds_type;
	snprintf(uj, sizeof(uj), "bj%s", NT[i].name);
	snprintf(uc, sizeof(uc), "bc%s", NT[i].name);
	ensure_set(uj);
	add(s, pam_case("pam_permit only (baseline)", R_BASE, "bench-permit", uj, 0));
	snprintf(name, sizeof(name), "raw join %s", shape_words(i));
	add(s, raw_join_case(name, shape_flags(i), uj));
	snprintf(name, sizeof(name), "pam_nsset join %s", shape_words(i));
	add(s, pam_case(name, R_JOIN, "bench-nsset", uj, shape_flags(i)));
	snprintf(name, sizeof(name), "raw create %s", shape_words(i));
	add(s, raw_create_case(name, shape_flags(i)));
	snprintf(name, sizeof(name), "pam_nsset create %s", shape_words(i));
	add(s, create_case(name, uc, shape_flags(i)));
	run_section(s);
	print_section(s);
}

static void section_scale(void)
{
	say("\n== scale: combined join and create with N sets present (store %s)\n", G.store);
	uid_t keep = uid_of("bjall");
	destroy_all_sets_but(keep);
	ensure_set("bjall");
	/* First, and on its own: the same number of bare sets as nsset's
	 * figure is taken over, so both are read at the same count. */
	if (G.mem_level >= 100)
		raw_memory_floor(G.mem_level - 1);
	struct meminfo m0 = { 0 }, m1;
	int mem_from = 0;
	for (int l = 0; l < G.nlevels; l++) {
		int level = G.levels[l];
		R.lev[l] = level;
		R.nlev = l + 1;
		if (level > 1 && mem_from == 0) {
			/* Memory per set: from here (1 set) up to mem_level,
			 * or the highest level reached if the run stops early. */
			usleep(300000);
			read_meminfo(&m0);
			mem_from = count_sets();
		}
		int have = level > 1 ? populate(level) : count_sets();
		if (have < level) {
			R.lev_ok[l] = false;
			snprintf(R.lev_note[l], sizeof(R.lev_note[l]),
				 "only %d of %d sets survive: see the holder's log (%s)", have, level,
				 getenv("NSSET_TEST_LOG") ? getenv("NSSET_TEST_LOG") : "syslog");
			say("  level %d: FAILED: %s\n", level, R.lev_note[l]);
			const char *log = getenv("NSSET_TEST_LOG");
			if (log) {
				char cmd[PATH_MAX + 128];
				snprintf(cmd, sizeof(cmd), "grep 'nsset-holder' '%s' | grep -v ' created (' | "
					 "sed 's/^.*nsset-holder\\[[0-9]*\\]: //; s/set [a-z]*\\/[0-9a-f]*/set X/g' | "
					 "sort | uniq -c | sort -rn | head -3 | cut -c1-200", log);
				say("  most frequent holder log lines:\n");
				fflush(stdout);
				if (system(cmd) != 0)
					say("  (could not read the log)\n");
			}
			G.failed = true;
			break;
		}
		if (level >= 100 && level <= G.mem_level && mem_from > 0) {
			usleep(300000);
			read_meminfo(&m1);
			int added = have - mem_from;
			R.mem_sets = added;
			R.mem_slab = (double)(m1.slab - m0.slab) / added;
			R.mem_sunrecl = (double)(m1.sunreclaim - m0.sunreclaim) / added;
			R.mem_kstack_pt = (double)((m1.kstack + m1.ptables) - (m0.kstack + m0.ptables)) / added;
			R.mem_avail = (double)(m0.avail - m1.avail) / added;
			R.mem_done = true;
			R.mem_level = level;
			say("  memory per combined set over %d added sets: Slab %.1f kB (SUnreclaim %.1f kB), "
			    "KernelStack+PageTables %.1f kB, MemAvailable drop %.1f kB (incl. holder+init processes)\n",
			    added, R.mem_slab, R.mem_sunrecl, R.mem_kstack_pt, R.mem_avail);
		}
		struct section s = { 0 };
		snprintf(s.title, sizeof(s.title), "%d set(s) present", have);
		s.rounds = G.rounds_scale;
		add(&s, pam_case("pam_permit only (baseline)", R_BASE, "bench-permit", "bjall", 0));
		add(&s, raw_join_case("raw join: open+setns", COMBINED, "bjall"));
		add(&s, pam_case("pam_nsset join", R_JOIN, "bench-nsset", "bjall", COMBINED));
		add(&s, create_case("pam_nsset create", "bcall", COMBINED));
		add(&s, raw_create_template_case("raw create: clone+bind (template)", COMBINED));
		run_section(&s);
		print_section(&s);
		R.base_med[l] = med(s.c[0]);
		R.rawj_med[l] = med(s.c[1]);
		R.join_med[l] = med(s.c[2]);
		R.create_med[l] = med(s.c[3]);
		R.rawct_med[l] = med(s.c[4]);
		/* The raw create from the host's mount namespace copies every
		 * set's bind mounts (what the template avoids): informative,
		 * and run apart, because tearing those copies down keeps the
		 * machine busy and would land on the cases above. */
		struct section r = { 0 };
		snprintf(r.title, sizeof(r.title), "%d set(s) present: raw create from the host mount namespace", have);
		r.rounds = G.rounds_scale < 20 ? G.rounds_scale : 20;
		add(&r, raw_create_case("raw create: clone+bind (host mnt ns)", COMBINED));
		run_section(&r);
		print_section(&r);
		R.rawc_med[l] = med(r.c[0]);
		usleep(500000);
		R.lev_ok[l] = true;
	}
	if (R.nlev > 0) {
		say("\n  %-8s %12s %12s %12s %12s %14s %14s\n", "sets", "baseline", "nsset join", "nsset create",
		    "raw join", "raw create", "raw create");
		say("  %-8s %12s %12s %12s %12s %14s %14s\n", "", "", "", "", "", "(template)", "(host mnt ns)");
		for (int l = 0; l < R.nlev; l++)
			if (R.lev_ok[l])
				say("  %-8d %12.1f %12.1f %12.1f %12.1f %14.1f %14.1f\n", R.lev[l], R.base_med[l],
				    R.join_med[l], R.create_med[l], R.rawj_med[l], R.rawct_med[l], R.rawc_med[l]);
			else
				say("  %-8d %s\n", R.lev[l], "FAILED (see above)");
	}
}

enum { MISSED, MET, NA };
static void verdict(const char *what, int state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verdict(const char *what, int state, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	say("  [%s] %s\n         %s\n", state == MET ? " MET  " : state == NA ? " n/a  " : "MISSED", what, detail);
}

static void targets(void)
{
	say("\n== targets (issue 6); times are medians, overhead = case - pam_permit baseline of the same section\n");
	const struct section *s = &R.comb;
	if (s->nc == 0) {
		say("  (the combined section did not run)\n");
		return;
	}
	double b = med(s->c[0]), rj = med(s->c[1]), nj = med(s->c[2]), rc = med(s->c[3]),
	       nc = med(s->c[4]), pns = med(s->c[5]), nse = med(s->c[6]), uns = med(s->c[7]),
	       ex = med(s->c[8]);
	double oj = nj - b, oc = nc - b;
	verdict("join overhead <= 2x the raw join floor", oj <= 2 * rj,
		"overhead %.1f us = %.2fx the raw join (%.1f us)", oj, oj / rj, rj);
	verdict("create overhead <= 1.3x the raw create floor", oc <= 1.3 * rc,
		"overhead %.1f us = %.2fx the raw create (%.1f us)", oc, oc / rc, rc);
	if (R.nlev >= 2) {
		int last = R.nlev - 1;
		while (last > 0 && !R.lev_ok[last])
			last--;
		int wanted = 10000;
		bool full = R.lev[R.nlev - 1] >= wanted && R.lev_ok[R.nlev - 1];
		char note[160] = "";
		if (!full)
			snprintf(note, sizeof(note), " [target is at %d sets; %s]", wanted,
				 R.lev_ok[R.nlev - 1] ? "this run stops earlier" :
				 "this run FAILED to reach a level, see scale");
		if (last > 0) {
			double gj = R.join_med[last] / R.join_med[0], gc = R.create_med[last] / R.create_med[0];
			double drift = R.base_med[last] / R.base_med[0];
			int failed_level = !R.lev_ok[R.nlev - 1];
			verdict("join at 10000 sets within 1.3x of join at 1 set",
				failed_level ? MISSED : !full ? NA : gj <= 1.3,
				"%d sets: %.1f us vs %.1f us at 1 = %.2fx (baseline drifted %.2fx)%s",
				R.lev[last], R.join_med[last], R.join_med[0], gj, drift, note);
			verdict("create at 10000 sets within 1.3x of create at 1 set",
				failed_level ? MISSED : !full ? NA : gc <= 1.3,
				"%d sets: %.1f us vs %.1f us at 1 = %.2fx%s; the raw create from a template "
				"mount namespace, same levels: %.1f us vs %.1f us = %.2fx", R.lev[last],
				R.create_med[last], R.create_med[0], gc, note, R.rawct_med[last], R.rawct_med[0],
				R.rawct_med[last] / R.rawct_med[0]);
		} else {
			verdict("join/create at 10000 sets within 1.3x of 1 set", MISSED, "no level above 1 ran%s", note);
		}
	}
	char raw_note[200] = "the raw floor was not measured";
	if (R.raw_mem_done)
		snprintf(raw_note, sizeof(raw_note), "the bare namespaces alone (raw floor, same run): Slab "
			 "+%.1f kB/set over %d sets = %.2fx", R.raw_slab, R.raw_sets,
			 R.raw_slab > 0 ? R.mem_slab / R.raw_slab : 0.0);
	if (R.mem_done)
		verdict("<= 300 kB kernel memory per combined set (slab growth)",
			R.mem_level < 1000 ? NA : R.mem_slab <= 300,
			"Slab +%.1f kB/set (SUnreclaim +%.1f) over %d sets added up to %d%s; not counted as slab: "
			"KernelStack+PageTables +%.1f kB/set; %s", R.mem_slab, R.mem_sunrecl, R.mem_sets, R.mem_level,
			R.mem_level < 1000 ? " [target is stated at 1000]" : "", R.mem_kstack_pt, raw_note);
	else if (!G.no_scale)
		verdict("<= 300 kB kernel memory per combined set", MISSED, "not measured (scale did not reach %d sets)",
			G.mem_level);
	/* Per join, what each approach adds to a login: nsenter's run minus
	 * the exec a login needs anyway; nsset's overhead over the baseline. */
	verdict(">= 20x faster per join than nsenter", (nse - ex) / oj >= 20,
		"nsenter %.1f us (%.1f us over a bare fork+exec) vs nsset join overhead %.1f us: %.1fx "
		"(%.1fx counting nsenter's whole run)", nse, nse - ex, oj, (nse - ex) / oj, nse / oj);
	verdict(">= 2x faster per create than unshare", (uns - ex) / oc >= 2,
		"unshare %.1f us (%.1f us over a bare fork+exec) vs nsset create overhead %.1f us: %.2fx "
		"(%.2fx counting unshare's whole run)", uns, uns - ex, oc, (uns - ex) / oc, uns / oc);
	double pst = R.pamns_stock.nc ? med(R.pamns_stock.c[1]) - med(R.pamns_stock.c[0]) + b : 0;
	verdict("no slower per login than pam_namespace", nj <= pns,
		"nsset join %.1f us vs pam_namespace %.1f us (noinit; with the stock namespace.init "
		"~%.1f us); nsset create %.1f us", nj, pns, pst, nc);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_login --quick|--full --build DIR --work DIR [--pop N] [--out FILE]\n"
		"                   [--only SUBSTR] [--no-scale] [--no-conc] [--rounds N]\n"
		"                   [--loop CASE:N] [--compare BUILD_DIR] [--levels 1,100,...]\n"
		"Run through bench/run.sh inside tests/lib/sandbox.sh; see bench/README.md.\n");
	exit(2);
}

static void loop_one(void)
{
	/* For profilers: N samples of one case of the combined section. */
	ensure_set("bjall");
	struct section s = { 0 };
	char dir[PATH_MAX];
	set_dir_of(uid_of("bjall"), dir, sizeof(dir));
	struct bcase *c;
	if (!strcmp(G.loop_case, "baseline"))
		c = pam_case("baseline", R_BASE, "bench-permit", "bjall", 0);
	else if (!strcmp(G.loop_case, "join"))
		c = pam_case("pam_nsset join", R_JOIN, "bench-nsset", "bjall", COMBINED);
	else if (!strcmp(G.loop_case, "create"))
		c = create_case("pam_nsset create", "bcall", COMBINED);
	else if (!strcmp(G.loop_case, "rawjoin"))
		c = raw_join_case("raw join", COMBINED, "bjall");
	else if (!strcmp(G.loop_case, "rawcreate"))
		c = raw_create_case("raw create", COMBINED);
	else
		die("--loop: baseline|join|create|rawjoin|rawcreate");
	add(&s, c);
	snprintf(s.title, sizeof(s.title), "loop %s", G.loop_case);
	s.rounds = G.loop_n;
	run_section(&s);
	print_section(&s);
}

int main(int argc, char **argv)
{
	const char *outpath = NULL;
	int rounds = 0;
	bool mode = false;
	const char *levels = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--quick") || !strcmp(a, "--full")) {
			G.quick = !strcmp(a, "--quick");
			mode = true;
		} else if (!strcmp(a, "--build") && v) {
			snprintf(G.build, sizeof(G.build), "%s", v);
			i++;
		} else if (!strcmp(a, "--work") && v) {
			snprintf(G.work, sizeof(G.work), "%s", v);
			i++;
		} else if (!strcmp(a, "--pop") && v) {
			G.pop_max = atoi(v);
			i++;
		} else if (!strcmp(a, "--out") && v) {
			outpath = v;
			i++;
		} else if (!strcmp(a, "--only") && v) {
			G.only = v;
			i++;
		} else if (!strcmp(a, "--levels") && v) {
			levels = v;
			i++;
		} else if (!strcmp(a, "--compare") && v) {
			G.compare = v;
			i++;
		} else if (!strcmp(a, "--rounds") && v) {
			rounds = atoi(v);
			i++;
		} else if (!strcmp(a, "--loop") && v) {
			static char name[32];
			snprintf(name, sizeof(name), "%s", v);
			char *colon = strchr(name, ':');
			G.loop_n = colon ? atoi(colon + 1) : 100;
			if (colon)
				*colon = '\0';
			G.loop_case = name;
			i++;
		} else if (!strcmp(a, "--no-scale")) {
			G.no_scale = true;
		} else if (!strcmp(a, "--no-conc")) {
			G.no_conc = true;
		} else {
			usage();
		}
	}
	if (!mode || !G.build[0] || !G.work[0] || G.build[0] != '/' || G.work[0] != '/')
		usage();
	char host[64] = "";
	gethostname(host, sizeof(host));
	if (!getenv("NSSET_SANDBOX") || strcmp(host, "nsset-test") != 0) {
		fprintf(stderr, "bench_login: not inside the test sandbox; use make bench / make bench-quick\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_login: must run as root (inside the sandbox)\n");
		return 2;
	}
	if (G.quick) {
		G.rounds_combined = 100;
		G.rounds_type = 30;
		G.rounds_pamns = 60;
		G.rounds_scale = 40;
		G.warmup = 3;
		G.conc_n = 64;
		G.conc_reps = 1;
		G.levels[0] = 1, G.levels[1] = 100, G.nlevels = 2;
		G.mem_level = 100;
	} else {
		G.rounds_combined = 300;
		G.rounds_type = 120;
		G.rounds_pamns = 200;
		G.rounds_scale = 100;
		G.warmup = 10;
		G.conc_n = 64;
		G.conc_reps = 5;
		G.levels[0] = 1, G.levels[1] = 100, G.levels[2] = 1000, G.levels[3] = 10000, G.nlevels = 4;
		G.mem_level = 1000;
	}
	if (levels) {
		/* --levels 1,100,1000: the scale levels; memory is measured at
		 * the last one that is at least 100. */
		G.nlevels = 0;
		for (const char *p = levels; *p && G.nlevels < 8; p = strchr(p, ',') ? strchr(p, ',') + 1 : "") {
			G.levels[G.nlevels] = atoi(p);
			if (G.levels[G.nlevels] >= 100)
				G.mem_level = G.levels[G.nlevels];
			G.nlevels++;
		}
		if (G.nlevels == 0 || G.levels[0] != 1)
			die("--levels must start with 1");
	}
	if (rounds > 0)
		G.rounds_combined = G.rounds_type = G.rounds_pamns = G.rounds_scale = rounds;
	if (outpath) {
		G.out = fopen(outpath, "w");
		if (!G.out)
			die("%s: %s", outpath, strerror(errno));
	}
	setup();
	srandom(6);
	int64_t t0 = now_ns();
	say("bench_login (%s): pam_nsset.so login overhead. Each sample runs in a fresh forked child;\n"
	    "the fork is excluded from every case (timed from inside the child), everything the case\n"
	    "does after it counts. PAM cases time pam_start+open_session+close_session+pam_end.\n"
	    "Module %s\nCPUs %d; kernel: ", G.quick ? "quick" : "full", G.module, G.ncpu);
	fflush(stdout);
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
	char rel[64] = "?";
	if (f) {
		if (!fgets(rel, sizeof(rel), f))
			snprintf(rel, sizeof(rel), "?\n");
		fclose(f);
	}
	say("%s", rel);

	if (G.loop_case) {
		loop_one();
		return 0;
	}
	if (selected("combined"))
		section_combined();
	if (selected("pam_namespace"))
		section_pamns_stock();
	if (selected("account"))
		section_acct();
	for (int i = 0; i < NNT; i++) {
		char t[64];
		snprintf(t, sizeof(t), "namespace type %s", shape_words(i));
		if (selected(t))
			section_type(i);
	}
	if (!G.no_conc && selected("concurrency")) {
		say("\n== concurrency: 64 parallel first logins (combined sets); latency = start to own "
		    "open_session done\n");
		say("%-40s %5s %10s %10s\n", "case", "n", "median us", "p95 us");
		concurrency("64 users, one first login each", false);
		concurrency("64 first logins of one user", true);
	}
	if (!G.no_scale && selected("scale"))
		section_scale();
	if (!G.only)
		targets();
	say("\nbench_login: %s in %.0f s\n", G.failed ? "FAILED" : "done", (double)(now_ns() - t0) / 1e9);
	if (G.out)
		fclose(G.out);
	return G.failed ? 1 : 0;
}
