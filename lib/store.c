/* The store; see store.h. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netnsname.h"
#include "nstypes.h"
#include "util.h"

/* The names of directories being built or torn down (store.h). */
#define BUILD_PREFIX ".build-"
#define DEAD_PREFIX ".dead-"

/* ---- opening the store ------------------------------------------------ */

static int check_private_dir(int fd, const char *what, struct nsset_err *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nsset_fail(e, errno, "%s: fstat", what);
	if (!S_ISDIR(st.st_mode))
		return nsset_fail(e, 0, "%s: not a directory", what);
	if (st.st_uid != 0 || (st.st_mode & 077))
		return nsset_fail(e, 0, "%s: must be owned by root with mode 0700 (uid %u, mode %04o)",
				  what, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int mount_id_of(int dirfd, const char *path, unsigned long long *id)
{
	struct statx stx;
	int flags = AT_SYMLINK_NOFOLLOW | (*path ? 0 : AT_EMPTY_PATH);
	if (statx(dirfd, path, flags, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

static int make_store_mount(const char *path, struct nsset_err *e)
{
	/* Bind-mount mnt ns files need a private parent mount (else EINVAL),
	 * and nothing we mount here should propagate anywhere: like
	 * `ip netns` does for /run/netns. */
	if (mount(path, path, "none", MS_BIND, NULL) < 0)
		return nsset_fail(e, errno, "%s: bind-mounting the store onto itself", path);
	if (mount("none", path, "none", MS_PRIVATE, NULL) < 0) {
		int saved = errno;
		umount2(path, MNT_DETACH);
		return nsset_fail(e, saved, "%s: making the store mount private", path);
	}
	/* Both calls succeeded: it is a private mount. (nssetctl reads the
	 * mount state back with libmount; the login path does not link it:
	 * loading libmount and its dependencies cost more than a join.) */
	return 0;
}

int nsset_store_open(const char *path, bool create, struct nsset_store *st, struct nsset_err *e)
{
	st->fd = -1;
	if (path[0] != '/' || strlen(path) >= sizeof(st->path))
		return nsset_fail(e, 0, "store path '%s' must be absolute", path);
	snprintf(st->path, sizeof(st->path), "%s", path);

	/* Opened first: it exists at every login but the first since boot. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return nsset_fail(e, errno, "%s: creating the store", path);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return nsset_fail(e, errno, "%s: opening the store", path);
	/* Inside a set the store is covered by a read-only tmpfs with the
	 * marker `self` (setup.c): no set can be made or joined from here. */
	if (faccessat(fd, NSSET_MARKER_NAME, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		nsset_fail(e, 0, "%s: this process sits inside a namespace set (see %s/"
			   NSSET_MARKER_NAME "); nsset cannot place a login from inside a set", path, path);
		return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
	}
	if (check_private_dir(fd, path, e) < 0)
		return -1;
	unsigned long long self_id, parent_id;
	if (mount_id_of(fd, "", &self_id) < 0 && mount_id_of(AT_FDCWD, path, &self_id) < 0)
		return nsset_fail(e, errno, "%s: statx", path);
	if (mount_id_of(fd, "..", &parent_id) < 0)
		return nsset_fail(e, errno, "%s/..: statx", path);
	if (self_id == parent_id) {
		if (!create)
			return nsset_fail(e, 0, "%s: store is not mounted (no set was ever made)", path);
		/* The first logins since boot may come at once: each would
		 * stack its own mount, and sets made on a lower one are
		 * hidden from everyone else. They take turns on the directory
		 * under the mount, and the later ones find it mounted. The
		 * lock goes with the fd (reopened below: it names the
		 * directory under the mount). */
		if (flock(fd, LOCK_EX) < 0)
			return nsset_fail(e, errno, "%s: locking the store to mount it", path);
		unsigned long long now_id;
		if (mount_id_of(AT_FDCWD, path, &now_id) < 0)
			return nsset_fail(e, errno, "%s: statx", path);
		if (now_id == parent_id && make_store_mount(path, e) < 0)
			return -1;
		close_fd(&fd);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return nsset_fail(e, errno, "%s: opening the store", path);
		/* A store just made (or mounted) gets its scope directories;
		 * one gone later is made again by nsset_set_lock. Not tried at
		 * every login. */
		static const char *const dirs[] = { "user", "group", "session" };
		for (size_t i = 0; i < 3; i++)
			if (mkdirat(fd, dirs[i], 0700) < 0 && errno != EEXIST)
				return nsset_fail(e, errno, "%s/%s: mkdir", path, dirs[i]);
	}
	st->fd = TAKE_FD(fd);
	return 0;
}

void nsset_store_close(struct nsset_store *st)
{
	close_fd(&st->fd);
}

/* ---- naming ------------------------------------------------------------ */

const char *nsset_scope_dir(enum nsset_scope s)
{
	return nsset_scope_name(s);
}

void nsset_setid_name(const struct nsset_setid *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", nsset_scope_dir(id->scope), id->id);
}

static bool valid_id(enum nsset_scope scope, const char *s)
{
	size_t len = strlen(s);
	if (scope == NSSET_SCOPE_SESSION) {
		if (len != 16)
			return false;
		for (size_t i = 0; i < len; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
				return false;
		return true;
	}
	unsigned long v;
	/* (uid_t)-1 means "no change" to the id syscalls: never a valid owner. */
	return len > 0 && len < 11 && parse_ulong(s, 0xfffffffeUL, &v) == 0 && !(len > 1 && s[0] == '0');
}

int nsset_setid_parse(const char *name, struct nsset_setid *id)
{
	const char *slash = strchr(name, '/');
	if (!slash)
		return -1;
	size_t n = (size_t)(slash - name);
	static const enum nsset_scope scopes[] = { NSSET_SCOPE_USER, NSSET_SCOPE_GROUP, NSSET_SCOPE_SESSION };
	for (size_t i = 0; i < 3; i++) {
		const char *dir = nsset_scope_dir(scopes[i]);
		if (strlen(dir) == n && strncmp(dir, name, n) == 0 &&
		    strlen(slash + 1) < sizeof(id->id) && valid_id(scopes[i], slash + 1)) {
			id->scope = scopes[i];
			snprintf(id->id, sizeof(id->id), "%s", slash + 1);
			return 0;
		}
	}
	return -1;
}

static bool is_hex16(const char *s)
{
	return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

int nsset_leftover_kind(const char *name)
{
	if (strncmp(name, BUILD_PREFIX, strlen(BUILD_PREFIX)) == 0 &&
	    is_hex16(name + strlen(BUILD_PREFIX)))
		return NSSET_LEFTOVER_BUILD;
	if (strncmp(name, DEAD_PREFIX, strlen(DEAD_PREFIX)) == 0 && is_hex16(name + strlen(DEAD_PREFIX)))
		return NSSET_LEFTOVER_DEAD;
	return 0;
}

int nsset_build_name(char *buf, size_t size)
{
	char hex[17];
	if (random_hex16(hex) < 0)
		return -1;
	snprintf(buf, size, BUILD_PREFIX "%s", hex);
	return 0;
}

int nsset_leftover_open(const struct nsset_store *st, const char *name)
{
	if (!nsset_leftover_kind(name)) {
		errno = EINVAL;
		return -1;
	}
	return openat(st->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* ---- locks and set directories ---------------------------------------- */

/* Every path in the store is walked one component at a time without
 * following symlinks (O_NOFOLLOW guards only the last component of a path). */
int nsset_scope_open(const struct nsset_store *st, enum nsset_scope scope)
{
	return openat(st->fd, nsset_scope_dir(scope), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int nsset_sessions_make(int setfd)
{
	return mkdirat(setfd, "sessions", 0700);
}

int nsset_sessions_open(int setfd)
{
	return openat(setfd, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int nsset_set_lock(const struct nsset_store *st, const struct nsset_setid *id, int op,
		   struct nsset_err *e)
{
	return nsset_set_lock_wait(st, id, op, 0, -1, e);
}

/* Tries once, or every 50 ms until the time is up. */
static int flock_wait(int fd, int op, int wait_ms)
{
	if (wait_ms < 0) {
		while (flock(fd, op) < 0)
			if (errno != EINTR)
				return -1;
		return 0;
	}
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= wait_ms) {
			errno = EWOULDBLOCK;
			return -1;
		}
		usleep(50000);
	}
}

int nsset_set_lock_wait(const struct nsset_store *st, const struct nsset_setid *id, int op,
			int flags, int wait_ms, struct nsset_err *e)
{
	bool create = !(flags & NSSET_LOCK_NOCREATE);
	char name[64];
	snprintf(name, sizeof(name), "%s/%s.lock", nsset_scope_dir(id->scope), id->id);
	_cleanup_close_ int sfd = nsset_scope_open(st, id->scope);
	if (sfd < 0 && errno == ENOENT && create) {
		/* The first set of this scope in the store. */
		if (mkdirat(st->fd, nsset_scope_dir(id->scope), 0700) < 0 && errno != EEXIST)
			return nsset_fail(e, errno, "%s/%s: mkdir", st->path, nsset_scope_dir(id->scope));
		sfd = nsset_scope_open(st, id->scope);
	}
	if (sfd < 0)
		return nsset_fail(e, errno, "%s/%s: opening the scope directory", st->path,
				  nsset_scope_dir(id->scope));
	char lock[40];
	snprintf(lock, sizeof(lock), "%s.lock", id->id);
	_cleanup_close_ int fd = openat(sfd, lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
					(create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/%s: opening lock", st->path, name);
	if (flock_wait(fd, op, wait_ms) < 0)
		return nsset_fail(e, errno, "%s/%s: flock", st->path, name);
	return TAKE_FD(fd);
}

void nsset_set_lock_drop(const struct nsset_store *st, const struct nsset_setid *id)
{
	/* A session id is never used again: its lock file would pile up.
	 * Safe to unlink under the lock, as nobody else knows the id. */
	if (id->scope != NSSET_SCOPE_SESSION)
		return;
	_cleanup_close_ int sfd = nsset_scope_open(st, id->scope);
	char lock[40];
	snprintf(lock, sizeof(lock), "%s.lock", id->id);
	if (sfd >= 0)
		unlinkat(sfd, lock, 0);
}

int nsset_set_open(const struct nsset_store *st, const struct nsset_setid *id, struct nsset_err *e)
{
	char name[64];
	snprintf(name, sizeof(name), "%s/%s", nsset_scope_dir(id->scope), id->id);
	_cleanup_close_ int sfd = nsset_scope_open(st, id->scope);
	_cleanup_close_ int fd = sfd < 0 ? -1
				: openat(sfd, id->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return nsset_fail_as(e, ENOENT, "%s/%s: no such set", st->path, name);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/%s: opening set", st->path, name);
	char what[PATH_MAX + 64];
	snprintf(what, sizeof(what), "%s/%s", st->path, name);
	if (check_private_dir(fd, what, e) < 0) {
		if (e && e->errnum == 0)
			e->errnum = EPERM;
		return -1;
	}
	return TAKE_FD(fd);
}

int nsset_set_holder_alive(int setfd)
{
	_cleanup_close_ int fd = openat(setfd, "holder.lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	/* The holder keeps an exclusive flock for as long as it lives; the
	 * kernel drops it when the holder dies, however it dies. */
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* ---- meta ------------------------------------------------------------- */

int nsset_meta_read(int setfd, struct nsset_meta *m, struct nsset_err *e)
{
	char buf[4096];
	if (read_small_file_at(setfd, "meta", buf, sizeof(buf)) < 0)
		return nsset_fail(e, errno, "reading set meta");
	if (nsset_meta_parse(buf, m) < 0)
		return nsset_fail(e, 0, "set meta is malformed");
	return 0;
}

int nsset_meta_write(int setfd, const struct nsset_meta *m, struct nsset_err *e)
{
	char buf[4096];
	if (nsset_meta_format(m, buf, sizeof(buf)) < 0)
		return nsset_fail(e, 0, "set meta too long");
	if (write_file_atomic_at(setfd, "meta", buf, strlen(buf), 0600) < 0)
		return nsset_fail(e, errno, "writing set meta");
	return 0;
}

/* ---- removal ---------------------------------------------------------- */

static void remove_sessions_dir(int setfd)
{
	_cleanup_close_ int sfd = nsset_sessions_open(setfd);
	_cleanup_closedir_ DIR *d = sfd < 0 ? NULL : fdopendir(sfd);
	if (d) {
		sfd = -1;       /* d's now */
		struct dirent *de;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				unlinkat(dirfd(d), de->d_name, 0);
	}
	unlinkat(setfd, "sessions", AT_REMOVEDIR);
}

int nsset_store_remove_dir(const struct nsset_store *st, const char *name, struct nsset_err *e)
{
	_cleanup_close_ int dfd = openat(st->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return nsset_fail(e, errno, "%s/%s: open", st->path, name);
	int rc = 0;
	/* An ip netns name (net.netns=yes) would keep the namespace alive
	 * after its file here is gone. */
	struct stat net;
	if (fstatat(dfd, "net", &net, 0) == 0)
		nsset_netns_name_drop(net.st_dev, net.st_ino);
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		char path[PATH_MAX + 128], at[64];
		snprintf(path, sizeof(path), "%s/%s/%s", st->path, name, nsset_nstypes[i].name);
		/* Through the directory's fd: no path component re-resolved. */
		snprintf(at, sizeof(at), "/proc/self/fd/%d/%s", dfd, nsset_nstypes[i].name);
		/* umount first: unlinking a mount point of our own namespace
		 * fails with EBUSY. Then unlink, which also detaches the copies
		 * of this bind mount in mount namespaces made since. */
		if (umount2(at, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
			rc = nsset_fail(e, errno, "%s: umount", path);
		if (unlinkat(dfd, nsset_nstypes[i].name, 0) < 0 && errno != ENOENT)
			rc = nsset_fail(e, errno, "%s: unlink", path);
	}
	remove_sessions_dir(dfd);
	unlinkat(dfd, "meta", 0);
	unlinkat(dfd, ".meta.tmp", 0);
	unlinkat(dfd, "holder.lock", 0);
	close_fd(&dfd);
	if (unlinkat(st->fd, name, AT_REMOVEDIR) < 0 && rc == 0)
		rc = nsset_fail(e, errno, "%s/%s: rmdir", st->path, name);
	return rc;
}

int nsset_set_remove(const struct nsset_store *st, const struct nsset_setid *id,
		     struct nsset_err *e)
{
	char from[64], to[64], hex[17];
	snprintf(from, sizeof(from), "%s/%s", nsset_scope_dir(id->scope), id->id);
	if (random_hex16(hex) < 0)
		return nsset_fail(e, errno, "getrandom");
	snprintf(to, sizeof(to), DEAD_PREFIX "%s", hex);
	/* First make it unreachable for logins, atomically. */
	_cleanup_close_ int sfd = nsset_scope_open(st, id->scope);
	if (sfd < 0)
		return nsset_fail(e, errno, "%s/%s", st->path, nsset_scope_dir(id->scope));
	if (renameat(sfd, id->id, st->fd, to) < 0) {
		if (errno == ENOENT)
			return nsset_fail(e, ENOENT, "%s/%s", st->path, from);
		return nsset_fail(e, errno, "%s/%s: rename", st->path, from);
	}
	/* Its processes are the caller's business (nsset_set_teardown): this
	 * only removes files and mounts. */
	int rc = nsset_store_remove_dir(st, to, e);
	nsset_set_lock_drop(st, id);
	return rc;
}

/* ---- sessions ----------------------------------------------------------- */

int nsset_session_parse(const char *name, pid_t *pid, unsigned long long *start)
{
	char buf[96];
	if (strlen(name) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", name);
	char *dot1 = strchr(buf, '.');
	char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2)
		return -1;
	*dot1 = *dot2 = '\0';
	unsigned long p, s;
	if (parse_ulong(buf, 0x3fffffff, &p) < 0 || p == 0 ||
	    parse_ulong(dot1 + 1, (unsigned long)-1, &s) < 0 || strlen(dot2 + 1) != 16)
		return -1;
	*pid = (pid_t)p;
	*start = s;
	return 0;
}

int nsset_session_tag(const char *name, uint64_t *tag)
{
	const char *dot = strrchr(name, '.');
	if (!dot || strlen(dot + 1) != 16 || strspn(dot + 1, "0123456789abcdef") != 16)
		return -1;
	*tag = strtoull(dot + 1, NULL, 16);
	return 0;
}

void nsset_session_name(char *buf, size_t size, pid_t pid, unsigned long long start, uint64_t tag)
{
	snprintf(buf, size, "%d.%llu.%016llx", (int)pid, start, (unsigned long long)tag);
}

int nsset_session_add(int setfd, pid_t pid, char *name, size_t size, struct nsset_err *e)
{
	char hex[17];
	unsigned long long start = proc_starttime(pid);
	if (!start)
		return nsset_fail(e, errno, "reading the start time of pid %d", (int)pid);
	if (random_hex16(hex) < 0)
		return nsset_fail(e, errno, "getrandom");
	nsset_session_name(name, size, pid, start, strtoull(hex, NULL, 16));
	_cleanup_close_ int sfd = nsset_sessions_open(setfd);
	_cleanup_close_ int fd = sfd < 0 ? -1
			     : openat(sfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return nsset_fail(e, errno, "registering the session");
	return 0;
}

int nsset_session_remove(int setfd, const char *name)
{
	_cleanup_close_ int sfd = nsset_sessions_open(setfd);
	if (sfd < 0)
		return -1;
	return unlinkat(sfd, name, 0);
}

int nsset_session_count(int setfd, bool prune)
{
	_cleanup_close_ int sfd = nsset_sessions_open(setfd);
	if (sfd < 0)
		return -1;
	_cleanup_closedir_ DIR *d = fdopendir(sfd);
	if (!d)
		return -1;
	sfd = -1;       /* d's now */
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		pid_t pid;
		unsigned long long start;
		if (nsset_session_parse(de->d_name, &pid, &start) < 0)
			continue;
		/* Without prune, entries are counted as they are: the caller
		 * may sit in another pid namespace's /proc and cannot judge. */
		bool alive = !prune || proc_starttime(pid) == start;
		if (alive)
			count++;
		else if (prune)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	return count;
}
