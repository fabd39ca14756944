/* The admin's view of nsset; see admin.h. */
#include "admin.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <libmount/libmount.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include "hook.h"
#include "net.h"
#include "nstypes.h"
#include "util.h"

#define BUILD_PREFIX ".build-"
#define DEAD_PREFIX ".dead-"
#define KILL_WAIT_MS 5000
#define INSIDE_WAIT_MS 5000
#define LINT_MAX_ERRORS 100

const char *nsset_admin_state_name(enum nsset_admin_state s)
{
	switch (s) {
	case NSSET_ADMIN_OK:
		return "ok";
	case NSSET_ADMIN_STALE:
		return "stale";
	case NSSET_ADMIN_BROKEN:
		return "broken";
	case NSSET_ADMIN_BUILDING:
		return "building";
	case NSSET_ADMIN_HALF_BUILT:
		return "half-built";
	case NSSET_ADMIN_DYING:
		return "dying";
	}
	return "unknown";
}

/* ---- small helpers ---------------------------------------------------------- */

static bool is_hex16(const char *s)
{
	if (strlen(s) != 16)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* ".build-<hex16>" or ".dead-<hex16>": the only dot entries that are sets
 * in the making or in the undoing (see store.h). */
static bool is_leftover_name(const char *s)
{
	if (strncmp(s, BUILD_PREFIX, strlen(BUILD_PREFIX)) == 0)
		return is_hex16(s + strlen(BUILD_PREFIX));
	if (strncmp(s, DEAD_PREFIX, strlen(DEAD_PREFIX)) == 0)
		return is_hex16(s + strlen(DEAD_PREFIX));
	return false;
}

/* Boot time (unix seconds) from /proc/stat, 0 if unknown. */
static long long boot_time(void)
{
	long long btime = 0;
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "btime ", 6) == 0) {
			btime = strtoll(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return btime;
}

/* Start time in clock ticks since boot -> unix time. */
static long long ticks_to_unix(unsigned long long ticks, long long btime)
{
	long hz = sysconf(_SC_CLK_TCK);
	if (!ticks || hz <= 0 || !btime)
		return 0;
	return btime + (long long)(ticks / (unsigned long long)hz);
}

/* The process named by pid and start time runs: it exists, has that start
 * time and is not a zombie (an init that died but is not reaped yet, a
 * session whose process has ended). */
static bool proc_running(pid_t pid, unsigned long long start)
{
	if (pid <= 0 || proc_starttime(pid) != start)
		return false;
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X' && p[2] != '\0';
}

/* Real uid and comm of a process; false when it is gone. */
static bool proc_identity(pid_t pid, uid_t *uid, char *comm, size_t size)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
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

/* The directory's mtime: every file made or removed in it moves it. */
static long long dir_changed(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? 0 : (long long)st.st_mtim.tv_sec;
}

void nsset_admin_group_name(gid_t gid, char *buf, size_t size)
{
	char tmp[16384];
	struct group gr, *res = NULL;
	if (getgrgid_r(gid, &gr, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, size, "%s", gr.gr_name);
	else
		snprintf(buf, size, "%u", (unsigned)gid);
}

void nsset_admin_user_name(uid_t uid, char *buf, size_t size)
{
	char tmp[16384];
	struct passwd pw, *res = NULL;
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, size, "%s", pw.pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
}

/* 1 and *gid when the group exists, 0 when not, -1 (errno) when NSS fails. */
static int group_gid(const char *name, gid_t *gid)
{
	size_t size = 16384;
	for (;;) {
		char *buf = malloc(size);
		if (!buf)
			return -1;
		struct group gr, *res = NULL;
		int rc = getgrnam_r(name, &gr, buf, size, &res);
		if (rc == 0 && res)
			*gid = res->gr_gid;
		free(buf);
		if (rc == 0 || rc == ENOENT || rc == ESRCH)
			return rc == 0 && res ? 1 : 0;
		if (rc != ERANGE || size >= (16u << 20)) {
			errno = rc;
			return -1;
		}
		size *= 2;
	}
}

/* Same as group_gid, for users. */
static int user_uid(const char *name, uid_t *uid)
{
	char buf[16384];
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc == 0 && res) {
		*uid = res->pw_uid;
		return 1;
	}
	if (rc == 0 || rc == ENOENT || rc == ESRCH)
		return 0;
	errno = rc;
	return -1;
}

/* ---- the store ---------------------------------------------------------------- */

static int mount_id(int dirfd, const char *path, unsigned long long *id)
{
	struct statx stx;
	if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW | (*path ? 0 : AT_EMPTY_PATH), STATX_MNT_ID,
		  &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

int nsset_admin_store_open(const char *path, struct nsset_store *st, struct nsset_err *e)
{
	st->fd = -1;
	if (path[0] != '/')
		return nsset_fail(e, 0, "store path '%s' must be absolute", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return nsset_fail(e, errno, "%s: opening the store", path);
	}
	/* Not a mount point: the store was never set up since boot, so it
	 * holds no set (a set's mnt file cannot exist without the mount). */
	unsigned long long self_id, parent_id;
	int looked = mount_id(fd, "", &self_id) == 0 && mount_id(fd, "..", &parent_id) == 0;
	bool inside = faccessat(fd, "self", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	if (looked && self_id == parent_id && !inside)
		return 1;
	/* The same checks the PAM module makes (root 0700, not from inside a
	 * set), without creating anything. */
	return nsset_store_open(path, false, st, e) < 0 ? -1 : 0;
}

/* ---- /proc ------------------------------------------------------------------------ */

/* Extra slots after the nsset_nstypes[] ones: what a process's children
 * get, which is where a PAM caller sits after setns(CLONE_NEWPID). */
enum { PX_PID_CHILD = NSSET_NS_MAX, PX_TIME_CHILD, PX_N };

struct proc_ns {
	pid_t pid;
	unsigned long long ino[PX_N];
};

struct proc_table {
	struct proc_ns *p;
	size_t n, cap;
};

static unsigned long long stat_ino_at(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, 0) == 0 ? (unsigned long long)st.st_ino : 0;
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The namespace inodes of every process, for the types in `flags`. */
static int scan_procs(int flags, struct proc_table *t, struct nsset_err *e)
{
	memset(t, 0, sizeof(*t));
	DIR *d = opendir("/proc");
	if (!d)
		return nsset_fail(e, errno, "/proc");
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_pid_name(de->d_name))
			continue;
		int pfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue;
		struct proc_ns p = { .pid = (pid_t)atoi(de->d_name) };
		bool any = false;
		for (size_t i = 0; i < nsset_nstype_count; i++) {
			if (!(flags & nsset_nstypes[i].flag))
				continue;
			char name[48];
			snprintf(name, sizeof(name), "ns/%s", nsset_nstypes[i].name);
			p.ino[i] = stat_ino_at(pfd, name);
			any |= p.ino[i] != 0;
		}
		if (flags & CLONE_NEWPID)
			p.ino[PX_PID_CHILD] = stat_ino_at(pfd, "ns/pid_for_children");
		if (flags & CLONE_NEWTIME)
			p.ino[PX_TIME_CHILD] = stat_ino_at(pfd, "ns/time_for_children");
		close(pfd);
		if (!any)
			continue;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 256;
			struct proc_ns *np = reallocarray(t->p, cap, sizeof(*np));
			if (!np) {
				closedir(d);
				free(t->p);
				t->p = NULL;
				return nsset_fail(e, ENOMEM, "scanning /proc");
			}
			t->p = np;
			t->cap = cap;
		}
		t->p[t->n++] = p;
	}
	closedir(d);
	return 0;
}

