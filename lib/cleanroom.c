/* The clean room of nsset's root processes; see cleanroom.h. */
#include "cleanroom.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostns.h"
#include "store.h"
#include "util.h"

/* struct sched_attr (SCHED_ATTR_SIZE_VER1) as the kernel takes it; the uapi
 * header cannot be included beside <sched.h> (both define sched_param). */
struct cr_sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
#ifndef SCHED_FLAG_UTIL_CLAMP_MIN
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
#ifndef PR_SCHED_CORE
#define PR_SCHED_CORE 62
#define PR_SCHED_CORE_SHARE_FROM 3
#endif
#ifndef MPOL_DEFAULT
#define MPOL_DEFAULT 0
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define TIMER_SLACK_NS 50000    /* the kernel's default for a normal task */

#define MiB ((rlim_t)1 << 20)
#define INF RLIM_INFINITY

/* Every resource limit: the value a holder gets (soft and hard as the
 * kernel gives PID 1, but for NOFILE: one pidfd per session, and CORE:
 * a root process holding the store's fds never dumps), and the floor
 * below which it refuses to run when a starter's lower hard limit cannot
 * be raised (root without CAP_SYS_RESOURCE, as in some containers). A
 * floor of 0 means any value leaves the holder able to do its work. */
static const struct limit {
	int res;
	const char *name;
	rlim_t cur, max, floor;
} limits[] = {
	{ RLIMIT_CPU,        "RLIMIT_CPU",        INF,      INF,      INF },
	{ RLIMIT_FSIZE,      "RLIMIT_FSIZE",      INF,      INF,      MiB },
	{ RLIMIT_DATA,       "RLIMIT_DATA",       INF,      INF,      256 * MiB },
	{ RLIMIT_STACK,      "RLIMIT_STACK",      8 * MiB,  INF,      8 * MiB },
	{ RLIMIT_CORE,       "RLIMIT_CORE",       0,        0,        0 },
	{ RLIMIT_RSS,        "RLIMIT_RSS",        INF,      INF,      0 },
	{ RLIMIT_NPROC,      "RLIMIT_NPROC",      INF,      INF,      0 },   /* not enforced for root */
	{ RLIMIT_NOFILE,     "RLIMIT_NOFILE",     65536,    65536,    1024 },
	{ RLIMIT_MEMLOCK,    "RLIMIT_MEMLOCK",    8 * MiB,  8 * MiB,  0 },
	{ RLIMIT_AS,         "RLIMIT_AS",         INF,      INF,      256 * MiB },
	{ RLIMIT_LOCKS,      "RLIMIT_LOCKS",      INF,      INF,      0 },
	{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", 65536,    65536,    1024 },
	{ RLIMIT_MSGQUEUE,   "RLIMIT_MSGQUEUE",   819200,   819200,   0 },
	{ RLIMIT_NICE,       "RLIMIT_NICE",       0,        0,        0 },
	{ RLIMIT_RTPRIO,     "RLIMIT_RTPRIO",     0,        0,        0 },
	{ RLIMIT_RTTIME,     "RLIMIT_RTTIME",     INF,      INF,      0 },
};
_Static_assert(sizeof(limits) / sizeof(limits[0]) == RLIM_NLIMITS,
	       "every resource limit of the kernel has a row");

static bool below(rlim_t a, rlim_t b)
{
	return a != INF && (b == INF || a < b);
}

static int reset_limits(struct nsset_err *e)
{
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const struct limit *l = &limits[i];
		struct rlimit want = { l->cur, l->max }, now;
		if (setrlimit(l->res, &want) == 0)
			continue;
		/* Raising a hard limit needs CAP_SYS_RESOURCE: go as far as
		 * the starter's hard limit allows, then judge. */
		if (getrlimit(l->res, &now) < 0)
			return nsset_fail(e, errno, "getrlimit %s", l->name);
		if (below(now.rlim_max, l->floor))
			return nsset_fail(e, 0, "the starter's hard %s (%llu) is too low for a set's "
					  "holder (needs %llu) and cannot be raised here", l->name,
					  (unsigned long long)now.rlim_max, (unsigned long long)l->floor);
		want.rlim_max = below(now.rlim_max, l->max) ? now.rlim_max : l->max;
		want.rlim_cur = below(want.rlim_max, l->cur) ? want.rlim_max : l->cur;
		if (setrlimit(l->res, &want) < 0)
			return nsset_fail(e, errno, "setrlimit %s", l->name);
	}
	return 0;
}

