/* The admin's view of the store: listing and inspecting sets (with the
 * child that looks inside one), resolving names; see admin.h. Destroying
 * is destroy.c, lint and explain lint.c, /proc scanning procscan.c. */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nstypes.h"
#include "procref.h"
#include "procscan.h"
#include "util.h"

#define INSIDE_WAIT_MS 5000

const char *nsset_admin_state_name(enum nsset_admin_state s)
{
	switch (s) {
	case NSSET_ADMIN_OK:
		return "ok";
	case NSSET_ADMIN_OUTDATED:
		return "outdated";
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

/* The process named by pid and start time runs: not a zombie (an init that
 * died but is not reaped yet, a session whose process has ended). */
static bool proc_running(pid_t pid, unsigned long long start)
{
	struct nsset_proc p = { .pid = pid, .start = start };
	return nsset_proc_alive(&p);
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

int nsset_admin_group_gid(const char *name, gid_t *gid)
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

int nsset_admin_user_uid(const char *name, uid_t *uid)
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
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return nsset_fail(e, errno, "%s: opening the store", path);
	}
	/* Not a mount point: the store was never set up since boot, so it
	 * holds no set (a set's mnt file cannot exist without the mount). */
	unsigned long long self_id, parent_id;
	int looked = mount_id(fd, "", &self_id) == 0 && mount_id(fd, "..", &parent_id) == 0;
	bool inside = faccessat(fd, NSSET_MARKER_NAME, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close_fd(&fd);
	if (looked && self_id == parent_id && !inside)
		return 1;
	/* The same checks the PAM module makes (root 0700, not from inside a
	 * set), without creating anything. */
	return nsset_store_open(path, false, st, e) < 0 ? -1 : 0;
}

/* ---- listing ---------------------------------------------------------------------- */

static void count_sessions(int dfd, int *alive, int *gone)
{
	*alive = *gone = 0;
	_cleanup_close_ int sfd = nsset_sessions_open(dfd);
	if (sfd < 0)
		return;
	_cleanup_closedir_ DIR *d = fdopendir(sfd);
	if (!d)
		return;
	sfd = -1;       /* d owns it */
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
	nsset_nsfs_inodes(dfd, s->ino);
	count_sessions(dfd, &s->sessions, &s->sessions_gone);
	s->changed = dir_changed(dfd);
	if (s->has_meta && s->meta.cgroup[0]) {
		struct nsset_err ce = { 0 };
		s->has_usage = nsset_cg_usage(s->meta.cgroup, &s->usage, &ce) == 0;
		if (!s->has_usage)
			snprintf(s->usage_err, sizeof(s->usage_err), "%s", ce.msg);
	}

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
	_cleanup_close_ int fd = nsset_scope_open(st, scope);
	if (fd < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/%s", st->path, dir);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d)
		return nsset_fail(e, errno, "%s/%s", st->path, dir);
	fd = -1;        /* d owns it */
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
		_cleanup_close_ int sfd = nsset_set_open(st, &id, &oe);
		if (sfd < 0) {
			if (oe.errnum == ENOENT) {  /* removed while we looked */
				l->count--;
				continue;
			}
			s->state = NSSET_ADMIN_BROKEN;
			snprintf(s->why, sizeof(s->why), "%s", oe.msg);
			continue;
		}
		inspect(sfd, s);
	}
	return rc;
}

static int scan_leftovers(const struct nsset_store *st, struct nsset_admin_list *l, size_t *cap,
			  struct nsset_err *e)
{
	_cleanup_close_ int fd = openat(st->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		return nsset_fail(e, errno, "%s", st->path);
	fd = -1;        /* d owns it */
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!nsset_leftover_kind(de->d_name))
			continue;
		_cleanup_close_ int dfd = nsset_leftover_open(st, de->d_name);
		if (dfd < 0)
			continue;
		struct nsset_admin_set *s;
		if ((rc = list_add(l, cap, de->d_name, &s, e)) == 0) {
			inspect(dfd, s);
			struct stat sb;
			if (fstat(dfd, &sb) == 0)
				s->in_use_by = nsset_proc_dir_user(st->path, sb.st_dev, sb.st_ino);
			bool build = nsset_leftover_kind(de->d_name) == NSSET_LEFTOVER_BUILD;
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
	}
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
		struct nsset_proc_table t;
		if (nsset_proc_table_scan(flags, &t, e) < 0)
			goto fail;
		for (size_t i = 0; i < out->count; i++)
			for (size_t k = 0; k < t.n; k++)
				if (nsset_proc_in_set(&t.p[k], out->sets[i].ino))
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
	if (nsset_leftover_kind(arg)) {
		snprintf(name, size, "%s", arg);
		return 0;
	}
	if (nsset_setid_parse(arg, &id) == 0) {
		nsset_setid_name(&id, name, size);
		return 0;
	}
	if (strncmp(arg, "user/", 5) == 0 && arg[5]) {
		uid_t uid;
		int r = nsset_admin_user_uid(arg + 5, &uid);
		if (r < 0)
			return nsset_fail(e, errno, "looking up user %s", arg + 5);
		if (r == 0)
			return nsset_fail_as(e, ENOENT, "no such user: %s", arg + 5);
		snprintf(name, size, "user/%u", (unsigned)uid);
		return 0;
	}
	if (strncmp(arg, "group/", 6) == 0 && arg[6]) {
		gid_t gid;
		int r = nsset_admin_group_gid(arg + 6, &gid);
		if (r < 0)
			return nsset_fail(e, errno, "looking up group %s", arg + 6);
		if (r == 0)
			return nsset_fail_as(e, ENOENT, "no such group: %s", arg + 6);
		snprintf(name, size, "group/%u", (unsigned)gid);
		return 0;
	}
	return nsset_fail_as(e, EINVAL, "not a set name: '%s' (expected user/UID, user/NAME, "
			  "group/GID, group/NAME, session/ID, .build-ID or .dead-ID)", arg);
}

/* ---- detail ------------------------------------------------------------------------ */

static int read_sessions(int dfd, struct nsset_admin_detail *d, struct nsset_err *e)
{
	_cleanup_close_ int sfd = nsset_sessions_open(dfd);
	if (sfd < 0)
		return 0;
	_cleanup_closedir_ DIR *dir = fdopendir(sfd);
	if (!dir)
		return nsset_fail(e, errno, "sessions/");
	sfd = -1;       /* dir owns it */
	size_t cap = 0;
	int rc = 0;
	long long btime = nsset_boot_time();
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
		s->started = nsset_ticks_to_unix(start, btime);
		s->alive = proc_running(pid, start) &&
			   nsset_proc_identity(pid, &s->uid, s->comm, sizeof(s->comm));
	}
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
	struct nsset_proc_table t;
	if (nsset_proc_table_scan(flags, &t, e) < 0)
		return -1;
	d->procs = calloc(t.n ? t.n : 1, sizeof(*d->procs));
	if (!d->procs) {
		free(t.p);
		return nsset_fail(e, ENOMEM, "listing processes");
	}
	long long btime = nsset_boot_time();
	for (size_t k = 0; k < t.n; k++) {
		if (!nsset_proc_in_set(&t.p[k], s->ino))
			continue;
		struct nsset_admin_proc *p = &d->procs[d->nprocs];
		p->pid = t.p[k].pid;
		if (!nsset_proc_identity(p->pid, &p->uid, p->comm, sizeof(p->comm)))
			continue;
		p->started = nsset_ticks_to_unix(proc_starttime(p->pid), btime);
		for (size_t i = 0; i < nsset_nstype_count; i++)
			if (nsset_nstypes[i].flag == CLONE_NEWPID && s->ino[i])
				p->in_pidns = t.p[k].ino[i] == s->ino[i];
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
	_cleanup_(nsset_nsfds_close) struct nsset_nsfds ns;
	nsset_nsfds_init(&ns);
	bool want = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		int flag = nsset_nstypes[i].flag;
		if (!s->ino[i] || !(flag & (CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS)))
			continue;
		d->has_hostname |= flag == CLONE_NEWUTS;
		d->has_ifaces |= flag == CLONE_NEWNET;
		d->has_mounts |= flag == CLONE_NEWNS;
		struct nsset_err oe = { 0 };
		ns.fd[i] = nsset_nsfd_open_one(dfd, nsset_nstypes[i].name, flag, &oe);
		if (ns.fd[i] < 0) {
			snprintf(d->inside_err, sizeof(d->inside_err), "%s", oe.msg);
			return 0;
		}
		want = true;
	}
	if (!want)
		return 0;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(d->inside_err, sizeof(d->inside_err), "pipe: %s", strerror(errno));
		return 0;
	}
	_cleanup_close_ int out_r = pipefd[0], out_w = pipefd[1];
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(d->inside_err, sizeof(d->inside_err), "fork: %s", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		close(out_r);
		inside_child(out_w, ns.fd, st->path);
	}
	close_fd(&out_w);       /* else no EOF when the child is done */
	size_t cap = 65536, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timed_out = false;
	while (buf && len + 1 < cap) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		struct pollfd pfd = { .fd = out_r, .events = POLLIN };
		int r = ms >= INSIDE_WAIT_MS ? 0 : poll(&pfd, 1, (int)(INSIDE_WAIT_MS - ms));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = true;
			break;
		}
		ssize_t n = read(out_r, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* Before the wait: a child still writing into a full pipe gets
	 * EPIPE and ends. */
	close_fd(&out_r);
	if (timed_out)
		kill(pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf) {
		snprintf(d->inside_err, sizeof(d->inside_err), "out of memory");
		return 0;
	}
	buf[len] = '\0';
	d->inside = true;
	int rc = parse_inside(buf, d, e);
	if (timed_out) {
		d->inside = false;
		snprintf(d->inside_err, sizeof(d->inside_err),
			 "looking inside took more than %d ms", INSIDE_WAIT_MS);
	}
	return rc;
}

static int open_entry(const struct nsset_store *st, const struct nsset_admin_set *s,
		      struct nsset_err *e)
{
	if (s->is_set)
		return nsset_set_open(st, &s->id, e);
	int fd = nsset_leftover_open(st, s->name);
	if (fd < 0)
		nsset_fail(e, errno, "%s/%s", st->path, s->name);
	return fd;
}

int nsset_admin_detail(const struct nsset_store *st, const struct nsset_admin_set *s,
		       struct nsset_admin_detail *d, struct nsset_err *e)
{
	memset(d, 0, sizeof(*d));
	_cleanup_close_ int dfd = open_entry(st, s, e);
	if (dfd < 0)
		return -1;
	int rc = read_sessions(dfd, d, e);
	if (rc == 0)
		rc = read_procs(s, d, e);
	if (rc == 0)
		rc = look_inside(st, dfd, s, d, e);
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