/* In the set: in every namespace it has (pid and time: also when only the
 * process's children are, as for a PAM caller that joined). */
static bool proc_in_set(const struct proc_ns *p, const unsigned long long *ino)
{
	bool any = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		if (!ino[i])
			continue;
		any = true;
		if (p->ino[i] == ino[i])
			continue;
		if (nsset_nstypes[i].flag == CLONE_NEWPID && p->ino[PX_PID_CHILD] == ino[i])
			continue;
		if (nsset_nstypes[i].flag == CLONE_NEWTIME && p->ino[PX_TIME_CHILD] == ino[i])
			continue;
		return false;
	}
	return any;
}

/* Some process other than us with an open fd on the directory dev/ino
 * (whose path starts with `prefix`), or 0. The link text is read first, so
 * that only fds on the store are stat()ed: stat() on an fd of a hung
 * network or FUSE file system could block. */
static pid_t dir_user(const char *prefix, dev_t dev, ino_t ino)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	size_t plen = strlen(prefix);
	pid_t self = getpid(), found = 0;
	struct dirent *de;
	while (!found && (de = readdir(d)) != NULL) {
		if (!is_pid_name(de->d_name) || atoi(de->d_name) == self)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%.32s/fd", de->d_name);
		int fdd = openat(dirfd(d), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fdd < 0)
			continue;
		DIR *fds = fdopendir(fdd);
		if (!fds) {
			close(fdd);
			continue;
		}
		struct dirent *fe;
		while ((fe = readdir(fds)) != NULL) {
			char link[PATH_MAX];
			struct stat st;
			if (fe->d_name[0] == '.')
				continue;
			ssize_t n = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);
			if (n <= 0 || (size_t)n < plen || memcmp(link, prefix, plen) != 0 ||
			    (link[plen] != '/' && link[plen] != '\0'))
				continue;
			if (fstatat(dirfd(fds), fe->d_name, &st, 0) < 0)
				continue;
			if (S_ISDIR(st.st_mode) && st.st_dev == dev && st.st_ino == ino) {
				found = (pid_t)atoi(de->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(d);
	return found;
}

/* ---- listing ---------------------------------------------------------------------- */

static void read_inodes(int dfd, unsigned long long *ino)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		ino[i] = 0;
		int fd = nsset_nsfd_open_one(dfd, nsset_nstypes[i].name, nsset_nstypes[i].flag, NULL);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) == 0)
			ino[i] = st.st_ino;
		close(fd);
	}
}

static void count_sessions(int dfd, int *alive, int *gone)
{
	*alive = *gone = 0;
	int sfd = openat(dfd, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return;
	DIR *d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		pid_t pid;
		unsigned long long start;
		if (de->d_name[0] == '.' || nsset_session_parse(de->d_name, &pid, &start) < 0)
			continue;
		if (proc_running(pid, start))
			(*alive)++;
		else
			(*gone)++;
	}
	closedir(d);
}

/* Everything about one directory that needs no /proc scan. */
static void inspect(int dfd, struct nsset_admin_set *s)
{
	struct nsset_err me = { 0 };
	s->has_meta = nsset_meta_read(dfd, &s->meta, &me) == 0;
	if (!s->has_meta)
		memset(&s->meta, 0, sizeof(s->meta));
	s->holder_alive = nsset_set_holder_alive(dfd) == 1;
	s->init_alive = s->has_meta && s->meta.init_pid > 0 &&
			proc_running(s->meta.init_pid, s->meta.init_start);
	read_inodes(dfd, s->ino);
	count_sessions(dfd, &s->sessions, &s->sessions_gone);
	s->changed = dir_changed(dfd);

	if (s->is_set) {
		if (!s->holder_alive) {
			s->state = NSSET_ADMIN_STALE;
			snprintf(s->why, sizeof(s->why), "its holder is gone");
		} else if (!s->has_meta) {
			s->state = NSSET_ADMIN_BROKEN;
			snprintf(s->why, sizeof(s->why), "%s", me.msg);
		} else if (s->meta.init_pid > 0 && !s->init_alive) {
			s->state = NSSET_ADMIN_STALE;
			snprintf(s->why, sizeof(s->why), "its init (pid %d) died", (int)s->meta.init_pid);
		} else {
			s->state = NSSET_ADMIN_OK;
		}
	}
}

static int list_add(struct nsset_admin_list *l, size_t *cap, const char *name,
		    struct nsset_admin_set **out, struct nsset_err *e)
{
	if (l->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct nsset_admin_set *n = reallocarray(l->sets, ncap, sizeof(*n));
		if (!n)
			return nsset_fail(e, ENOMEM, "listing sets");
		l->sets = n;
		*cap = ncap;
	}
	*out = &l->sets[l->count++];
	memset(*out, 0, sizeof(**out));
	snprintf((*out)->name, sizeof((*out)->name), "%s", name);
	return 0;
}

static int scan_scope(const struct nsset_store *st, enum nsset_scope scope,
		      struct nsset_admin_list *l, size_t *cap, struct nsset_err *e)
{
	const char *dir = nsset_scope_dir(scope);
	int fd = openat(st->fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/%s", st->path, dir);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return nsset_fail(e, errno, "%s/%s", st->path, dir);
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char name[64];
		struct nsset_setid id;
		if (de->d_name[0] == '.' || strlen(de->d_name) > 24)
			continue;
		snprintf(name, sizeof(name), "%s/%s", dir, de->d_name);
		/* Lock files (user/1000.lock) and anything nsset did not make. */
		if (nsset_setid_parse(name, &id) < 0)
			continue;
		struct nsset_admin_set *s;
		if ((rc = list_add(l, cap, name, &s, e)) < 0)
			break;
		s->is_set = true;
		s->id = id;
		struct nsset_err oe = { 0 };
		int sfd = nsset_set_open(st, &id, &oe);
		if (sfd < 0) {
			if (errno == ENOENT) {  /* removed while we looked */
				l->count--;
				continue;
			}
			s->state = NSSET_ADMIN_BROKEN;
			snprintf(s->why, sizeof(s->why), "%s", oe.msg);
			continue;
		}
		inspect(sfd, s);
		close(sfd);
	}
	closedir(d);
	return rc;
}

static int scan_leftovers(const struct nsset_store *st, struct nsset_admin_list *l, size_t *cap,
			  struct nsset_err *e)
{
	int fd = openat(st->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return nsset_fail(e, errno, "%s", st->path);
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!is_leftover_name(de->d_name))
			continue;
		int dfd = openat(st->fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			continue;
		struct nsset_admin_set *s;
		if ((rc = list_add(l, cap, de->d_name, &s, e)) == 0) {
			inspect(dfd, s);
			struct stat sb;
			if (fstat(dfd, &sb) == 0)
				s->in_use_by = dir_user(st->path, sb.st_dev, sb.st_ino);
			bool build = strncmp(de->d_name, BUILD_PREFIX, strlen(BUILD_PREFIX)) == 0;
			if (build && (s->in_use_by || s->holder_alive)) {
				s->state = NSSET_ADMIN_BUILDING;
				if (s->in_use_by)
					snprintf(s->why, sizeof(s->why), "pid %d is building it",
						 (int)s->in_use_by);
			} else if (build) {
				s->state = NSSET_ADMIN_HALF_BUILT;
				snprintf(s->why, sizeof(s->why), "left over from an interrupted build");
			} else {
				s->state = NSSET_ADMIN_DYING;
				if (s->in_use_by)
					snprintf(s->why, sizeof(s->why), "pid %d is removing it",
						 (int)s->in_use_by);
				else
					snprintf(s->why, sizeof(s->why),
						 "left over from an interrupted removal");
			}
		}
		close(dfd);
	}
	closedir(d);
	return rc;
}