int nsset_sched_reset(struct nsset_err *e)
{
	/* SCHED_OTHER at nice 0, no reset-on-fork, and the utilisation
	 * clamps back to the defaults (-1 = "reset"; kernels without uclamp
	 * refuse the flags: then without them). */
	struct cr_sched_attr a = { .size = sizeof(a), .policy = SCHED_OTHER, .nice = 0,
				   .flags = SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX,
				   .util_min = (uint32_t)-1, .util_max = (uint32_t)-1 };
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) {
		a.flags = 0;
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return nsset_fail(e, errno, "sched_setattr(SCHED_OTHER, nice 0)");
	}
	if (setpriority(PRIO_PROCESS, 0, 0) < 0)
		return nsset_fail(e, errno, "setpriority");
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0)) < 0)
		return nsset_fail(e, errno, "ioprio_set");
	return 0;
}

void nsset_cleanroom_all_cpus(void)
{
	/* Every CPU the machine has; a cpuset (cgroup) may narrow it. Set
	 * only when narrower: setting it costs a migration. */
	cpu_set_t all, cur;
	CPU_ZERO(&all);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	for (long i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	if (sched_getaffinity(0, sizeof(cur), &cur) < 0 || !CPU_EQUAL(&cur, &all))
		sched_setaffinity(0, sizeof(all), &all);
}

static int reset_scheduling(struct nsset_err *e)
{
	if (nsset_sched_reset(e) < 0)
		return -1;
	nsset_cleanroom_all_cpus();
	if (syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0UL) < 0 && errno != ENOSYS)
		return nsset_fail(e, errno, "set_mempolicy(MPOL_DEFAULT)");
	/* 0 would mean "the default", which a task inherits from its parent. */
	if (prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS, 0, 0, 0) < 0)
		return nsset_fail(e, errno, "PR_SET_TIMERSLACK");
	return 0;
}

static int reset_credentials(struct nsset_err *e)
{
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return nsset_fail(e, errno, "becoming root:root without groups");
	/* Securebits (noroot, keep-caps...) change what root means across
	 * exec; a starter may only have set them with CAP_SETPCAP, and a
	 * locked bit cannot be cleared: then refuse. */
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (bits != 0 && (bits < 0 || prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0))
		return nsset_fail(e, errno, "the starter's securebits (%#x) cannot be cleared", bits);
	/* Ambient and inheritable capabilities would pass into the hooks we
	 * exec; the permitted and effective sets stay full. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nsset_fail(e, errno, "clearing ambient capabilities");
	capng_get_caps_process();
	for (unsigned c = 0; c <= CAP_LAST_CAP; c++)
		capng_update(CAPNG_DROP, CAPNG_INHERITABLE, c);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return nsset_fail(e, 0, "setting the holder's capabilities (was the starter's "
				  "bounding set lowered?)");
	return 0;
}

static int reset_misc(struct nsset_err *e)
{
	/* A seccomp filter can be neither seen through nor removed; a
	 * process that serves other users' sets must not run under one that
	 * its starter chose (for nsset-enter the kernel already refuses: a
	 * filter needs no_new_privs, which stops setuid). */
	char status[4096];
	_cleanup_close_ int sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = sfd < 0 ? -1 : read_full(sfd, status, sizeof(status) - 1);
	close_fd(&sfd);
	if (n <= 0)
		return nsset_fail(e, errno, "/proc/self/status");
	status[n] = '\0';
	const char *sc = strstr(status, "\nSeccomp:");
	if (sc && strtol(sc + 9, NULL, 10) != 0)
		return nsset_fail(e, 0, "the starter runs under a seccomp filter, which a set's "
				  "holder must not inherit");
	if (personality(PER_LINUX) < 0)
		return nsset_fail(e, errno, "personality(PER_LINUX)");
	/* The kernel keeps these across exec: a starter could have made the
	 * TSC fault (PR_TSC_SIGSEGV) or switched THP off for us. */
	if (prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0) < 0 && errno != EINVAL)
		return nsset_fail(e, errno, "PR_SET_TSC");
	if (prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0) < 0 && errno != EINVAL)
		return nsset_fail(e, errno, "PR_SET_THP_DISABLE");
	/* The starter could raise it (not lower it): the OOM killer would
	 * pick the holder of everyone's set first. */
	_cleanup_close_ int ofd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (ofd < 0 || write_full(ofd, "0", 1) < 0)
		return nsset_fail(e, errno, "setting oom_score_adj to 0");
	close_fd(&ofd);
	/* Nobody may ptrace a root process that holds fds of the store
	 * (CVE-2016-8659). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	return 0;
}

int nsset_cleanroom_enter(const char *store_path, struct nsset_err *e)
{
	if (reset_misc(e) < 0 || reset_credentials(e) < 0 || reset_limits(e) < 0 ||
	    reset_scheduling(e) < 0)
		return -1;
	/* The store is opened where the starter sits; from inside a set's
	 * mount namespace it cannot be (the store is covered there). */
	struct nsset_store st;
	if (nsset_store_open(store_path, false, &st, e) < 0)
		return -1;
	int rc = nsset_hostns_enter(st.fd, e);
	nsset_store_close(&st);
	if (rc == 0 && chdir("/") < 0)
		rc = nsset_fail(e, errno, "chdir /");
	return rc;
}

