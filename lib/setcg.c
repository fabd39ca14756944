/* A set's own cgroup; see setcg.h. */
#include "setcg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* In bit order of NSSET_CG_*: the kernel's names of the controllers. */
static const char *const controller_names[] = { "memory", "pids", "cpu", "io" };
#define NCONTROLLERS (sizeof(controller_names) / sizeof(controller_names[0]))

/* The weight a cgroup has when nobody set one (cgroup-v2.rst). */
#define WEIGHT_DEFAULT 100
/* cpu.max's period: systemd's CPUQuotaPeriodSec= default. */
#define CPU_PERIOD_USEC 100000

unsigned nsset_limits_controllers(const struct nsset_limits *l)
{
	unsigned need = 0;
	if (l->memory_max[0] || l->memory_high[0])
		need |= NSSET_CG_MEMORY;
	if (l->pids_max)
		need |= NSSET_CG_PIDS;
	if (l->cpu_quota || l->cpu_weight)
		need |= NSSET_CG_CPU;
	if (l->io_weight)
		need |= NSSET_CG_IO;
	return need;
}

bool nsset_limits_equal(const struct nsset_limits *a, const struct nsset_limits *b)
{
	return strcmp(a->memory_max, b->memory_max) == 0 &&
	       strcmp(a->memory_high, b->memory_high) == 0 && a->pids_max == b->pids_max &&
	       a->cpu_quota == b->cpu_quota && a->cpu_weight == b->cpu_weight &&
	       a->io_weight == b->io_weight;
}

const char *nsset_limits_format(const struct nsset_limits *l, char *buf, size_t size)
{
	char pids[24] = "", quota[24] = "", cw[24] = "", iw[24] = "";
	if (l->pids_max)
		snprintf(pids, sizeof(pids), " pids.max=%u", l->pids_max);
	if (l->cpu_quota)
		snprintf(quota, sizeof(quota), " cpu.quota=%u%%", l->cpu_quota);
	if (l->cpu_weight)
		snprintf(cw, sizeof(cw), " cpu.weight=%u", l->cpu_weight);
	if (l->io_weight)
		snprintf(iw, sizeof(iw), " io.weight=%u", l->io_weight);
	snprintf(buf, size, "%s%s%s%s%s%s%s%s", l->memory_max[0] ? " memory.max=" : "",
		 l->memory_max, l->memory_high[0] ? " memory.high=" : "", l->memory_high, pids,
		 quota, cw, iw);
	if (!buf[0])
		snprintf(buf, size, " none");
	memmove(buf, buf + 1, strlen(buf));     /* the leading blank */
	return buf;
}

const char *nsset_cg_names(unsigned mask, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < NCONTROLLERS; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", controller_names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

int nsset_cg_mount(char *buf, size_t size, struct nsset_err *e)
{
	/* The unified mount of a cgroup v2 host, then a hybrid host's. */
	static const char *const places[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		struct statfs sf;
		if (statfs(places[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(buf, size, "%s", places[i]);
			return 0;
		}
	}
	return nsset_fail(e, ENOENT, "no cgroup v2 mount (neither /sys/fs/cgroup nor "
			  "/sys/fs/cgroup/unified is cgroup2)");
}

/* The controllers listed in the file at dirfd/name ("cgroup.controllers",
 * "cgroup.subtree_control"), as bits; -1 if it cannot be read. */
static int read_controllers(int dirfd, const char *name, char *text, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, size - 1);
	if (n < 0)
		return -1;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	unsigned have = 0;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", text);
	char *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (size_t i = 0; i < NCONTROLLERS; i++)
			if (strcmp(w, controller_names[i]) == 0)
				have |= 1u << i;
	return (int)have;
}

int nsset_cg_check(unsigned need, struct nsset_err *e)
{
	char mnt[64], text[512], names[64];
	if (need == 0)
		return 0;
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0) {
		nsset_cg_names(need, names, sizeof(names));
		return nsset_fail_as(e, ENOENT, "the limits need the %s controller(s) of cgroup v2, "
				  "and cgroup v2 is not mounted", names);
	}
	_cleanup_close_ int dfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int have = dfd < 0 ? -1 : read_controllers(dfd, "cgroup.controllers", text, sizeof(text));
	if (have < 0)
		return nsset_fail(e, errno, "%s/cgroup.controllers", mnt);
	unsigned missing = need & ~(unsigned)have;
	if (missing == 0)
		return 0;
	nsset_cg_names(missing, names, sizeof(names));
	return nsset_fail_as(e, EOPNOTSUPP, "cgroup v2 (%s) lacks the %s controller(s) the limits "
			  "need (it has: %s); they are bound to cgroup v1 hierarchies, or disabled",
			  mnt, names, text[0] ? text : "none");
}

/* Writes `text` into the file dirfd/name: the cgroup interface takes one
 * write per value. */
static int write_at(int dirfd, const char *name, const char *text, struct nsset_err *e,
		    const char *where)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/%s", where, name);
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	if (n < 0 || (size_t)n != len)
		return nsset_fail(e, n < 0 ? errno : EIO, "%s/%s: writing '%s'", where, name, text);
	return 0;
}