static int rank(const struct nsset_admin_set *s)
{
	if (!s->is_set)
		return 3;
	return s->id.scope == NSSET_SCOPE_USER ? 0 : s->id.scope == NSSET_SCOPE_GROUP ? 1 : 2;
}

static int cmp_sets(const void *pa, const void *pb)
{
	const struct nsset_admin_set *a = pa, *b = pb;
	int ra = rank(a), rb = rank(b);
	if (ra != rb)
		return ra - rb;
	if (ra <= 1) {
		unsigned long ia = strtoul(a->id.id, NULL, 10), ib = strtoul(b->id.id, NULL, 10);
		if (ia != ib)
			return ia < ib ? -1 : 1;
	}
	return strcmp(a->name, b->name);
}

int nsset_admin_list(const struct nsset_store *st, struct nsset_admin_list *out,
		     struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	static const enum nsset_scope scopes[] = { NSSET_SCOPE_USER, NSSET_SCOPE_GROUP,
						   NSSET_SCOPE_SESSION };
	for (size_t i = 0; i < 3; i++)
		if (scan_scope(st, scopes[i], out, &cap, e) < 0)
			goto fail;
	if (scan_leftovers(st, out, &cap, e) < 0)
		goto fail;

	/* One pass over /proc for all of them. */
	int flags = 0;
	for (size_t i = 0; i < out->count; i++)
		for (size_t k = 0; k < nsset_nstype_count; k++)
			if (out->sets[i].ino[k])
				flags |= nsset_nstypes[k].flag;
	if (flags) {
		struct proc_table t;
		if (scan_procs(flags, &t, e) < 0)
			goto fail;
		for (size_t i = 0; i < out->count; i++)
			for (size_t k = 0; k < t.n; k++)
				if (proc_in_set(&t.p[k], out->sets[i].ino))
					out->sets[i].processes++;
		free(t.p);
	}
	if (out->count > 1)
		qsort(out->sets, out->count, sizeof(out->sets[0]), cmp_sets);
	return 0;
fail:
	nsset_admin_list_free(out);
	return -1;
}

void nsset_admin_list_free(struct nsset_admin_list *l)
{
	free(l->sets);
	l->sets = NULL;
	l->count = 0;
}

int nsset_admin_find(const struct nsset_admin_list *l, const char *name)
{
	for (size_t i = 0; l && i < l->count; i++)
		if (strcmp(l->sets[i].name, name) == 0)
			return (int)i;
	return -1;
}

int nsset_admin_resolve_name(const char *arg, char *name, size_t size, struct nsset_err *e)
{
	struct nsset_setid id;
	if (is_leftover_name(arg)) {
		snprintf(name, size, "%s", arg);
		return 0;
	}
	if (nsset_setid_parse(arg, &id) == 0) {
		nsset_setid_name(&id, name, size);
		return 0;
	}
	if (strncmp(arg, "user/", 5) == 0 && arg[5]) {
		uid_t uid;
		int r = user_uid(arg + 5, &uid);
		if (r < 0)
			return nsset_fail(e, errno, "looking up user %s", arg + 5);
		if (r == 0)
			return nsset_fail(e, ENOENT, "no such user: %s", arg + 5);
		snprintf(name, size, "user/%u", (unsigned)uid);
		return 0;
	}
	if (strncmp(arg, "group/", 6) == 0 && arg[6]) {
		gid_t gid;
		int r = group_gid(arg + 6, &gid);
		if (r < 0)
			return nsset_fail(e, errno, "looking up group %s", arg + 6);
		if (r == 0)
			return nsset_fail(e, ENOENT, "no such group: %s", arg + 6);
		snprintf(name, size, "group/%u", (unsigned)gid);
		return 0;
	}
	return nsset_fail(e, EINVAL, "not a set name: '%s' (expected user/UID, user/NAME, "
			  "group/GID, group/NAME, session/ID, .build-ID or .dead-ID)", arg);
}

/* ---- detail ------------------------------------------------------------------------ */

static int read_sessions(int dfd, struct nsset_admin_detail *d, struct nsset_err *e)
{
	int sfd = openat(dfd, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return 0;
	DIR *dir = fdopendir(sfd);
	if (!dir) {
		close(sfd);
		return nsset_fail(e, errno, "sessions/");
	}
	size_t cap = 0;
	int rc = 0;
	long long btime = boot_time();
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		pid_t pid;
		unsigned long long start;
		if (de->d_name[0] == '.' || nsset_session_parse(de->d_name, &pid, &start) < 0)
			continue;
		if (d->nsessions == cap) {
			cap = cap ? cap * 2 : 8;
			struct nsset_admin_session *n = reallocarray(d->sessions, cap, sizeof(*n));
			if (!n) {
				rc = nsset_fail(e, ENOMEM, "reading sessions");
				break;
			}
			d->sessions = n;
		}
		struct nsset_admin_session *s = &d->sessions[d->nsessions++];
		memset(s, 0, sizeof(*s));
		snprintf(s->entry, sizeof(s->entry), "%.95s", de->d_name);
		s->pid = pid;
		s->started = ticks_to_unix(start, btime);
		s->alive = proc_running(pid, start) &&
			   proc_identity(pid, &s->uid, s->comm, sizeof(s->comm));
	}
	closedir(dir);
	return rc;
}

static int read_procs(const struct nsset_admin_set *s, struct nsset_admin_detail *d,
		      struct nsset_err *e)
{
	int flags = 0;
	for (size_t k = 0; k < nsset_nstype_count; k++)
		if (s->ino[k])
			flags |= nsset_nstypes[k].flag;
	if (!flags)
		return 0;
	struct proc_table t;
	if (scan_procs(flags, &t, e) < 0)
		return -1;
	d->procs = calloc(t.n ? t.n : 1, sizeof(*d->procs));
	if (!d->procs) {
		free(t.p);
		return nsset_fail(e, ENOMEM, "listing processes");
	}
	long long btime = boot_time();
	for (size_t k = 0; k < t.n; k++) {
		if (!proc_in_set(&t.p[k], s->ino))
			continue;
		struct nsset_admin_proc *p = &d->procs[d->nprocs];
		p->pid = t.p[k].pid;
		if (!proc_identity(p->pid, &p->uid, p->comm, sizeof(p->comm)))
			continue;
		p->started = ticks_to_unix(proc_starttime(p->pid), btime);
		d->nprocs++;
	}
	free(t.p);
	return 0;
}

/* Tabs and newlines would break the line protocol between child and parent. */
static const char *clean(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return s;
}

