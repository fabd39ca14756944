/* The holder process: builds a set, then watches over it; see holder.h. */
#include "holder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <search.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cleanroom.h"
#include "hook.h"
#include "netnsname.h"
#include "net.h"
#include "nsfs.h"
#include "nstypes.h"
#include "procref.h"
#include "proctitle.h"
#include "procscan.h"
#include "sdunit.h"
#include "setcg.h"
#include "setup.h"
#include "teardown.h"
#include "util.h"

/* An attempt that hit the kernel's mount-namespace loop check falsely (see
 * retry_on_cpus) returns this instead of -1. */
#define RETRY_ELSEWHERE 1

struct holder {
	struct nsset_store st;
	struct nsset_meta m;
	struct nsset_setid id;
	char setname[64];
	const struct nsset_log *log;
	char build[32];             /* ".build-HEX" while building */
	int setfd;                  /* the set directory (build dir, renamed) */
	int template_fd;            /* template mount ns, or -1 */
	int host_mnt_fd;            /* our own mount ns, to come back to */
	pid_t init;                 /* the set's init (pid sets) or setup child */
	int go_fd;                  /* write end: tells the init to go on */
	int lock_fd;                /* holder.lock, flock'ed for life */
	bool net_made;              /* nsset_net_up succeeded: undo with nsset_net_down */
	bool orphaned;              /* a session's process died without closing it */
	size_t nlinger;             /* processes watched while lingering (below) */
	struct watched *linger[64];
	int oom_fd;                 /* the set's cgroup's memory.events, or -1 */
	unsigned long long oom_kills; /* its oom_kill count, as last logged */
};

/* ---- the init ----------------------------------------------------------- */

static void close_all_but(int a, int b)
{
	if (a > b) {
		int t = a; a = b; b = t;
	}
	if (a > 3)
		close_range(3, (unsigned)a - 1, 0);
	if (b > a + 1)
		close_range((unsigned)a + 1, (unsigned)b - 1, 0);
	close_range((unsigned)b + 1, ~0U, 0);
}

/* The set's first process, inside all its new namespaces. For a pid set it
 * stays as the namespace's init and reaper; otherwise it leaves once the
 * holder has bound its namespaces. Never returns. */
static _Noreturn void run_init(const struct holder *h, int ready_w, int go_r)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close_all_but(ready_w, go_r);
	setsid();
	nsset_cleanroom_all_cpus();
	/* ps on the host, and inside a pid set for its PID 1, tells the
	 * inits apart by set (comm stays "nsset-init": 15 bytes at most). */
	prctl(PR_SET_NAME, "nsset-init");
	nsset_proctitle_set("nsset-init", h->setname);

	struct nsset_err e = { 0 };
	char msg[NSSET_ERR_MAX + 1];
	if (nsset_setup_inside(&h->m, h->st.path, &e) < 0)
		snprintf(msg, sizeof(msg), "e%s", e.msg);
	else
		snprintf(msg, sizeof(msg), "o");
	write_full(ready_w, msg, strlen(msg));
	close(ready_w);

	char go = 0;
	if (read_full(go_r, &go, 1) != 1 || go != 'g')
		_exit(1);
	close(go_r);
	if (!(h->m.ns_flags & CLONE_NEWPID))
		_exit(0);

	/* PID 1 of the set: reap orphans, ignore everything else. Signals
	 * from inside the namespace cannot kill us; SIGKILL from the holder
	 * (or its death, through PDEATHSIG) can. */
	sigset_t set;
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(&set, &si) == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
}

/* ---- building ----------------------------------------------------------- */

static void kill_init(struct holder *h)
{
	close_fd(&h->go_fd);
	if (h->init > 0) {
		kill(h->init, SIGKILL);
		while (waitpid(h->init, NULL, 0) < 0 && errno == EINTR)
			;
		h->init = 0;
	}
}

static void unmount_build_files(struct holder *h)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", h->setfd, nsset_nstypes[i].name);
		umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
	}
}

/* Creates dirfd/name, empty, if missing: a mount point for an ns file. */
static int make_mount_point(int dirfd, const char *name)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0400);
	return fd < 0 ? -1 : 0;
}

/* Bind-mounts /proc/PID/ns/NAME of the init onto the build directory. */
static int bind_ns_files(struct holder *h, struct nsset_err *e)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		const struct nsset_nstype *t = &nsset_nstypes[i];
		if (!(h->m.ns_flags & t->flag))
			continue;
		if (make_mount_point(h->setfd, t->name) < 0)
			return nsset_fail(e, errno, "creating %s/%s/%s", h->st.path, h->build, t->name);
		char src[64], dst[64];
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)h->init, t->name);
		/* Through the build directory's fd: nothing re-resolved. */
		snprintf(dst, sizeof(dst), "/proc/self/fd/%d/%s", h->setfd, t->name);
		if (mount(src, dst, "none", MS_BIND, NULL) < 0) {
			if (errno == EINVAL && t->flag == CLONE_NEWNS)
				return RETRY_ELSEWHERE;
			return nsset_fail(e, errno, "bind-mounting %s onto %s", src, dst);
		}
	}
	return 0;
}

/* The kernel refuses to bind a mount ns file unless the namespace is newer
 * than the caller's own, judged by namespace id. Since ids are handed out in
 * per-CPU batches (seen on 6.18), a namespace made on another CPU than the
 * caller's may look older: a false EINVAL. Detect it by comparing ids when
 * the kernel tells them (NS_GET_MNTNS_ID, 6.6+; ENOTTY before, where ids
 * still grow monotonically and there is nothing to detect). */
