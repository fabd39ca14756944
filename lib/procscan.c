/* Looking at the processes in /proc; see procscan.h. */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int nsset_proc_each(nsset_proc_fn fn, void *ctx, struct nsset_err *e)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	if (!d)
		return nsset_fail(e, errno, "/proc");
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		unsigned long pid;
		if (!is_all_digits(de->d_name) || parse_ulong(de->d_name, 0x3fffffff, &pid) < 0)
			continue;
		int r = fn(dirfd(d), (pid_t)pid, de->d_name, ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

unsigned long long nsset_proc_ino_at(int procfd, const char *name, const char *rel)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "%.16s/%.40s", name, rel);
	return fstatat(procfd, path, &st, 0) == 0 ? (unsigned long long)st.st_ino : 0;
}

struct table_walk {
	int flags;
	struct nsset_proc_table *t;
};

bool nsset_proc_ns_read(int procfd, pid_t pid, const char *name, int flags, struct nsset_proc_ns *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	bool any = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!(flags & nsset_nstypes[i].flag))
			continue;
		char rel[32];
		snprintf(rel, sizeof(rel), "ns/%s", nsset_nstypes[i].name);
		p->ino[i] = nsset_proc_ino_at(procfd, name, rel);
		any |= p->ino[i] != 0;
		if (nsset_nstypes[i].children) {
			snprintf(rel, sizeof(rel), "ns/%s", nsset_nstypes[i].children);
			p->child[i] = nsset_proc_ino_at(procfd, name, rel);
		}
	}
	return any;
}

static int table_add(int procfd, pid_t pid, const char *name, void *ctx)
{
	struct table_walk *w = ctx;
	struct nsset_proc_ns p;
	if (!nsset_proc_ns_read(procfd, pid, name, w->flags, &p))
		return 0;       /* gone meanwhile, or a kernel thread's view */
	struct nsset_proc_table *t = w->t;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct nsset_proc_ns *np = reallocarray(t->p, cap, sizeof(*np));
		if (!np)
			return -ENOMEM;
		t->p = np;
		t->cap = cap;
	}
	t->p[t->n++] = p;
	return 0;
}

int nsset_proc_table_scan(int flags, struct nsset_proc_table *t, struct nsset_err *e)
{
	memset(t, 0, sizeof(*t));
	struct table_walk w = { .flags = flags, .t = t };
	int r = nsset_proc_each(table_add, &w, e);
	if (r == 0)
		return 0;
	free(t->p);
	memset(t, 0, sizeof(*t));
	return r == -ENOMEM ? nsset_fail(e, ENOMEM, "scanning /proc") : -1;
}

bool nsset_proc_in_set(const struct nsset_proc_ns *p, const unsigned long long *ino)
{
	bool any = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!ino[i])
			continue;
		any = true;
		if (p->ino[i] == ino[i] || p->child[i] == ino[i])
			continue;
		return false;
	}
	return any;
}

/* The one judgement of "a process that lives in a set" (procscan.h): in
 * any of the set's namespaces. */
struct members_walk {
	const unsigned long long *ino;
	const pid_t *skip;
	size_t nskip;
	pid_t *out;
	size_t max, n;
};

static int add_member(int procfd, pid_t pid, const char *name, void *ctx)
{
	struct members_walk *w = ctx;
	for (size_t i = 0; i < w->nskip; i++)
		if (w->skip[i] == pid)
			return 0;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!w->ino[i])
			continue;
		char rel[32];
		snprintf(rel, sizeof(rel), "ns/%s", nsset_nstypes[i].name);
		if (nsset_proc_ino_at(procfd, name, rel) == w->ino[i]) {
			w->out[w->n++] = pid;
			break;
		}
	}
	return w->n == w->max;  /* full: the walk ends */
}

int nsset_proc_set_members(const unsigned long long *ino, const pid_t *skip, size_t nskip,
			   pid_t *out, size_t max, struct nsset_err *e)
{
	if (max == 0)
		return 0;
	struct members_walk w = { .ino = ino, .skip = skip, .nskip = nskip, .out = out, .max = max };
	return nsset_proc_each(add_member, &w, e) < 0 ? -1 : (int)w.n;
}

pid_t nsset_proc_set_busy(const unsigned long long *ino, const pid_t *skip, size_t nskip,
			  struct nsset_err *e)
{
	pid_t pid = 0;
	int n = nsset_proc_set_members(ino, skip, nskip, &pid, 1, e);
	return n < 0 ? -1 : n > 0 ? pid : 0;
}

struct dir_walk {
	const char *prefix;
	size_t plen;
	dev_t dev;
	ino_t ino;
};

/* The link text is read first, so that only fds on the store are
 * stat()ed: stat() on an fd of a hung network or FUSE file system could
 * block. */
static int has_dir_open(int procfd, pid_t pid, const char *name, void *ctx)
{
	const struct dir_walk *w = ctx;
	if (pid == getpid())
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "%.32s/fd", name);
	int fdd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return 0;
	_cleanup_closedir_ DIR *fds = fdopendir(fdd);
	if (!fds) {
		close(fdd);
		return 0;
	}
	struct dirent *fe;
	while ((fe = readdir(fds)) != NULL) {
		char link[PATH_MAX];
		struct stat st;
		if (fe->d_name[0] == '.')
			continue;
		ssize_t n = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);
		if (n <= 0 || (size_t)n < w->plen || memcmp(link, w->prefix, w->plen) != 0 ||
		    (link[w->plen] != '/' && link[w->plen] != '\0'))
			continue;
		if (fstatat(dirfd(fds), fe->d_name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && st.st_dev == w->dev && st.st_ino == w->ino)
			return (int)pid;
	}
	return 0;
}

pid_t nsset_proc_dir_user(const char *prefix, dev_t dev, ino_t ino)
{
	struct dir_walk w = { .prefix = prefix, .plen = strlen(prefix), .dev = dev, .ino = ino };
	int r = nsset_proc_each(has_dir_open, &w, NULL);
	return r > 0 ? (pid_t)r : 0;
}

bool nsset_proc_identity(pid_t pid, uid_t *uid, char *comm, size_t size)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ssize_t n;
	{
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read_full(fd, buf, sizeof(buf) - 1);
	}
	if (n <= 0)
		return false;
	buf[n] = '\0';
	comm[0] = '\0';
	*uid = (uid_t)-1;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "Name:\t", 6) == 0)
			snprintf(comm, size, "%s", line + 6);
		else if (strncmp(line, "Uid:\t", 5) == 0)
			*uid = (uid_t)strtoul(line + 5, NULL, 10);
		line = nl ? nl + 1 : NULL;
	}
	return true;
}

long long nsset_boot_time(void)
{
	long long btime = 0;
	_cleanup_fclose_ FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "btime ", 6) == 0) {
			btime = strtoll(line + 6, NULL, 10);
			break;
		}
	return btime;
}

long long nsset_ticks_to_unix(unsigned long long ticks, long long btime)
{
	long hz = sysconf(_SC_CLK_TCK);
	if (!ticks || hz <= 0 || !btime)
		return 0;
	return btime + (long long)(ticks / (unsigned long long)hz);
}