static unsigned prefix_len(const struct sockaddr *sa)
{
	unsigned bits = 0;
	const unsigned char *b;
	size_t n;
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		n = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

static void inside_net(FILE *f)
{
	struct ifaddrs *ifa_list;
	if (getifaddrs(&ifa_list) < 0) {
		fprintf(f, "err\tgetifaddrs: %s\n", strerror(errno));
		return;
	}
	/* One line per interface, in the kernel's order. */
	struct {
		char name[IF_NAMESIZE];
		bool up;
		char addrs[256];
	} ifs[64];
	size_t n = 0;
	for (struct ifaddrs *a = ifa_list; a; a = a->ifa_next) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(ifs[i].name, a->ifa_name) == 0)
				break;
		if (i == n) {
			if (n == sizeof(ifs) / sizeof(ifs[0]))
				continue;
			snprintf(ifs[n].name, sizeof(ifs[n].name), "%s", a->ifa_name);
			ifs[n].up = (a->ifa_flags & IFF_UP) != 0;
			ifs[n].addrs[0] = '\0';
			n++;
		}
		if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET &&
				     a->ifa_addr->sa_family != AF_INET6))
			continue;
		char host[INET6_ADDRSTRLEN];
		const void *src = a->ifa_addr->sa_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)(const void *)a->ifa_addr)->sin6_addr;
		if (!inet_ntop(a->ifa_addr->sa_family, src, host, sizeof(host)))
			continue;
		size_t len = strlen(ifs[i].addrs);
		snprintf(ifs[i].addrs + len, sizeof(ifs[i].addrs) - len, "%s%s/%u", len ? " " : "",
			 host, prefix_len(a->ifa_netmask));
	}
	freeifaddrs(ifa_list);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "if\t%s\t%d\t%s\n", clean(ifs[i].name), ifs[i].up, clean(ifs[i].addrs));
}

static void inside_mounts(FILE *f, int procfd, const char *store_path)
{
	/* Through the host's /proc, opened before setns: the set's own /proc
	 * (pid sets) has no entry for us. */
	int fd = openat(procfd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *mi = fd < 0 ? NULL : fdopen(fd, "re");
	struct libmnt_table *tb = mnt_new_table();
	if (!mi || !tb || mnt_table_parse_stream(tb, mi, "mountinfo") < 0) {
		fprintf(f, "err\treading the set's mountinfo: %s\n", strerror(errno));
		if (mi)
			fclose(mi);
		else if (fd >= 0)
			close(fd);
		mnt_unref_table(tb);
		return;
	}
	fclose(mi);
	fprintf(f, "mounts\t%d\n", mnt_table_get_nents(tb));
	const char *const targets[] = { "/", "/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue",
					"/proc", store_path };
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		/* No cache: targets are compared as strings, nothing is
		 * resolved or stat()ed. The last one mounted is the one seen. */
		struct libmnt_fs *fs = mnt_table_find_target(tb, targets[i], MNT_ITER_BACKWARD);
		if (!fs)
			continue;
		char target[256], fstype[32], source[128], options[256];
		snprintf(target, sizeof(target), "%s", targets[i]);
		snprintf(fstype, sizeof(fstype), "%s", mnt_fs_get_fstype(fs) ? mnt_fs_get_fstype(fs) : "");
		snprintf(source, sizeof(source), "%s", mnt_fs_get_source(fs) ? mnt_fs_get_source(fs) : "");
		char *opts = mnt_fs_strdup_options(fs);
		snprintf(options, sizeof(options), "%s", opts ? opts : "");
		free(opts);
		long long size = -1, used = -1;
		struct statvfs sv;
		if (strcmp(fstype, "tmpfs") == 0 && statvfs(targets[i], &sv) == 0) {
			size = (long long)(sv.f_blocks * sv.f_frsize);
			used = (long long)((sv.f_blocks - sv.f_bfree) * sv.f_frsize);
		}
		fprintf(f, "mount\t%s\t%s\t%s\t%s\t%lld\t%lld\n", clean(target), clean(fstype),
			clean(source), clean(options), size, used);
	}
	mnt_unref_table(tb);
}

/* The forked child: joins uts, net, then mnt (last: it changes the root),
 * reports what it sees on `out`, exits. */
static void __attribute__((noreturn)) inside_child(int out, const int *nsfd,
						     const char *store_path)
{
	FILE *f = fdopen(out, "w");
	if (!f)
		_exit(1);
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	static const int order[] = { CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWNS };
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < nsset_nstype_count; i++) {
			if (nsset_nstypes[i].flag != order[k] || nsfd[i] < 0)
				continue;
			if (setns(nsfd[i], order[k]) < 0) {
				fprintf(f, "err\tsetns(%s): %s\n", nsset_nstypes[i].name, strerror(errno));
				fflush(f);
				_exit(1);
			}
			if (order[k] == CLONE_NEWUTS) {
				struct utsname u;
				if (uname(&u) == 0)
					fprintf(f, "host\t%s\n", clean(u.nodename));
			} else if (order[k] == CLONE_NEWNET) {
				inside_net(f);
			} else {
				inside_mounts(f, procfd, store_path);
			}
		}
	}
	fflush(f);
	_exit(0);
}