static int mntns_looks_older(pid_t pid, int own_fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uint64_t theirs, ours;
	return nsset_mntns_id(fd, &theirs) == 0 && nsset_mntns_id(own_fd, &ours) == 0 &&
	       theirs <= ours;
}

static int attempt_build(struct holder *h, struct nsset_err *e)
{
	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int ready_r = ready[0], ready_w = ready[1];
	if (pipe2(go, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int go_r = go[0], go_w = go[1];
	/* New mount namespaces are copies of the template (which holds no
	 * store), so creating a set costs the same with 1 or 10000 sets. */
	if (h->template_fd >= 0 && setns(h->template_fd, CLONE_NEWNS) < 0)
		return nsset_fail(e, errno, "entering the template mount namespace");
	/* CLONE_NEWTIME cannot be passed to clone(); it was unshared
	 * beforehand and applies to this child (nstypes.h, `made`). */
	int flags = nsset_nsflags_made(h->m.ns_flags, NSSET_NS_CLONED);
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, 0UL);
	if (pid == 0) {
		close(ready_r);
		close(go_w);
		run_init(h, ready_w, go_r);
	}
	int clone_errno = errno;
	if (h->template_fd >= 0 && setns(h->host_mnt_fd, CLONE_NEWNS) < 0) {
		/* Cannot happen short of a kernel bug; never go on from the
		 * wrong namespace. */
		syslog(LOG_CRIT, "cannot return to the host mount namespace: %m");
		if (pid > 0)
			kill(pid, SIGKILL);
		_exit(70);
	}
	/* The init's ends: with ours closed, its death reads as EOF. */
	close_fd(&ready_w);
	close_fd(&go_r);
	if (pid < 0)
		return nsset_fail(e, clone_errno, "clone");
	h->init = pid;
	h->go_fd = TAKE_FD(go_w);

	/* The namespaces exist from the clone on: bind them while the init
	 * sets up the inside (on another CPU, most often), then wait for its
	 * word. Neither touches what the other does. */
	int r = 0;
	if ((h->m.ns_flags & CLONE_NEWNS) && mntns_looks_older(pid, h->host_mnt_fd))
		r = RETRY_ELSEWHERE;
	else
		r = bind_ns_files(h, e);
	char msg[NSSET_ERR_MAX + 1];
	ssize_t n = r == 0 ? read_full(ready_r, msg, sizeof(msg) - 1) : 0;
	if (r == 0 && (n <= 0 || msg[0] != 'o')) {
		msg[n > 0 ? n : 0] = '\0';
		r = nsset_fail(e, 0, "setting up the set: %s", n > 1 ? msg + 1 : "init died");
	}
	if (r != 0) {
		unmount_build_files(h);
		kill_init(h);
	}
	return r;
}

/* STORE/.cpu: the CPU on which a retry last worked. Ids come in per-CPU
 * batches, so a CPU that worked tends to keep working for a while; trying
 * it first saves a doomed clone and setup. Only a hint: a stale, missing
 * or odd one costs nothing but the attempt it was meant to save. */
static int cpu_hint(const struct holder *h, const cpu_set_t *allowed)
{
	char buf[16];
	unsigned long v;
	if (CPU_COUNT(allowed) < 2 || read_small_file_at(h->st.fd, ".cpu", buf, sizeof(buf)) <= 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_ulong(buf, CPU_SETSIZE - 1, &v) < 0 || !CPU_ISSET((int)v, allowed))
		return -1;
	return (int)v;
}

static bool pin_to_cpu(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0;
}

/* Runs fn until it does not ask for another CPU, trying the hinted CPU
 * first, then each CPU we may run on in turn; restores our affinity
 * afterwards. */
static int retry_on_cpus(struct holder *h, int (*fn)(struct holder *, struct nsset_err *),
			 struct nsset_err *e)
{
	cpu_set_t orig;
	if (sched_getaffinity(0, sizeof(orig), &orig) < 0)
		return nsset_fail(e, errno, "sched_getaffinity");
	int hint = cpu_hint(h, &orig);
	if (hint >= 0 && !pin_to_cpu(hint))
		hint = -1;
	bool pinned = hint >= 0;
	int r = fn(h, e);
	for (int cpu = 0; cpu < CPU_SETSIZE && r == RETRY_ELSEWHERE; cpu++) {
		if (!CPU_ISSET(cpu, &orig) || cpu == hint || !pin_to_cpu(cpu))
			continue;
		pinned = true;
		nsset_log(h->log, LOG_DEBUG, "%s: mount namespace id ordering, retrying on CPU %d",
			  h->setname, cpu);
		r = fn(h, e);
		if (r == 0) {
			char buf[16];
			int n = snprintf(buf, sizeof(buf), "%d\n", cpu);
			write_file_atomic_at(h->st.fd, ".cpu", buf, (size_t)n, 0600);
		}
	}
	if (pinned)
		sched_setaffinity(0, sizeof(orig), &orig);
	if (r == RETRY_ELSEWHERE)
		return nsset_fail_as(e, EINVAL, "the kernel refused to bind the new mount namespace on every CPU");
	return r;
}

/* ---- the template mount namespace ---------------------------------------- */

static int attempt_template(struct holder *h, struct nsset_err *e)
{
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return nsset_fail(e, errno, "pipe");
	_cleanup_close_ int ready_r = ready[0], ready_w = ready[1];
	pid_t pid = fork();
	if (pid < 0)
		return nsset_fail(e, errno, "fork");
	if (pid == 0) {
		close(ready_r);
		struct nsset_err ce = { 0 };
		char ok = 'o';
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0 ||
		    nsset_hide_store(h->st.path, NULL, &ce) < 0)
			ok = 'e';
		write_full(ready_w, &ok, 1);
		/* Stay until the holder has bound our namespace. */
		pause();
		_exit(0);
	}
	close_fd(&ready_w);      /* else no EOF if the child dies */
	char ok = 0;
	ssize_t n = read_full(ready_r, &ok, 1);
	int r;
	char src[64], dst[PATH_MAX + 32];
	snprintf(src, sizeof(src), "/proc/%d/ns/mnt", (int)pid);
	snprintf(dst, sizeof(dst), "%s/.template/mnt", h->st.path);
	if (n != 1 || ok != 'o')
		r = nsset_fail(e, 0, "preparing the template mount namespace failed");
	else if (mntns_looks_older(pid, h->host_mnt_fd))
		r = RETRY_ELSEWHERE;
	else if (mount(src, dst, "none", MS_BIND, NULL) < 0)
		r = errno == EINVAL ? RETRY_ELSEWHERE
				    : nsset_fail(e, errno, "bind-mounting %s onto %s", src, dst);
	else
		r = 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}