/* What the resets above promise, read back. */
static int check_resets(struct nsset_err *e)
{
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit now;
		if (getrlimit(limits[i].res, &now) < 0 || below(now.rlim_cur, limits[i].floor) ||
		    (now.rlim_cur != limits[i].cur && !below(now.rlim_max, limits[i].cur)))
			return nsset_fail(e, 0, "%s did not take its value", limits[i].name);
	}
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (sched_getscheduler(0) != SCHED_OTHER || nice != 0 || errno != 0)
		return nsset_fail(e, 0, "scheduling policy or nice value did not take");
	long io = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	if (io < 0 || IOPRIO_PRIO_CLASS(io) == IOPRIO_CLASS_IDLE || IOPRIO_PRIO_CLASS(io) == IOPRIO_CLASS_RT)
		return nsset_fail(e, 0, "I/O priority did not take");
	if (prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != TIMER_SLACK_NS)
		return nsset_fail(e, 0, "timer slack did not take");
	return 0;
}

int nsset_cleanroom_settle(const char *store_path, struct nsset_err *e)
{
	struct nsset_store st;
	if (nsset_store_open(store_path, false, &st, e) < 0)
		return -1;
	int rc = nsset_hostns_verify(st.fd, e);
	nsset_store_close(&st);
	if (rc < 0)
		return -1;
	/* A session keyring of our own: the starter's (a user's, through
	 * su or nsset-enter) must not be the one a root process holds. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		return nsset_fail(e, errno, "joining a new session keyring");
	/* Core scheduling: take PID 1's cookie (none, normally) rather than
	 * one the starter chose. Kernels without it say EINVAL. */
	if (prctl(PR_SCHED_CORE, PR_SCHED_CORE_SHARE_FROM, 1, 0, 0) < 0 && errno != EINVAL &&
	    errno != ENODEV)
		return nsset_fail(e, errno, "PR_SCHED_CORE_SHARE_FROM PID 1");
	return check_resets(e);
}

int nsset_sched_save(struct nsset_sched_saved *s, struct nsset_err *e)
{
	_Static_assert(sizeof(struct cr_sched_attr) <= sizeof(s->attr), "room for sched_attr");
	memset(s, 0, sizeof(*s));
	struct cr_sched_attr a;
	if (syscall(SYS_sched_getattr, 0, &a, (unsigned)sizeof(a), 0U) < 0)
		return nsset_fail(e, errno, "sched_getattr");
	s->ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	if (s->ioprio < 0)
		return nsset_fail(e, errno, "ioprio_get");
	memcpy(s->attr, &a, sizeof(a));
	s->saved = true;
	return 0;
}

int nsset_sched_restore(const struct nsset_sched_saved *s, struct nsset_err *e)
{
	if (!s->saved)
		return 0;
	struct cr_sched_attr a;
	memcpy(&a, s->attr, sizeof(a));
	a.size = sizeof(a);
	/* The clamps as they were; without uclamp support, without them. */
	a.flags |= SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX;
	if (syscall(SYS_sched_setattr, 0, &a, 0U) < 0) {
		a.flags &= ~(uint64_t)(SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX);
		if (syscall(SYS_sched_setattr, 0, &a, 0U) < 0)
			return nsset_fail(e, errno, "restoring the caller's scheduling");
	}
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)s->ioprio) < 0)
		return nsset_fail(e, errno, "restoring the caller's I/O priority");
	return 0;
}