static char *next_field(char **p)
{
	char *s = *p;
	if (!s)
		return (char *)"";
	char *tab = strchr(s, '\t');
	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static int parse_inside(char *text, struct nsset_admin_detail *d, struct nsset_err *e)
{
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *p = line;
		const char *kind = next_field(&p);
		if (strcmp(kind, "host") == 0) {
			snprintf(d->hostname, sizeof(d->hostname), "%s", p ? p : "");
		} else if (strcmp(kind, "err") == 0) {
			d->inside = false;
			snprintf(d->inside_err, sizeof(d->inside_err), "%s", p ? p : "");
		} else if (strcmp(kind, "mounts") == 0) {
			d->total_mounts = strtoul(p ? p : "0", NULL, 10);
		} else if (strcmp(kind, "mount") == 0) {
			struct nsset_admin_mount *n = reallocarray(d->mounts, d->nmounts + 1, sizeof(*n));
			if (!n)
				return nsset_fail(e, ENOMEM, "reading mounts");
			d->mounts = n;
			struct nsset_admin_mount *m = &d->mounts[d->nmounts++];
			memset(m, 0, sizeof(*m));
			snprintf(m->target, sizeof(m->target), "%s", next_field(&p));
			snprintf(m->fstype, sizeof(m->fstype), "%s", next_field(&p));
			snprintf(m->source, sizeof(m->source), "%s", next_field(&p));
			snprintf(m->options, sizeof(m->options), "%s", next_field(&p));
			long long size = strtoll(next_field(&p), NULL, 10);
			long long used = strtoll(next_field(&p), NULL, 10);
			if (size >= 0 && used >= 0) {
				m->has_usage = true;
				m->size = (unsigned long long)size;
				m->used = (unsigned long long)used;
			}
		} else if (strcmp(kind, "if") == 0) {
			struct nsset_admin_iface *n = reallocarray(d->ifaces, d->nifaces + 1, sizeof(*n));
			if (!n)
				return nsset_fail(e, ENOMEM, "reading interfaces");
			d->ifaces = n;
			struct nsset_admin_iface *i = &d->ifaces[d->nifaces++];
			memset(i, 0, sizeof(*i));
			snprintf(i->name, sizeof(i->name), "%s", next_field(&p));
			i->up = strcmp(next_field(&p), "1") == 0;
			snprintf(i->addrs, sizeof(i->addrs), "%s", next_field(&p));
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Looks inside the set through its ns files (not through a process in it:
 * a set may have none). Joining changes nothing in the set. */
static int look_inside(const struct nsset_store *st, int dfd, const struct nsset_admin_set *s,
		       struct nsset_admin_detail *d, struct nsset_err *e)
{
	int nsfd[NSSET_NS_MAX];
	bool want = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		nsfd[i] = -1;
		int flag = nsset_nstypes[i].flag;
		if (!s->ino[i] || !(flag & (CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS)))
			continue;
		d->has_hostname |= flag == CLONE_NEWUTS;
		d->has_ifaces |= flag == CLONE_NEWNET;
		d->has_mounts |= flag == CLONE_NEWNS;
		struct nsset_err oe = { 0 };
		nsfd[i] = nsset_nsfd_open_one(dfd, nsset_nstypes[i].name, flag, &oe);
		if (nsfd[i] < 0) {
			snprintf(d->inside_err, sizeof(d->inside_err), "%s", oe.msg);
			goto out;
		}
		want = true;
	}
	if (!want)
		goto out;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(d->inside_err, sizeof(d->inside_err), "pipe: %s", strerror(errno));
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(d->inside_err, sizeof(d->inside_err), "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (pid == 0) {
		close(pipefd[0]);
		inside_child(pipefd[1], nsfd, st->path);
	}
	close(pipefd[1]);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timed_out = false;
	while (buf && len + 1 < cap) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		int r = ms >= INSIDE_WAIT_MS ? 0 : poll(&pfd, 1, (int)(INSIDE_WAIT_MS - ms));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = true;
			break;
		}
		ssize_t n = read(pipefd[0], buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf) {
		snprintf(d->inside_err, sizeof(d->inside_err), "out of memory");
		goto out;
	}
	buf[len] = '\0';
	d->inside = true;
	int rc = parse_inside(buf, d, e);
	free(buf);
	if (timed_out) {
		d->inside = false;
		snprintf(d->inside_err, sizeof(d->inside_err),
			 "looking inside took more than %d ms", INSIDE_WAIT_MS);
	}
	for (size_t i = 0; i < nsset_nstype_count; i++)
		close_fd(&nsfd[i]);
	return rc;
out:
	for (size_t i = 0; i < nsset_nstype_count; i++)
		close_fd(&nsfd[i]);
	return 0;
}

static int open_entry(const struct nsset_store *st, const struct nsset_admin_set *s,
		      struct nsset_err *e)
{
	int fd = s->is_set ? nsset_set_open(st, &s->id, e)
			   : openat(st->fd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (!s->is_set || errno == ENOENT))
		nsset_fail(e, errno, "%s/%s", st->path, s->name);
	return fd;
}

int nsset_admin_detail(const struct nsset_store *st, const struct nsset_admin_set *s,
		       struct nsset_admin_detail *d, struct nsset_err *e)
{
	memset(d, 0, sizeof(*d));
	int dfd = open_entry(st, s, e);
	if (dfd < 0)
		return -1;
	int rc = read_sessions(dfd, d, e);
	if (rc == 0)
		rc = read_procs(s, d, e);
	if (rc == 0)
		rc = look_inside(st, dfd, s, d, e);
	close(dfd);
	if (rc < 0)
		nsset_admin_detail_free(d);
	return rc;
}

void nsset_admin_detail_free(struct nsset_admin_detail *d)
{
	free(d->sessions);
	free(d->procs);
	free(d->mounts);
	free(d->ifaces);
	memset(d, 0, sizeof(*d));
}

/* ---- destroying ---------------------------------------------------------------------- */

/* SIGKILLs the process named by pid and start time through a pidfd, so that
 * a recycled pid is never hit, and waits up to ms for it to exit. Returns
 * 1 when it was there and is gone, 0 when it was not there, -1 when it
 * outlived the wait. */
static int kill_verified(pid_t pid, unsigned long long start, int ms)
{
	if (pid <= 0)
		return 0;
	int fd = pidfd_open(pid, 0);
	if (fd < 0)
		return 0;
	/* Checked after opening: if the start time matches now, the pidfd
	 * names that process and no newcomer. A zombie has nothing to kill. */
	if (!proc_running(pid, start)) {
		close(fd);
		return 0;
	}
	int rc = -1;
	if (pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0 || errno == ESRCH) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;
		while ((r = poll(&pfd, 1, ms)) < 0 && errno == EINTR)
			;
		rc = r > 0 ? 1 : -1;
	}
	close(fd);
	return rc;
}

/* flock(LOCK_EX) on the set's lock file, waiting up to wait_s seconds.
 * Without `create`, a missing lock file means nobody can hold the lock:
 * 0 with *fd = -1. Returns 0 locked, 1 busy, -1 error. */
static int lock_set(const struct nsset_store *st, const struct nsset_setid *id, bool create,
		    int wait_s, int *fd, struct nsset_err *e)
{
	char name[64];
	snprintf(name, sizeof(name), "%s/%s.lock", nsset_scope_dir(id->scope), id->id);
	*fd = openat(st->fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (create ? O_CREAT : 0),
		     0600);
	if (*fd < 0)
		return !create && errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/%s", st->path, name);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int saved = errno;
			close_fd(fd);
			return nsset_fail(e, saved, "%s/%s: flock", st->path, name);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= wait_s) {
			close_fd(fd);
			return 1;
		}
		usleep(50000);
	}
}

static int count_left(struct nsset_admin_result *r, struct nsset_err *e)
{
	r->nsfs_left = nsset_admin_nsfs_mounts(r->ino, NSSET_NS_MAX, &r->nsfs_left_pid, e);
	return r->nsfs_left < 0 ? -1 : 0;
}