/* Opens the template mount namespace, making it on first use. */
static int template_open(struct holder *h, struct nsset_err *e)
{
	_cleanup_close_ int lock = openat(h->st.fd, ".template.lock",
					  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return nsset_fail(e, errno, "%s/.template.lock", h->st.path);
	while (flock(lock, LOCK_EX) < 0 && errno == EINTR)
		;
	if (mkdirat(h->st.fd, ".template", 0700) < 0 && errno != EEXIST)
		return nsset_fail(e, errno, "%s/.template", h->st.path);
	_cleanup_close_ int tdir = openat(h->st.fd, ".template", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tdir < 0)
		return nsset_fail(e, errno, "%s/.template", h->st.path);
	int fd = nsset_nsfd_open_one(tdir, "mnt", CLONE_NEWNS, NULL);
	if (fd >= 0)
		return fd;
	if (make_mount_point(tdir, "mnt") < 0)
		return nsset_fail(e, errno, "%s/.template/mnt", h->st.path);
	if (retry_on_cpus(h, attempt_template, e) != 0)
		return -1;
	fd = nsset_nsfd_open_one(tdir, "mnt", CLONE_NEWNS, e);
	nsset_log(h->log, LOG_INFO, "made the template mount namespace");
	return fd;
}

/* ---- set up ------------------------------------------------------------- */

/* uptime=set: the time namespace we unshared (our children's) gets offsets
 * that make its CLOCK_BOOTTIME and CLOCK_MONOTONIC (and so uptime and
 * /proc/uptime) start at 0 now, the set's creation. The kernel takes them
 * only before the first process enters the namespace: before the clone of
 * the init. A clock may not go below 0: whole seconds back, the fraction
 * stays. */
static int set_time_offsets(struct nsset_err *e)
{
	struct timespec mono, boot;
	if (clock_gettime(CLOCK_MONOTONIC, &mono) < 0 || clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
		return nsset_fail(e, errno, "clock_gettime");
	char text[96];
	int n = snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n",
			 -(long long)mono.tv_sec, -(long long)boot.tv_sec);
	_cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		return nsset_fail(e, errno, "writing /proc/self/timens_offsets");
	return 0;
}

/* A set with limits: its own cgroup (setcg.h), below its scope on a
 * systemd host (the scope delegated to us), else below cgroup.root. The
 * holder moves in before it makes any namespace. */
static int make_cgroup(struct holder *h, const char *scope_cg, struct nsset_err *e)
{
	char mnt[64], parent[NSSET_CGROOT_MAX + NSSET_CGPATH_MAX], leaf[64];
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	if (scope_cg[0]) {
		snprintf(parent, sizeof(parent), "%s%s", mnt, scope_cg);
		snprintf(leaf, sizeof(leaf), "set");
	} else {
		if (h->m.cgroup_root[0])
			snprintf(parent, sizeof(parent), "%s", h->m.cgroup_root);
		else
			snprintf(parent, sizeof(parent), "%s/%s", mnt, NSSET_CG_ROOT_NAME);
		snprintf(leaf, sizeof(leaf), "%s-%s", nsset_scope_name(h->id.scope), h->id.id);
	}
	if (nsset_cg_make(parent, leaf, &h->m.limits, h->m.cgroup, sizeof(h->m.cgroup), e) < 0) {
		h->m.cgroup[0] = '\0';
		return -1;
	}
	return 0;
}

/* The holder leaves the set's cgroup for the root one, so that the
 * cgroup can be removed once the set ends (a systemd scope's cgroup goes
 * with the scope, when the holder exits). */
static void leave_cgroup(struct holder *h)
{
	struct nsset_err e = { 0 };
	if (h->m.cgroup[0] && nsset_cg_join("", 0, &e) < 0)
		nsset_log(h->log, LOG_WARNING, "set %s: leaving its cgroup: %s", h->setname, e.msg);
}

static int build_set(struct holder *h, struct nsset_err *e)
{
	/* Out of the starter's unit first (a login's scope, user@.service),
	 * so that the init, its cgroup namespace and hooks are born in ours. */
	char scope_cg[NSSET_CGPATH_MAX];
	bool limited = nsset_limits_controllers(&h->m.limits) != 0;
	if (nsset_sdunit_enter(&h->id, limited, scope_cg, sizeof(scope_cg), h->log, e) < 0)
		return -1;
	if (limited && make_cgroup(h, scope_cg, e) < 0)
		return -1;
	if (nsset_build_name(h->build, sizeof(h->build)) < 0)
		return nsset_fail(e, errno, "getrandom");
	if (mkdirat(h->st.fd, h->build, 0700) < 0)
		return nsset_fail(e, errno, "%s/%s", h->st.path, h->build);
	h->setfd = openat(h->st.fd, h->build, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (h->setfd < 0)
		return nsset_fail(e, errno, "%s/%s", h->st.path, h->build);

	if (h->m.ns_flags & CLONE_NEWNS) {
		h->template_fd = template_open(h, e);
		if (h->template_fd < 0)
			return -1;
	}
	int early = nsset_nsflags_made(h->m.ns_flags, NSSET_NS_UNSHARED);
	if (early && unshare(early) < 0) {
		char names[64];
		return nsset_fail(e, errno, "unshare(%s)", nsset_nsflags_format(early, names, sizeof(names)));
	}
	if ((early & CLONE_NEWTIME) && h->m.uptime_set && set_time_offsets(e) < 0)
		return -1;
	struct nsset_proc self;
	nsset_proc_record(getpid(), &self);
	h->m.holder_pid = self.pid;
	h->m.holder_start = self.start;
	if (retry_on_cpus(h, attempt_build, e) < 0)
		return -1;
	if (h->m.net == NSSET_NET_VETH) {
		if (nsset_net_up(&h->st, &h->m, h->init, h->log, e) < 0)
			return -1;
		h->net_made = true;
	}

	h->m.created = (long long)time(NULL);
	if (h->m.ns_flags & CLONE_NEWPID) {
		/* Recorded for everyone who may have to signal it later. */
		struct nsset_proc init;
		nsset_proc_record(h->init, &init);
		h->m.init_pid = h->init;
		h->m.init_start = init.start;
		h->m.init_ino = init.ino;
	}
	h->m.holder_ino = self.ino;
	if (nsset_meta_write(h->setfd, &h->m, e) < 0)
		return -1;
	if (nsset_sessions_make(h->setfd) < 0)
		return nsset_fail(e, errno, "creating sessions/");
	h->lock_fd = openat(h->setfd, "holder.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (h->lock_fd < 0 || flock(h->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return nsset_fail(e, errno, "locking holder.lock");

	/* The set appears whole or not at all. The creator holds the set
	 * lock, so nothing else can be at this name. */
	char final[64];
	nsset_setid_name(&h->id, final, sizeof(final));
	_cleanup_close_ int sfd = nsset_scope_open(&h->st, h->id.scope);
	if (sfd < 0)
		return nsset_fail(e, errno, "%s/%s", h->st.path, nsset_scope_dir(h->id.scope));
	if (renameat2(h->st.fd, h->build, sfd, h->id.id, RENAME_NOREPLACE) < 0)
		return nsset_fail(e, errno, "%s/%s: putting the set in place", h->st.path, final);
	h->build[0] = '\0';

	/* A convenience for the administrator, not part of the isolation: a
	 * name that cannot be made is logged and the set goes on. It is
	 * made before the hook, which may use it. */
	if (h->m.netns_name && (h->m.ns_flags & CLONE_NEWNET)) {
		char nsfile[64];
		struct nsset_err ne = { 0 };
		snprintf(nsfile, sizeof(nsfile), "/proc/self/fd/%d/net", h->setfd);
		if (nsset_netns_name_add(h->id.scope, h->id.id, nsfile, &ne) < 0)
			nsset_log(h->log, LOG_WARNING, "set %s: no ip netns name: %s", h->setname, ne.msg);
	}

	/* Run with the set in place, so the hook sees the paths it will
	 * always have; nobody can join yet (the creator holds the set lock
	 * until our verdict). */
	if (h->m.hook[0] && nsset_hook_run(h->st.path, &h->m, "create", h->log, e) < 0) {
		struct nsset_err de = { 0 };
		if (nsset_hook_run(h->st.path, &h->m, "destroy", h->log, &de) < 0)
			nsset_log(h->log, LOG_ERR, "set %s: undoing the failed create hook: %s",
				  h->setname, de.msg);
		kill_init(h);
		nsset_set_remove(&h->st, &h->id, NULL);
		return -1;
	}

	/* Let the init go on: for a pid set it now reaps; otherwise it leaves. */
	if (write_full(h->go_fd, "g", 1) < 0)
		return nsset_fail(e, errno, "releasing init");
	close_fd(&h->go_fd);
	if (!(h->m.ns_flags & CLONE_NEWPID)) {
		while (waitpid(h->init, NULL, 0) < 0 && errno == EINTR)
			;
		h->init = 0;
	}
	return 0;
}

static void undo_build(struct holder *h)
{
	kill_init(h);
	if (h->m.cgroup[0]) {
		leave_cgroup(h);
		nsset_cg_remove(h->m.cgroup, 0, NULL);
	}
	if (h->build[0]) {
		unmount_build_files(h);
		nsset_store_remove_dir(&h->st, h->build, NULL);
	}
	if (h->net_made)
		nsset_net_down(&h->st, &h->m, NULL);
	h->net_made = false;
}

/* ---- watching ----------------------------------------------------------- */

/* The sessions being watched: one pidfd each, in an epoll set (the kernel
 * keeps it as a tree) and in a search tree keyed by name (tsearch), so that
 * what a login costs the holder does not grow with the number of sessions
 * (a member could otherwise park many and make every join expensive). */
struct watched {
	char name[96];
	int pidfd;
};

struct watchlist {
	void *tree;                 /* of struct watched *, by name */
	size_t n;
	int epfd;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct watched *)a)->name, ((const struct watched *)b)->name);
}