int nsset_cg_open(const char *mnt, const char *path, struct nsset_err *e)
{
	int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsset_fail(e, errno, "%s", mnt);
	char copy[NSSET_CGPATH_MAX + NSSET_CGROOT_MAX];
	snprintf(copy, sizeof(copy), "%s", path);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			close(fd);
			return nsset_fail(e, EINVAL, "cgroup path %s: '%s' in it", path, c);
		}
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return nsset_fail(e, errno, "cgroup %s%s", mnt, path);
		fd = next;
	}
	return fd;
}

/* Enables the controllers `need` in dirfd's subtree_control where they are
 * not yet. */
static int enable_below(int dirfd, unsigned need, const char *where, struct nsset_err *e)
{
	char text[512];
	int on = read_controllers(dirfd, "cgroup.subtree_control", text, sizeof(text));
	if (on < 0)
		return nsset_fail(e, errno, "%s/cgroup.subtree_control", where);
	for (size_t i = 0; i < NCONTROLLERS; i++) {
		if (!(need & (1u << i)) || (on & (1 << i)))
			continue;
		char word[16];
		snprintf(word, sizeof(word), "+%s", controller_names[i]);
		if (write_at(dirfd, "cgroup.subtree_control", word, e, where) < 0)
			return -1;
	}
	return 0;
}

/* A cgroup whose name is a systemd unit's (the set's scope): systemd made
 * it and delegated only what is below it. */
static bool is_unit_cgroup(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	return n > 6 && strcmp(base + n - 6, ".scope") == 0;
}

/* Enables `need` from the mount down to the parent of the set's cgroup
 * (`parent` below the mount). Below a systemd unit only its own cgroup
 * is ours: the slices above got the controllers from systemd (Delegate=),
 * and one missing there is an error, not something to write into
 * systemd's tree. */
static int enable_path(const char *mnt, const char *parent, unsigned need, struct nsset_err *e)
{
	char sub[NSSET_CGPATH_MAX + NSSET_CGROOT_MAX], where[sizeof(sub) + 64];
	bool unit = is_unit_cgroup(parent);
	size_t len = strlen(parent);
	for (size_t end = 0; end <= len; end++) {
		if (end != len && parent[end] != '/')
			continue;
		snprintf(sub, sizeof(sub), "%.*s", (int)end, parent);
		snprintf(where, sizeof(where), "%s%s", mnt, sub);
		_cleanup_close_ int fd = nsset_cg_open(mnt, sub, e);
		if (fd < 0)
			return -1;
		if (unit && end != len) {
			char text[512];
			int on = read_controllers(fd, "cgroup.subtree_control", text, sizeof(text));
			if (on >= 0 && (need & ~(unsigned)on))
				return nsset_fail(e, EOPNOTSUPP, "%s does not pass on the controllers "
						  "the limits need (it enables: %s)", where, text);
			continue;
		}
		if (enable_below(fd, need, where, e) < 0)
			return -1;
	}
	return 0;
}