static void syslog_write(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

/* What the set's holder would have done on its way out: the destroy phase
 * of its hook (while its namespace files are still there), then its
 * network. Failures are logged; the set goes regardless. */
static void holder_leftovers(const struct nsset_store *st, const struct nsset_meta *m,
			     const char *name)
{
	static const struct nsset_log log = { .write = syslog_write };
	struct nsset_err e = { 0 };
	if (m->hook[0] && nsset_hook_run(st->path, m, "destroy", &log, &e) < 0)
		syslog(LOG_ERR, "set %s: %s", name, e.msg);
	if (nsset_net_down(st, m, &e) < 0)
		syslog(LOG_ERR, "set %s: removing its network: %s", name, e.msg);
}

static int destroy_set(const struct nsset_store *st, const struct nsset_setid *id,
		       const char *name, enum nsset_admin_mode mode, struct nsset_admin_result *r,
		       struct nsset_err *e)
{
	/* Looked at before locking, so that naming a set that does not
	 * exist leaves no lock file behind. */
	int dfd = nsset_set_open(st, id, e);
	if (dfd < 0)
		return errno == ENOENT ? nsset_fail(e, ENOENT, "%s: no such set", name) : -1;
	close(dfd);

	int lockfd;
	int wait_s = mode == NSSET_ADMIN_ANY ? NSSET_ADMIN_LOCK_WAIT_S : 2;
	int lr = lock_set(st, id, true, wait_s, &lockfd, e);
	if (lr < 0)
		return -1;
	if (lr > 0) {
		if (mode == NSSET_ADMIN_ANY)
			return nsset_fail(e, EBUSY, "%s: busy (its lock was held for %d s)", name, wait_s);
		snprintf(r->why, sizeof(r->why), "busy: its lock is held");
		return 1;
	}
	int rc = -1;
	dfd = nsset_set_open(st, id, e);
	if (dfd < 0) {
		if (errno == ENOENT) {
			snprintf(r->why, sizeof(r->why), "gone meanwhile");
			rc = 1;
		}
		goto out;
	}
	bool alive = nsset_set_holder_alive(dfd) == 1;
	struct nsset_meta m;
	struct nsset_err me = { 0 };
	bool has_meta = nsset_meta_read(dfd, &m, &me) == 0;
	bool init_dead = has_meta && m.init_pid > 0 && !proc_running(m.init_pid, m.init_start);
	read_inodes(dfd, r->ino);
	close(dfd);
	if (mode == NSSET_ADMIN_ONLY_STALE && alive && !init_dead) {
		snprintf(r->why, sizeof(r->why), "no longer stale");
		rc = 1;
		goto out;
	}
	snprintf(r->why, sizeof(r->why), "%s",
		 !alive ? "its holder was gone" : init_dead ? "its init had died" : "it was alive");
	/* Looked at first: the holder's death often takes the init along
	 * (PDEATHSIG) before we get to it, and it is still our doing. */
	bool init_ran = has_meta && m.init_pid > 0 && !init_dead;
	if (alive) {
		if (!has_meta) {
			nsset_fail(e, 0, "%s: its holder is alive but %s: cannot tell which process "
				   "to stop (see fuser %s/%s/holder.lock)", name, me.msg, st->path, name);
			goto out;
		}
		int k = kill_verified(m.holder_pid, m.holder_start, KILL_WAIT_MS);
		if (k > 0)
			r->holder_killed = m.holder_pid;
		dfd = nsset_set_open(st, id, e);
		if (dfd >= 0 && nsset_set_holder_alive(dfd) == 1) {
			close(dfd);
			if (k < 0)
				nsset_fail(e, 0, "%s: its holder (pid %d) is still alive after SIGKILL",
					   name, (int)m.holder_pid);
			else
				nsset_fail(e, 0, "%s: its holder is alive but is not pid %d as its meta says "
					   "(is /proc from another pid namespace?)", name, (int)m.holder_pid);
			goto out;
		}
		close_fd(&dfd);
	}
	/* The holder's death takes its init along (PDEATHSIG), and with it
	 * every process of the pid namespace; make sure, and wait for it. */
	if (has_meta && m.init_pid > 0) {
		int k = kill_verified(m.init_pid, m.init_start, KILL_WAIT_MS);
		if (k >= 0 && init_ran)
			r->init_killed = m.init_pid;
		if (k < 0) {
			nsset_fail(e, 0, "%s: its init (pid %d) is still alive after SIGKILL", name,
				   (int)m.init_pid);
			goto out;
		}
	}
	if (has_meta)
		holder_leftovers(st, &m, name);
	if (nsset_set_remove(st, id, e) < 0) {
		nsset_err_prefix(e, "%s: ", name);
		goto out;
	}
	rc = 0;
out:
	close_fd(&lockfd);
	if (rc == 0 && count_left(r, e) < 0)
		rc = -1;
	return rc;
}

static int destroy_leftover(const struct nsset_store *st, const char *name,
			    enum nsset_admin_mode mode, struct nsset_admin_result *r,
			    struct nsset_err *e)
{
	int dfd = openat(st->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? nsset_fail(e, ENOENT, "%s: no such directory", name)
				       : nsset_fail(e, errno, "%s/%s", st->path, name);
	struct stat sb;
	if (fstat(dfd, &sb) < 0) {
		int saved = errno;
		close(dfd);
		return nsset_fail(e, saved, "%s/%s", st->path, name);
	}
	struct nsset_meta m;
	bool has_meta = nsset_meta_read(dfd, &m, NULL) == 0;
	long long changed = dir_changed(dfd);
	read_inodes(dfd, r->ino);
	close(dfd);

	pid_t user = dir_user(st->path, sb.st_dev, sb.st_ino);
	if (user) {
		if (mode == NSSET_ADMIN_ANY)
			return nsset_fail(e, EBUSY, "%s: in use by pid %d (a set is being built or "
					  "removed right now)", name, (int)user);
		snprintf(r->why, sizeof(r->why), "in use by pid %d", (int)user);
		return 1;
	}
	/* With a meta we know the set: whoever builds or removes it holds
	 * its lock. Without one, only age tells a crash from work that has
	 * only just begun. */
	struct nsset_setid id;
	char setname[64] = "";
	bool named = false;
	if (has_meta) {
		snprintf(setname, sizeof(setname), "%s/%s", nsset_scope_name(m.scope), m.id);
		named = nsset_setid_parse(setname, &id) == 0;
	}
	int lockfd = -1;
	if (named) {
		int lr = lock_set(st, &id, false, mode == NSSET_ADMIN_ANY ? NSSET_ADMIN_LOCK_WAIT_S : 2,
				  &lockfd, e);
		if (lr < 0)
			return -1;
		if (lr > 0) {
			if (mode == NSSET_ADMIN_ANY)
				return nsset_fail(e, EBUSY, "%s: busy (the lock of %s is held)", name,
						  setname);
			snprintf(r->why, sizeof(r->why), "busy: the lock of %s is held", setname);
			return 1;
		}
	} else if (mode == NSSET_ADMIN_ONLY_STALE && time(NULL) - changed < NSSET_ADMIN_GRACE_S) {
		snprintf(r->why, sizeof(r->why), "changed less than %d s ago", NSSET_ADMIN_GRACE_S);
		return 1;
	}
	if (has_meta && m.init_pid > 0 && kill_verified(m.init_pid, m.init_start, KILL_WAIT_MS) > 0)
		r->init_killed = m.init_pid;
	snprintf(r->why, sizeof(r->why), "%s",
		 strncmp(name, BUILD_PREFIX, strlen(BUILD_PREFIX)) == 0
			 ? "left over from an interrupted build"
			 : "left over from an interrupted removal");
	int rc = nsset_store_remove_dir(st, name, e);
	/* A session id is never used again: drop its lock file, as
	 * nsset_set_remove would have. Safe while we hold it. */
	if (rc == 0 && named && lockfd >= 0 && id.scope == NSSET_SCOPE_SESSION &&
	    faccessat(st->fd, setname, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		char lock[80];
		snprintf(lock, sizeof(lock), "%s.lock", setname);
		unlinkat(st->fd, lock, 0);
	}
	close_fd(&lockfd);
	if (rc < 0)
		return -1;
	return count_left(r, e);
}

int nsset_admin_destroy(const struct nsset_store *st, const char *name,
			enum nsset_admin_mode mode, struct nsset_admin_result *r,
			struct nsset_err *e)
{
	memset(r, 0, sizeof(*r));
	if (is_leftover_name(name))
		return destroy_leftover(st, name, mode, r, e);
	struct nsset_setid id;
	if (nsset_setid_parse(name, &id) < 0)
		return nsset_fail(e, EINVAL, "not a set name: '%s'", name);
	return destroy_set(st, &id, name, mode, r, e);
}

/* "net:[4026532300]" -> 4026532300 */
static unsigned long long nsfs_root_ino(const char *root)
{
	const char *b = root ? strchr(root, '[') : NULL;
	return b ? strtoull(b + 1, NULL, 10) : 0;
}

int nsset_admin_nsfs_mounts(const unsigned long long *ino, size_t n, pid_t *where,
			    struct nsset_err *e)
{
	*where = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= ino[i] != 0;
	if (!any)
		return 0;
	DIR *d = opendir("/proc");
	if (!d)
		return nsset_fail(e, errno, "/proc");
	unsigned long long *seen = NULL;
	size_t nseen = 0, cap = 0;
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_pid_name(de->d_name))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%.32s/ns/mnt", de->d_name);
		unsigned long long mnt = stat_ino_at(dirfd(d), path);
		if (!mnt)
			continue;
		bool known = false;
		for (size_t i = 0; i < nseen && !known; i++)
			known = seen[i] == mnt;
		if (known)
			continue;
		if (nseen == cap) {
			cap = cap ? cap * 2 : 64;
			unsigned long long *ns = reallocarray(seen, cap, sizeof(*ns));
			if (!ns) {
				free(seen);
				closedir(d);
				return nsset_fail(e, ENOMEM, "scanning mount namespaces");
			}
			seen = ns;
		}
		seen[nseen++] = mnt;
		snprintf(path, sizeof(path), "/proc/%.32s/mountinfo", de->d_name);
		struct libmnt_table *tb = mnt_new_table_from_file(path);
		if (!tb)
			continue;       /* exited meanwhile */
		struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
		struct libmnt_fs *fs;
		while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
			const char *type = mnt_fs_get_fstype(fs);
			if (!type || strcmp(type, "nsfs") != 0)
				continue;
			unsigned long long x = nsfs_root_ino(mnt_fs_get_root(fs));
			for (size_t i = 0; i < n; i++)
				if (ino[i] && ino[i] == x) {
					count++;
					if (!*where)
						*where = (pid_t)atoi(de->d_name);
				}
		}
		mnt_free_iter(it);
		mnt_unref_table(tb);
	}
	free(seen);
	closedir(d);
	return count;
}

