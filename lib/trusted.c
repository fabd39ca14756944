/* Opening root's files safely; see trusted.h. */
#include "trusted.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The file being opened and its role, for messages. */
struct target {
	const char *path;
	const char *what;
};

static int check_dir(const struct target *t, const char *dir, const struct stat *st,
		     struct nsset_err *e)
{
	if (!S_ISDIR(st->st_mode))
		return nsset_fail(e, 0, "%s: refusing %s: %s is not a directory", t->path, t->what, dir);
	if (st->st_uid != 0)
		return nsset_fail(e, 0, "%s: refusing %s: directory %s owned by uid %u, not root",
				  t->path, t->what, dir, (unsigned)st->st_uid);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
		return nsset_fail(e, 0, "%s: refusing %s: directory %s writable by group or others "
				  "(mode %04o)", t->path, t->what, dir, (unsigned)(st->st_mode & 07777));
	return 0;
}

static int check_file(const struct target *t, const struct stat *st, struct nsset_err *e)
{
	if (S_ISLNK(st->st_mode))
		return nsset_fail(e, 0, "%s: refusing %s: is a symbolic link", t->path, t->what);
	if (!S_ISREG(st->st_mode))
		return nsset_fail(e, 0, "%s: refusing %s: not a regular file", t->path, t->what);
	if (st->st_uid != 0)
		return nsset_fail(e, 0, "%s: refusing %s: owned by uid %u, not root",
				  t->path, t->what, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return nsset_fail(e, 0, "%s: refusing %s: writable by group or others (mode %04o)",
				  t->path, t->what, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Explains a failed openat() of `name` in `dirfd`: O_NOFOLLOW reports a
 * symlink as ELOOP (file) or ENOTDIR (directory), which would read as a
 * puzzle; say what it is instead. `dir` is NULL for the file itself. */
static int open_fail(const struct target *t, const char *dir, int dirfd, const char *name,
		     int err, struct nsset_err *e)
{
	struct stat st;
	if ((err == ELOOP || err == ENOTDIR) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		if (dir)
			return nsset_fail(e, 0, "%s: refusing %s: %s is a symbolic link",
					  t->path, t->what, dir);
		return nsset_fail(e, 0, "%s: refusing %s: is a symbolic link", t->path, t->what);
	}
	return nsset_fail(e, err, "%s: cannot open %s", t->path, t->what);
}

static int stat_dir(const struct target *t, const char *dir, int fd, struct nsset_err *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nsset_fail(e, errno, "%s: cannot open %s: fstat %s", t->path, t->what, dir);
	return check_dir(t, dir, &st, e);
}

/* Opens every directory of the path from "/" down, checking each, and
 * returns an O_PATH fd of the last one; *base points at the file name. */
static int open_parent(const struct target *t, const char **base, struct nsset_err *e)
{
	_cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsset_fail(e, errno, "%s: cannot open %s: /", t->path, t->what);
	if (stat_dir(t, "/", fd, e) < 0)
		return -1;

	const char *p = t->path;
	for (;;) {
		while (*p == '/')
			p++;
		const char *slash = strchr(p, '/');
		if (!slash)
			break;          /* p is the file name */
		size_t n = (size_t)(slash - p);
		char name[NAME_MAX + 1], dir[PATH_MAX];
		if (n > NAME_MAX)
			return nsset_fail(e, ENAMETOOLONG, "%s: cannot open %s", t->path, t->what);
		memcpy(name, p, n);
		name[n] = '\0';
		/* "." and ".." would make the walk check other directories than
		 * the path names; a path of root's never needs them. */
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return nsset_fail(e, 0, "%s: refusing %s: '.' or '..' in path", t->path, t->what);
		/* The prefix for messages, e.g. "/etc/security". */
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - t->path), t->path);

		int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			return open_fail(t, dir, fd, name, errno, e);
		close_fd(&fd);
		fd = next;
		if (stat_dir(t, dir, fd, e) < 0)
			return -1;
		p = slash;
	}
	if (*p == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
		return nsset_fail(e, 0, "%s: refusing %s: not a file name", t->path, t->what);
	*base = p;
	return TAKE_FD(fd);
}

int nsset_trusted_open(const char *path, const char *what, struct nsset_err *e)
{
	const struct target t = { .path = path ? path : "(null)", .what = what };
	if (!path || path[0] != '/')
		return nsset_fail(e, 0, "%s: refusing %s: path is not absolute", t.path, what);
	if (strlen(path) >= PATH_MAX)
		return nsset_fail(e, ENAMETOOLONG, "%s: cannot open %s", path, what);

	const char *base;
	_cleanup_close_ int dirfd = open_parent(&t, &base, e);
	if (dirfd < 0)
		return -1;

	/* Look before opening: opening a device node can have side effects
	 * (a tape rewinds), and this gives the clearer message for a symlink. */
	struct stat before, st;
	if (fstatat(dirfd, base, &before, AT_SYMLINK_NOFOLLOW) < 0)
		return nsset_fail(e, errno, "%s: cannot open %s", path, what);
	if (check_file(&t, &before, e) < 0)
		return -1;
	/* O_NONBLOCK: should a FIFO be swapped in after the look, the open
	 * must not hang the login; the fstat below then refuses it. */
	_cleanup_close_ int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return open_fail(&t, NULL, dirfd, base, errno, e);
	close_fd(&dirfd);
	if (fstat(fd, &st) < 0)
		return nsset_fail(e, errno, "%s: cannot open %s", path, what);
	if (check_file(&t, &st, e) < 0)
		return -1;
	return TAKE_FD(fd);
}