static void limit_text(uint64_t v, char *buf, size_t size)
{
	if (v == 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

/* One limit file: written when the rule sets it (`set`), and reset to
 * `text` (the kernel's "no limit") when it does not but the file is there
 * (a policy edit dropped the limit). A file the kernel lacks for a limit
 * the rule sets (cpu.max without CFS bandwidth control, io.weight without
 * an I/O scheduler that weighs) is an error that names it. */
static int write_limit(int fd, const char *file, bool set, const char *text, const char *where,
		       struct nsset_err *e)
{
	if (!set && faccessat(fd, file, F_OK, 0) < 0)
		return 0;
	return write_at(fd, file, text, e, where);
}

/* Writes the limits into the open set cgroup. memory.high goes first, so
 * that high <= max holds at every step of a change. */
static int write_limits(int fd, const struct nsset_limits *l, const char *where,
			struct nsset_err *e)
{
	char v[64];
	limit_text(nsset_cg_bytes(l->memory_high), v, sizeof(v));
	if (write_limit(fd, "memory.high", l->memory_high[0], v, where, e) < 0)
		return -1;
	limit_text(nsset_cg_bytes(l->memory_max), v, sizeof(v));
	if (write_limit(fd, "memory.max", l->memory_max[0], v, where, e) < 0)
		return -1;
	limit_text(l->pids_max, v, sizeof(v));
	if (write_limit(fd, "pids.max", l->pids_max, v, where, e) < 0)
		return -1;
	if (l->cpu_quota)
		snprintf(v, sizeof(v), "%llu %u",
			 (unsigned long long)l->cpu_quota * CPU_PERIOD_USEC / 100, CPU_PERIOD_USEC);
	else
		snprintf(v, sizeof(v), "max %u", CPU_PERIOD_USEC);
	if (write_limit(fd, "cpu.max", l->cpu_quota, v, where, e) < 0)
		return -1;
	snprintf(v, sizeof(v), "%u", l->cpu_weight ? l->cpu_weight : WEIGHT_DEFAULT);
	if (write_limit(fd, "cpu.weight", l->cpu_weight, v, where, e) < 0)
		return -1;
	snprintf(v, sizeof(v), "default %u", l->io_weight ? l->io_weight : WEIGHT_DEFAULT);
	return write_limit(fd, "io.weight", l->io_weight, v, where, e);
}

/* Splits the set's cgroup path into its parent ("" for the mount's root). */
static void parent_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	snprintf(buf, size, "%.*s", slash ? (int)(slash - path) : 0, path);
}

int nsset_cg_apply(const char *path, const struct nsset_limits *l, struct nsset_err *e)
{
	char mnt[64], parent[NSSET_CGPATH_MAX], where[NSSET_CGPATH_MAX + 64];
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	snprintf(where, sizeof(where), "%s%s", mnt, path);
	/* A limit the set did not have may need a controller not yet
	 * enabled for it (the set holds processes: only its parent, ours,
	 * can take it; the set's cgroup itself enables nothing below). */
	parent_of(path, parent, sizeof(parent));
	if (enable_path(mnt, parent, nsset_limits_controllers(l), e) < 0)
		return -1;
	_cleanup_close_ int fd = nsset_cg_open(mnt, path, e);
	if (fd < 0)
		return -1;
	return write_limits(fd, l, where, e);
}

/* The cgroup this process is in, below the mount ("/user.slice/..."). */
static int own_cgroup(char *buf, size_t size)
{
	char text[NSSET_CGPATH_MAX + 16];
	_cleanup_close_ int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* The v2 line is "0::/path"; on a hybrid host it comes last. */
	char *line = strstr(text, "0::");
	while (line && line != text && line[-1] != '\n')
		line = strstr(line + 1, "0::");
	if (!line)
		return -1;
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	snprintf(buf, size, "%s", strcmp(line, "/") == 0 ? "" : line);
	return 0;
}

int nsset_cg_join(const char *path, pid_t pid, struct nsset_err *e)
{
	char mnt[64], where[NSSET_CGPATH_MAX + 64], text[24];
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	snprintf(where, sizeof(where), "%s%s", mnt, path);
	_cleanup_close_ int fd = nsset_cg_open(mnt, path, e);
	if (fd < 0)
		return -1;
	/* "0" is the writer itself. */
	snprintf(text, sizeof(text), "%d", (int)pid);
	return write_at(fd, "cgroup.procs", text, e, where);
}

int nsset_cg_make(const char *parent_abs, const char *leaf, const struct nsset_limits *l,
		  char *path, size_t size, struct nsset_err *e)
{
	char mnt[64], parent[NSSET_CGROOT_MAX + NSSET_CGPATH_MAX], back[NSSET_CGPATH_MAX];
	unsigned need = nsset_limits_controllers(l);
	if (nsset_cg_check(need, e) < 0 || nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	size_t ml = strlen(mnt);
	if (strncmp(parent_abs, mnt, ml) != 0 || (parent_abs[ml] != '/' && parent_abs[ml] != '\0'))
		return nsset_fail(e, EINVAL, "%s is not in the cgroup v2 mount %s", parent_abs, mnt);
	snprintf(parent, sizeof(parent), "%s", parent_abs + ml);
	if (snprintf(path, size, "%s/%s", parent, leaf) >= (int)size)
		return nsset_fail(e, ENAMETOOLONG, "cgroup path %s/%s", parent_abs, leaf);
	if (own_cgroup(back, sizeof(back)) < 0)
		return nsset_fail(e, errno ? errno : EIO, "/proc/self/cgroup");

	/* cgroup.root and the directories to it, made on first use (a
	 * systemd scope's cgroup exists: systemd made it). */
	int pfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return nsset_fail(e, errno, "%s", mnt);
	char copy[sizeof(parent)];
	snprintf(copy, sizeof(copy), "%s", parent);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (mkdirat(pfd, c, 0755) < 0 && errno != EEXIST) {
			nsset_fail(e, errno, "making cgroup %s", parent_abs);
			close(pfd);
			return -1;
		}
		int next = openat(pfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(pfd);
		if (next < 0)
			return nsset_fail(e, errno, "%s", parent_abs);
		pfd = next;
	}
	_cleanup_close_ int parent_fd = pfd;
	/* A set's cgroup left from its previous life (processes of a set
	 * without a pid namespace may still be in it) is taken over. */
	bool made = mkdirat(parent_fd, leaf, 0755) == 0;
	if (!made && errno != EEXIST)
		return nsset_fail(e, errno, "making cgroup %s/%s", parent_abs, leaf);
	char where[sizeof(parent) + 64];
	snprintf(where, sizeof(where), "%s/%s", parent_abs, leaf);
	/* In first: the parent may hold us (the scope), and a cgroup that
	 * holds processes cannot pass controllers on. */
	if (nsset_cg_join(path, 0, e) < 0 || enable_path(mnt, parent, need, e) < 0)
		goto undo;
	_cleanup_close_ int fd = openat(parent_fd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		nsset_fail(e, errno, "%s", where);
		goto undo;
	}
	if (write_limits(fd, l, where, e) < 0)
		goto undo;
	return 0;
undo:
	/* Back where we came from, and the cgroup made here removed. */
	{
		struct nsset_err ue = { 0 };
		nsset_cg_join(back, 0, &ue);
		if (made)
			unlinkat(parent_fd, leaf, AT_REMOVEDIR);
	}
	return -1;
}

/* Waits up to wait_ms for the cgroup at dirfd to hold no process: a
 * process just killed leaves it only once it has exited. cgroup.events
 * says "populated 0" then, and wakes a poller when it changes. */
static void wait_unpopulated(int dirfd, int wait_ms)
{
	_cleanup_close_ int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char text[256];
		ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
		if (n < 0)
			return;
		text[n] = '\0';
		if (strstr(text, "populated 0"))
			return;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = wait_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return;
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return;
	}
}

int nsset_cg_remove(const char *path, int wait_ms, struct nsset_err *e)
{
	char mnt[64], parent[NSSET_CGPATH_MAX];
	if (!path[0])
		return 0;
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	parent_of(path, parent, sizeof(parent));
	_cleanup_close_ int pfd = nsset_cg_open(mnt, parent, e);
	if (pfd < 0)
		return errno == ENOENT ? 0 : -1;
	const char *leaf = path + strlen(parent) + 1;
	if (wait_ms > 0) {
		_cleanup_close_ int fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			wait_unpopulated(fd, wait_ms);
	}
	if (unlinkat(pfd, leaf, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return nsset_fail(e, errno, "removing cgroup %s%s", mnt, path);
	return 0;
}

uint64_t nsset_cg_bytes(const char *size)
{
	struct nsset_size s;
	if (!size[0] || nsset_size_parse(size, true, &s) < 0)
		return 0;
	if (s.bytes)
		return s.bytes;
	/* A share of RAM, in whole pages, at least one. */
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return 0;
	/* totalram counts mem_unit bytes; their product may not fit (a 32-bit
	 * kernel's pages): no more than the largest size a policy gives. */
	uint64_t ram;
	if (__builtin_mul_overflow((uint64_t)si.totalram, (uint64_t)si.mem_unit, &ram) ||
	    ram > (uint64_t)NSSET_SIZE_MAX)
		ram = NSSET_SIZE_MAX;
	/* ram * percent / 100 without overflow, and exact: 50% of 8 GiB is
	 * 4 GiB, not a little less. */
	uint64_t b = ram / 100 * s.percent + ram % 100 * s.percent / 100;
	b = b / 4096 * 4096;
	return b ? b : 4096;
}