/* ---- lint ---------------------------------------------------------------------------- */

static int add_finding(struct nsset_admin_lint *l, unsigned line, bool error, struct nsset_err *e,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int add_finding(struct nsset_admin_lint *l, unsigned line, bool error, struct nsset_err *e,
		       const char *fmt, ...)
{
	struct nsset_admin_finding *n = reallocarray(l->findings, l->count + 1, sizeof(*n));
	if (!n)
		return nsset_fail(e, ENOMEM, "linting");
	l->findings = n;
	struct nsset_admin_finding *f = &l->findings[l->count++];
	f->line = line;
	f->error = error;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	if (error)
		l->errors++;
	else
		l->warnings++;
	return 0;
}

/* The line number of a parser message "ORIGIN:LINE: ...", or 0. */
static unsigned message_line(const char *msg, const char *origin)
{
	size_t n = strlen(origin);
	if (strncmp(msg, origin, n) != 0 || msg[n] != ':' || msg[n + 1] < '0' || msg[n + 1] > '9')
		return 0;
	char *end;
	unsigned long v = strtoul(msg + n + 1, &end, 10);
	return *end == ':' && v <= 0xffffffffUL ? (unsigned)v : 0;
}

/* Takes line `line` (1-based) out of buf, keeping its newline so that the
 * lines after it keep their numbers. */
static void drop_line(char *buf, size_t *len, unsigned line)
{
	size_t start = 0;
	for (unsigned l = 1; l < line && start < *len; start++)
		if (buf[start] == '\n')
			l++;
	size_t end = start;
	while (end < *len && buf[end] != '\n')
		end++;
	memmove(buf + start, buf + end, *len - end);
	*len -= end - start;
}

static const char *match_text(const struct nsset_rule *r, char *buf, size_t size)
{
	if (r->match == NSSET_MATCH_ALL)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%s%s", r->match == NSSET_MATCH_GROUP ? "@" : "", r->name);
	return buf;
}

/* A hook= that the holder would refuse (missing, not root's, writable by
 * others, not executable): a warning, since it may be installed later, but
 * until then every login under the rule is refused. */
static int lint_hook(const struct nsset_rule *r, const char *origin, struct nsset_admin_lint *l,
		     struct nsset_err *e)
{
	char path[PATH_MAX];
	struct nsset_err he = { 0 };
	if (nsset_hook_check(r->hook, path, sizeof(path), &he) == 0)
		return 0;
	return add_finding(l, r->line, false, e, "%s:%u: warning: hook=%s: %s (logins under this "
			   "rule are refused until it is fixed)", origin, r->line, r->hook, he.msg);
}

/* A namespace type the running kernel lacks: a warning like a bad hook=
 * (the policy may be meant for another machine), but here every login
 * under the rule is refused before anything is made. */
static int lint_kernel(const struct nsset_rule *r, const char *origin, struct nsset_admin_lint *l,
		       struct nsset_err *e)
{
	struct nsset_err ke = { 0 };
	if (nsset_nstypes_unsupported(r->ns_flags, NULL, &ke) == 0)
		return 0;
	return add_finding(l, r->line, false, e, "%s:%u: warning: %s (logins under this rule are "
			   "refused on this machine)", origin, r->line, ke.msg);
}

static int lint_rules(const struct nsset_policy *p, const char *origin, struct nsset_admin_lint *l,
		      struct nsset_err *e)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct nsset_rule *r = &p->rules[i];
		char what[NSSET_NAME_MAX + 2];
		match_text(r, what, sizeof(what));
		for (size_t j = 0; j < i; j++) {
			const struct nsset_rule *q = &p->rules[j];
			int rc = 0;
			if (q->match == NSSET_MATCH_ALL)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: rule '%s' never "
						 "matches: '*' on line %u matches every user first",
						 origin, r->line, what, q->line);
			else if (q->match == r->match && strcmp(q->name, r->name) == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: rule '%s' never "
						 "matches: line %u matches '%s' first",
						 origin, r->line, what, q->line, what);
			else
				continue;
			if (rc < 0)
				return -1;
			break;
		}
		int rc = 0;
		if (r->match == NSSET_MATCH_USER) {
			uid_t uid;
			int found = user_uid(r->name, &uid);
			if (found < 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: cannot look up "
						 "user '%s': %s", origin, r->line, r->name, strerror(errno));
			else if (found == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: no such user: "
						 "'%s'", origin, r->line, r->name);
			else if (uid == 0 && r->scope != NSSET_SCOPE_NONE)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: '%s' has uid 0: "
						 "root is never placed", origin, r->line, r->name);
		} else if (r->match == NSSET_MATCH_GROUP) {
			gid_t gid;
			int found = group_gid(r->name, &gid);
			if (found < 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: cannot look up "
						 "group '%s': %s", origin, r->line, r->name, strerror(errno));
			else if (found == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: no such group: "
						 "'%s'", origin, r->line, r->name);
		}
		if (rc == 0 && r->scope != NSSET_SCOPE_NONE)
			rc = lint_kernel(r, origin, l, e);
		if (rc == 0 && r->hook[0])
			rc = lint_hook(r, origin, l, e);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int cmp_findings(const void *pa, const void *pb)
{
	const struct nsset_admin_finding *a = pa, *b = pb;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	/* Errors before warnings on one line; else as found (the messages
	 * of one line differ, and strcmp keeps the order stable enough). */
	if (a->error != b->error)
		return a->error ? -1 : 1;
	return 0;
}