static struct watched *watch_find(struct watchlist *wl, const char *name)
{
	struct watched key;
	size_t len = strlen(name);
	if (len >= sizeof(key.name))
		return NULL;            /* not a name we would watch */
	memcpy(key.name, name, len + 1);
	struct watched **w = tfind(&key, &wl->tree, by_name);
	return w ? *w : NULL;
}

static void watch_drop(struct watchlist *wl, struct watched *w)
{
	epoll_ctl(wl->epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
	tdelete(w, &wl->tree, by_name);
	close(w->pidfd);
	free(w);
	wl->n--;
}

static void watch_add(struct holder *h, struct watchlist *wl, const char *name, int pidfd)
{
	/* Ours to release until the list holds them. */
	_cleanup_close_ int fd = pidfd;
	_cleanup_free_ struct watched *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
	if (w) {
		snprintf(w->name, sizeof(w->name), "%s", name);
		w->pidfd = fd;
	}
	if (!w || !tsearch(w, &wl->tree, by_name)) {
		nsset_log(h->log, LOG_ERR, "set %s: cannot watch session %s: out of memory",
			  h->setname, name);
		return;
	}
	if (epoll_ctl(wl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		nsset_log(h->log, LOG_ERR, "set %s: cannot watch session %s: %m", h->setname, name);
		tdelete(w, &wl->tree, by_name);
		return;
	}
	fd = -1;                /* w's now, and w the list's */
	w = NULL;
	wl->n++;
}

/* Starts watching sessions/<name> if its process still runs; removes the
 * entry if it is gone. */
static void watch_entry(struct holder *h, struct watchlist *wl, int sfd, const char *name)
{
	pid_t pid;
	unsigned long long start;
	int pfd = -1, err = EINVAL;     /* a malformed name: not ours */
	if (nsset_session_parse(name, &pid, &start) == 0 && strlen(name) < sizeof(((struct watched *)0)->name)) {
		/* The session's process as recorded (procref.h): ESRCH if it
		 * is gone, or its pid now names a newcomer. */
		struct nsset_proc sp = { .pid = pid, .start = start };
		pfd = nsset_proc_open(&sp);
		err = pfd < 0 ? errno : 0;
	}
	if (pfd >= 0) {
		watch_add(h, wl, name, pfd);
	} else if (err == ESRCH || err == EINVAL) {
		/* Only a session whose process is gone is removed: out of
		 * fds (EMFILE) says nothing about the session. */
		unlinkat(sfd, name, 0);
	} else {
		nsset_log(h->log, LOG_ERR, "set %s: cannot watch session %s: %s", h->setname, name,
			  strerror(err));
	}
}

static struct watched **collected;
static size_t ncollected;

static void collect(const void *node, VISIT which, int depth)
{
	(void)depth;
	if (which == postorder || which == leaf)
		collected[ncollected++] = *(struct watched *const *)node;
}

/* Brings the watch list in line with all of sessions/: new entries get a
 * pidfd (or are removed at once if their process is gone), vanished ones
 * are dropped. Used when the holder starts, before it ends a set, and
 * when a notice was lost (SIGUSR1). */
static void rescan(struct holder *h, struct watchlist *wl)
{
	_cleanup_close_ int sfd = nsset_sessions_open(h->setfd);
	if (sfd < 0)
		return;
	if (wl->n > 0) {
		collected = calloc(wl->n, sizeof(*collected));
		ncollected = 0;
		if (collected) {
			twalk(wl->tree, collect);
			for (size_t i = 0; i < ncollected; i++)
				if (faccessat(sfd, collected[i]->name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
					watch_drop(wl, collected[i]);
			free(collected);
			collected = NULL;
		}
	}
	_cleanup_closedir_ DIR *d = fdopendir(sfd);
	if (!d)
		return;
	sfd = -1;       /* d's now */
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && !watch_find(wl, de->d_name))
			watch_entry(h, wl, dirfd(d), de->d_name);
}

/* A login's notice (nsset_holder_notify): the one session it names came or
 * went. Its process is looked up by pid. If that is gone already (a short
 * command), the name cannot be rebuilt, and it need not be: a dead
 * session's entry keeps no set alive (the look at all of sessions/ before a
 * set ends removes it, and nssetctl prunes such entries). Never a full
 * scan here: a member could make every join cost that. */
static void look_at(struct holder *h, struct watchlist *wl, pid_t pid, uint64_t tag)
{
	unsigned long long start = pid > 0 ? proc_starttime(pid) : 0;
	if (!start)
		return;
	char name[96];
	nsset_session_name(name, sizeof(name), pid, start, tag);
	_cleanup_close_ int sfd = nsset_sessions_open(h->setfd);
	if (sfd < 0)
		return;
	bool there = faccessat(sfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	struct watched *w = watch_find(wl, name);
	if (there && !w)
		watch_entry(h, wl, sfd, name);
	else if (!there && w)
		watch_drop(wl, w);
}

static void free_watched(void *p)
{
	struct watched *w = p;
	close(w->pidfd);
	free(w);
}

static void destroy_and_exit(struct holder *h, struct watchlist *wl, const char *reason, int lockfd)
{
	struct nsset_err e = { 0 };
	if (lockfd < 0)
		lockfd = nsset_set_lock(&h->st, &h->id, LOCK_EX, NULL);
	close_fd(&h->go_fd);
	/* The init is killed, not waited for (no NSSET_TD_WAIT_INIT): a pid
	 * namespace's init cannot finish exiting before every zombie in the
	 * namespace is reaped, and the parent of one may be the very PAM
	 * application waiting for us in close_session (sshd's [priv] reaps
	 * its session child after). The set is removed regardless; the init
	 * is reaped by whoever inherits it when we exit. */
	/* Out of the set's cgroup, so that it can go with the set. */
	leave_cgroup(h);
	close_fd(&h->oom_fd);
	struct nsset_teardown td = {
		.flags = NSSET_TD_HOOK | NSSET_TD_KILL_INIT | NSSET_TD_REMOVE |
			 (h->net_made ? NSSET_TD_NET : 0),
		.ext = &nsset_teardown_hook_net,
		.log = h->log,
	};
	int rc = nsset_set_teardown(&h->st, &h->id, &h->m, &td, &e);
	if (rc < 0)
		nsset_log(h->log, LOG_ERR, "set %s: destroying (%s) left something behind: %s",
			  h->setname, reason, e.msg);
	else
		nsset_log(h->log, LOG_NOTICE, "set %s destroyed: %s", h->setname, reason);
	close_fd(&lockfd);
	tdestroy(wl->tree, free_watched);
	close_fd(&wl->epfd);
	close_fd(&h->lock_fd);
	exit(rc < 0 ? 1 : 0);
}

/* Whether the end of the last session is when to look at ending the set:
 * for a session set and keep=sessions the set ends then (unless a session
 * died without closing it, below); for keep=processes it ends once nothing
 * at all lives in it any more. */
static bool ends_with_last_session(const struct holder *h)
{
	return h->m.scope == NSSET_SCOPE_SESSION || h->m.keep == NSSET_KEEP_SESSIONS ||
	       h->m.keep == NSSET_KEEP_PROCESSES;
}

static void linger_drop(struct holder *h, struct watchlist *wl, struct watched *w)
{
	for (size_t i = 0; i < h->nlinger; i++)
		if (h->linger[i] == w) {
			h->linger[i] = h->linger[--h->nlinger];
			break;
		}
	epoll_ctl(wl->epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
	close(w->pidfd);
	free(w);
}

static void linger_stop(struct holder *h, struct watchlist *wl)
{
	while (h->nlinger > 0)
		linger_drop(h, wl, h->linger[0]);
}

/* The set has no session but may still hold processes. Watches up to
 * LINGER_MAX of those found now through pidfds (entries with an empty name
 * in the epoll set); once all of them have exited, check_end looks again,
 * and finds whatever they forked meanwhile. So a lingering set costs no
 * timer and no polling: one walk over /proc each time the watched ones
 * are gone. 1 when something lives in the set (or /proc cannot tell: then
 * it is kept and looked at again in LINGER_RETRY_MS), 0 when it is empty.
 *
 * Looked at in any of the set's namespaces (procscan.h). A process that
 * forks and exits faster than the walk reads /proc could slip through it;
 * then the set ends early: in a pid set that process dies with the init,
 * otherwise it runs on outside any set. Only a deliberate fork chain does
 * that, and only to its owner's own set. */
#define LINGER_MAX (sizeof(((struct holder *)0)->linger) / sizeof(struct watched *))
#define LINGER_RETRY_MS 5000
static int linger_watch(struct holder *h, struct watchlist *wl)
{
	linger_stop(h, wl);
	unsigned long long ino[NSSET_NS_MAX];
	nsset_nsfs_inodes(h->setfd, ino);
	const pid_t skip[] = { getpid(), h->init };
	pid_t pids[LINGER_MAX];
	struct nsset_err e = { 0 };
	int n = nsset_proc_set_members(ino, skip, 2, pids, LINGER_MAX, &e);
	if (n < 0) {
		nsset_log(h->log, LOG_ERR, "set %s: cannot tell whether processes are left: %s",
			  h->setname, e.msg);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_pidfd_open, pids[i], 0);
		struct watched *w = fd < 0 ? NULL : calloc(1, sizeof(*w));
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
		if (!w || epoll_ctl(wl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			/* Gone already (ESRCH), or no room: the others will
			 * do, or the retry below. */
			if (fd >= 0)
				close(fd);
			free(w);
			continue;
		}
		w->pidfd = fd;
		h->linger[h->nlinger++] = w;
	}
	if (n > 0 && h->nlinger == 0)
		return 1;       /* found some but could watch none: retry later */
	return n > 0;
}

/* After a session went away: if it was the last one and the set lives only
 * for its sessions, destroy it — under the set lock, so that a login that
 * is joining right now either registers first or finds no set. A session
 * whose process died without closing it (sshd's [priv] killed) may have
 * left its user's processes running in the set: then the set lingers until
 * they are gone too, as a keep=processes set always does. */
static void check_end(struct holder *h, struct watchlist *wl, bool force_scan)
{
	if (!ends_with_last_session(h) || (wl->n > 0 && !force_scan))
		return;
	int lockfd = nsset_set_lock(&h->st, &h->id, LOCK_EX, NULL);
	rescan(h, wl);
	if (wl->n == 0) {
		bool keep = h->orphaned || h->m.keep == NSSET_KEEP_PROCESSES;
		if (keep && linger_watch(h, wl)) {
			if (h->nlinger > 0)
				nsset_log(h->log, LOG_DEBUG, "set %s: no session left, %zu process(es) "
					  "watched", h->setname, h->nlinger);
		} else {
			destroy_and_exit(h, wl, !keep ? "its last session ended"
					 : h->m.keep == NSSET_KEEP_PROCESSES
					 ? "its last session and its last process ended"
					 : "its last session and its processes ended", lockfd);
		}
	} else {
		linger_stop(h, wl);
		h->orphaned = false;
	}
	close_fd(&lockfd);
}

/* ---- the set's OOM kills ------------------------------------------------ */

/* The epoll tag of memory.events (sessions are struct watched, the
 * signalfd NULL). */
static char oom_tag;

/* memory.events' oom_kill count, read from the start (a read also re-arms
 * the kernel's change notice); -1 if unreadable. */
static long long read_oom_kills(int fd)
{
	char text[512];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	if (n < 0)
		return -1;
	text[n] = '\0';
	uint64_t kills = 0;
	nsset_cg_key(text, "oom_kill", &kills);
	return (long long)kills;
}

/* A set with a memory limit: the kernel notes each OOM kill in the set's
 * memory.events and wakes a poller (EPOLLPRI) when it changes. */
static void oom_watch_start(struct holder *h, int epfd)
{
	h->oom_fd = -1;
	if (!h->m.cgroup[0] || !(nsset_limits_controllers(&h->m.limits) & NSSET_CG_MEMORY))
		return;
	char mnt[64], path[NSSET_CGPATH_MAX + 96];
	struct nsset_err e = { 0 };
	if (nsset_cg_mount(mnt, sizeof(mnt), &e) < 0)
		return;
	snprintf(path, sizeof(path), "%s%s/memory.events", mnt, h->m.cgroup);
	h->oom_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	long long n = h->oom_fd < 0 ? -1 : read_oom_kills(h->oom_fd);
	struct epoll_event ev = { .events = EPOLLPRI, .data.ptr = &oom_tag };
	if (n < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, h->oom_fd, &ev) < 0) {
		nsset_log(h->log, LOG_WARNING, "set %s: cannot watch its OOM kills (%s): %m",
			  h->setname, path);
		close_fd(&h->oom_fd);
		return;
	}
	h->oom_kills = (unsigned long long)n;
}

/* Logs each OOM kill in the set once, as the count grows. */
static void oom_look(struct holder *h)
{
	long long n = read_oom_kills(h->oom_fd);
	if (n < 0 || (unsigned long long)n <= h->oom_kills)
		return;
	unsigned long long more = (unsigned long long)n - h->oom_kills;
	h->oom_kills = (unsigned long long)n;
	nsset_log(h->log, LOG_WARNING, "set %s: the kernel killed %llu process%s of the set for "
		  "running out of its memory (memory.max=%s; %llu OOM kill%s in the set so far)",
		  h->setname, more, more == 1 ? "" : "es",
		  h->m.limits.memory_max[0] ? h->m.limits.memory_max : "none", h->oom_kills,
		  h->oom_kills == 1 ? "" : "s");
}

static void watch(struct holder *h)
{
	struct watchlist wl = { .epfd = -1 };
	/* From here on nothing a holder does is waited for by a login, but
	 * each login wakes it: as a batch task it does not preempt the login
	 * that woke it, and runs on an idle CPU or right after (a login's
	 * open_session took ~15 us less, median). */
	struct sched_param batch = { 0 };
	sched_setscheduler(0, SCHED_BATCH, &batch);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	/* From pam_nsset/nsset-enter (root, through a pidfd checked against
	 * our start time): NSSET_SESSION_SIGNAL names one session that came
	 * or went; SIGUSR1 asks for a look at all of sessions/. Not inotify:
	 * its instances are limited per user (fs.inotify.max_user_instances,
	 * 128 by default), which would cap a machine at some 120 sets. */
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, NSSET_SESSION_SIGNAL);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	wl.epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event sev = { .events = EPOLLIN, .data.ptr = NULL };
	if (sfd < 0 || wl.epfd < 0 || epoll_ctl(wl.epfd, EPOLL_CTL_ADD, sfd, &sev) < 0) {
		nsset_log(h->log, LOG_ERR, "set %s: cannot watch its sessions: %m", h->setname);
		destroy_and_exit(h, &wl, "its holder could not watch it", -1);
	}

	oom_watch_start(h, wl.epfd);

	/* The creator holds the set lock until its session is registered:
	 * this first check waits for that. */
	check_end(h, &wl, true);
	rescan(h, &wl);

	for (;;) {
		struct epoll_event ev[64];
		/* No timeout: a lingering set waits on its processes' pidfds,
		 * except when it could watch none of them. */
		bool blind = wl.n == 0 && h->nlinger == 0 && ends_with_last_session(h);
		int ready = epoll_wait(wl.epfd, ev, 64, blind ? LINGER_RETRY_MS : -1);
		if (ready == 0) {
			check_end(h, &wl, true);
			continue;
		}
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			nsset_log(h->log, LOG_ERR, "set %s: epoll_wait: %m", h->setname);
			sleep(1);
			continue;
		}
		bool changed = false, rescan_all = false, linger_over = false;
		/* Exited sessions first (their entries may be dropped below). */
		for (int i = 0; i < ready; i++) {
			struct watched *w = ev[i].data.ptr;
			if ((void *)w == &oom_tag)
				oom_look(h);
			if (!w || (void *)w == &oom_tag)
				continue;
			if (!w->name[0]) {      /* a lingering set's process */
				linger_drop(h, &wl, w);
				linger_over |= h->nlinger == 0;
				continue;
			}
			int sdir = nsset_sessions_open(h->setfd);
			/* Still registered: it died without closing its session. */
			if (sdir >= 0 && unlinkat(sdir, w->name, 0) == 0)
				h->orphaned = true;
			close_fd(&sdir);
			watch_drop(&wl, w);
			changed = true;
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == (uint32_t)NSSET_SESSION_SIGNAL && si.ssi_code == SI_QUEUE) {
				look_at(h, &wl, (pid_t)si.ssi_pid, si.ssi_ptr);
				changed = true;
			} else if (si.ssi_signo == SIGUSR1 || si.ssi_signo == (uint32_t)NSSET_SESSION_SIGNAL) {
				rescan_all = true;
			} else if (si.ssi_signo == SIGCHLD) {
				if (h->init > 0 && waitpid(h->init, NULL, WNOHANG) == h->init) {
					h->init = 0;
					destroy_and_exit(h, &wl, "its init process died", -1);
				}
			} else {
				/* A set outlives whoever started its holder: a
				 * stray TERM (a session scope being stopped, say)
				 * must not end the work of everyone in it.
				 * nssetctl destroys sets itself. */
				nsset_log(h->log, LOG_NOTICE, "set %s: ignoring signal %u", h->setname,
					  si.ssi_signo);
			}
		}
		if (rescan_all) {
			rescan(h, &wl);
			changed = true;
		}
		if (changed)
			check_end(h, &wl, false);
		else if (linger_over)
			check_end(h, &wl, true);
	}
}

/* ---- main --------------------------------------------------------------- */

static int parse_request(struct holder *h, const char *store_path, const char *meta_text,
			 struct nsset_err *e)
{
	if (nsset_meta_parse(meta_text, &h->m) < 0)
		return nsset_fail(e, 0, "malformed set description");
	char name[64];
	snprintf(name, sizeof(name), "%s/%s", nsset_scope_name(h->m.scope), h->m.id);
	if (h->m.scope == NSSET_SCOPE_NONE || nsset_setid_parse(name, &h->id) < 0)
		return nsset_fail(e, 0, "invalid set name '%s'", name);
	/* Each field's own check (record.c): what a login may ask for. */
	const char *why = nsset_rec_check(&h->m);
	if (why)
		return nsset_fail(e, 0, "%s", why);
	snprintf(h->setname, sizeof(h->setname), "%s", name);
	if (nsset_store_open(store_path, false, &h->st, e) < 0)
		return -1;
	return 0;
}

int nsset_holder_main(const char *store_path, const char *meta_text, int status_fd,
		      const struct nsset_log *log, const struct nsset_err *unclean)
{
	struct holder h = { .setfd = -1, .template_fd = -1, .host_mnt_fd = -1, .go_fd = -1,
			    .lock_fd = -1, .oom_fd = -1, .log = log };
	h.st.fd = -1;
	struct nsset_err e = { 0 };
	char line[NSSET_ERR_MAX + 16];

	signal(SIGPIPE, SIG_IGN);
	/* Blocked at once: a login may send them as soon as the set is in
	 * place; watch() takes them through a signalfd. */
	sigset_t notices;
	sigemptyset(&notices);
	sigaddset(&notices, SIGUSR1);
	sigaddset(&notices, NSSET_SESSION_SIGNAL);
	sigprocmask(SIG_BLOCK, &notices, NULL);
	/* Who we are, as a recorded process (procref.h): the starter may
	 * have to stop us, and we are not its child. */
	struct nsset_proc self = { 0 };
	nsset_proc_record(getpid(), &self);
	snprintf(line, sizeof(line), "pid %d %llu %llu\n", (int)getpid(), self.start, self.ino);
	write_full(status_fd, line, strlen(line));

	if (unclean) {
		e = *unclean;
		nsset_err_prefix(&e, "the holder's clean room: ");
		goto fail;
	}
	if (parse_request(&h, store_path, meta_text, &e) < 0)
		goto fail;
	nsset_proctitle_set("nsset-holder", h.setname);
	h.host_mnt_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (h.host_mnt_fd < 0) {
		nsset_fail(&e, errno, "/proc/self/ns/mnt");
		goto fail;
	}
	if (build_set(&h, &e) < 0) {
		undo_build(&h);
		goto fail;
	}
	close_fd(&h.template_fd);
	close_fd(&h.host_mnt_fd);
	/* The verdict first: the login waits for it, not for syslog. */
	write_full(status_fd, "ok\n", 3);
	close(status_fd);
	nsset_log(log, LOG_INFO, "set %s created (%s) for %s", h.setname,
		  nsset_nsflags_format(h.m.ns_flags, line, sizeof(line)), h.m.created_by);
	watch(&h);
	return 0;

fail:
	nsset_log(log, LOG_ERR, "set %s: creation failed: %s", h.setname[0] ? h.setname : "?", e.msg);
	snprintf(line, sizeof(line), "error: %s\n", e.msg);
	write_full(status_fd, line, strlen(line));
	close(status_fd);
	return 1;
}