int nsset_admin_lint_text(const char *text, size_t len, const char *origin,
			  struct nsset_admin_lint *out, struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	char *buf = malloc(len + 1);
	if (!buf)
		return nsset_fail(e, ENOMEM, "linting");
	memcpy(buf, text, len);
	size_t blen = len;
	int rc = 0;
	for (unsigned round = 0;; round++) {
		struct nsset_policy p;
		struct nsset_err pe = { 0 };
		if (nsset_policy_parse(buf, blen, origin, &p, &pe) == 0) {
			out->rules = p.count;
			rc = lint_rules(&p, origin, out, e);
			nsset_policy_free(&p);
			break;
		}
		unsigned line = message_line(pe.msg, origin);
		if ((rc = add_finding(out, line, true, e, "%s", pe.msg)) < 0)
			break;
		if (!line)
			break;
		if (round + 1 >= LINT_MAX_ERRORS) {
			rc = add_finding(out, line, true, e, "%s:%u: too many errors, stopping here",
					 origin, line);
			break;
		}
		drop_line(buf, &blen, line);
	}
	free(buf);
	if (rc < 0) {
		nsset_admin_lint_free(out);
		return -1;
	}
	/* Stable: insertion sort keeps equal lines in the order found. */
	for (size_t i = 1; i < out->count; i++)
		for (size_t j = i; j > 0 && cmp_findings(&out->findings[j - 1], &out->findings[j]) > 0; j--) {
			struct nsset_admin_finding t = out->findings[j];
			out->findings[j] = out->findings[j - 1];
			out->findings[j - 1] = t;
		}
	return 0;
}

static int read_text(const char *path, char **text, size_t *len, struct nsset_err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return nsset_fail(e, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return nsset_fail(e, 0, "%s: not a regular file", path);
	}
	size_t cap = 1024 * 1024 + 1;
	char *b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return nsset_fail(e, ENOMEM, "%s", path);
	}
	ssize_t n = read_full(fd, b, cap);
	int saved = errno;
	close(fd);
	if (n < 0) {
		free(b);
		return nsset_fail(e, saved, "%s", path);
	}
	b[n] = '\0';
	*text = b;
	*len = (size_t)n;
	return 0;
}

int nsset_admin_lint_file(const char *path, struct nsset_admin_lint *out,
			  struct nsset_policy *policy, struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	memset(policy, 0, sizeof(*policy));
	struct nsset_policy p;
	struct nsset_err le = { 0 };
	int loaded = nsset_policy_load(path, &p, &le);
	/* Refused as a file (owner, mode, symlink, size): nothing to lint. */
	if (loaded < 0 && !message_line(le.msg, path)) {
		*e = le;
		return -1;
	}
	char *text = NULL;
	size_t len = 0;
	if (read_text(path, &text, &len, e) < 0) {
		if (loaded == 0)
			nsset_policy_free(&p);
		return -1;
	}
	if (nsset_admin_lint_text(text, len, path, out, e) < 0) {
		free(text);
		if (loaded == 0)
			nsset_policy_free(&p);
		return -1;
	}
	out->text = text;
	out->len = len;
	if (loaded == 0 && out->errors == 0)
		*policy = p;
	else if (loaded == 0)
		nsset_policy_free(&p);
	else if (out->errors == 0)
		/* The file changed between the two reads: say so. */
		add_finding(out, 0, true, e, "%s", le.msg);
	return 0;
}

void nsset_admin_lint_free(struct nsset_admin_lint *l)
{
	free(l->findings);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

void nsset_admin_lint_line(const struct nsset_admin_lint *l, unsigned line, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!l->text || !line || !size)
		return;
	const char *p = l->text, *end = l->text + l->len;
	for (unsigned n = 1; n < line && p < end; p++)
		if (*p == '\n')
			n++;
	if (p >= end)
		return;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	/* A '#' where a word starts begins a comment. */
	const char *q = p;
	for (; q < eol; q++)
		if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t'))
			break;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
		q--;
	size_t n = (size_t)(q - p) < size - 1 ? (size_t)(q - p) : size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* ---- explain --------------------------------------------------------------------------- */

int nsset_admin_explain(const struct nsset_policy *p, const struct nsset_user *u,
			const struct nsset_admin_list *sets, struct nsset_admin_explain *x,
			struct nsset_err *e)
{
	(void)e;
	memset(x, 0, sizeof(*x));
	x->exists_index = -1;
	x->exists = NSSET_EXISTS_NONE;
	if (u->uid == 0) {
		x->why = NSSET_WHY_ROOT;
		return 0;
	}
	gid_t gid = (gid_t)-1;
	struct nsset_err me = { 0 };
	x->rule = nsset_policy_match(p, u->name, u->groups, u->ngroups, &gid, &me);
	if (!x->rule) {
		x->why = me.msg[0] ? NSSET_WHY_LOOKUP_FAILED : NSSET_WHY_NO_RULE;
		snprintf(x->err, sizeof(x->err), "%s", me.msg);
		return 0;
	}
	switch (x->rule->match) {
	case NSSET_MATCH_USER:
		x->why = NSSET_WHY_USER;
		break;
	case NSSET_MATCH_GROUP:
		x->why = NSSET_WHY_GROUP;
		x->gid = gid;
		x->primary = gid == u->gid;
		break;
	case NSSET_MATCH_ALL:
		x->why = NSSET_WHY_ALL;
		break;
	}
	if (x->rule->scope == NSSET_SCOPE_NONE)
		return 0;
	struct nsset_err de = { 0 };
	if (nsset_describe(x->rule, gid, u, &x->want, &de) < 0) {
		snprintf(x->err, sizeof(x->err), "%s", de.msg);
		return 0;
	}
	x->has_set = true;
	struct nsset_setid id = { .scope = x->want.scope };
	snprintf(id.id, sizeof(id.id), "%s", x->want.id);
	if (x->want.scope == NSSET_SCOPE_SESSION)
		snprintf(x->setname, sizeof(x->setname), "session/<new id per login>");
	else
		nsset_setid_name(&id, x->setname, sizeof(x->setname));
	if (nsset_nstypes_unsupported(x->rule->ns_flags, NULL, &de) != 0) {
		x->ns_unsupported = true;
		snprintf(x->err, sizeof(x->err), "%s", de.msg);
		return 0;
	}
	if (x->want.scope == NSSET_SCOPE_SESSION) {
		x->exists = NSSET_EXISTS_SESSION;
		for (size_t i = 0; sets && i < sets->count; i++) {
			const struct nsset_admin_set *s = &sets->sets[i];
			if (s->is_set && s->id.scope == NSSET_SCOPE_SESSION && s->has_meta &&
			    s->meta.owner_id == u->uid)
				x->session_sets++;
		}
		return 0;
	}
	x->exists_index = sets ? nsset_admin_find(sets, x->setname) : -1;
	if (x->exists_index < 0) {
		x->exists = NSSET_EXISTS_NO;
		return 0;
	}
	const struct nsset_admin_set *s = &sets->sets[x->exists_index];
	if (s->state == NSSET_ADMIN_BROKEN)
		x->exists = NSSET_EXISTS_BROKEN;
	else if (s->state != NSSET_ADMIN_OK)
		x->exists = NSSET_EXISTS_STALE;
	else if (!nsset_meta_same_shape(&s->meta, &x->want))
		x->exists = NSSET_EXISTS_OTHER_POLICY;
	else
		x->exists = NSSET_EXISTS_OK;
	return 0;
}
