/* Small system utilities; see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

bool is_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end) {
		errno = errno ? errno : EINVAL;
		return -1;
	}
	if (v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

unsigned long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	ssize_t n = read_full(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields restart after the
	 * last ')'. starttime is field 22, i.e. the 20th after the ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	/* A zombie (or a process being torn down) has ended: whatever it
	 * stood for (a session, a holder, a pid namespace's init) is over. */
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'X' || *p == 'x')
		return 0;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (field == 22)
			return strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			return 0;
	}
	return 0;
}

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif

unsigned long long pidfs_ino_of(pid_t pid)
{
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return 0;
	struct statfs sfs;
	struct stat st;
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PID_FS_MAGIC && fstat(fd, &st) == 0)
		return (unsigned long long)st.st_ino;
	return 0;
}

int pidfd_open_verified(pid_t pid, unsigned long long ino, unsigned long long start)
{
	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;      /* ESRCH: gone; anything else: cannot tell */
	bool same;
	if (ino) {
		struct stat st;
		/* A pidfd becomes readable when its process has exited. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		same = fstat(fd, &st) == 0 && (unsigned long long)st.st_ino == ino &&
		       poll(&p, 1, 0) == 0;
	} else {
		same = start != 0 && proc_starttime(pid) == start;
	}
	if (!same) {
		errno = ESRCH;
		return -1;
	}
	return TAKE_FD(fd);
}

int random_hex16(char *buf)
{
	unsigned char raw[8];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

void close_fd(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

void cleanup_freep(void *p)
{
	int saved = errno;
	free(*(void **)p);
	errno = saved;
}

void cleanup_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

void cleanup_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

ssize_t read_small_file_at(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	ssize_t n = read_full(fd, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Removes the temporary file of a failed write_file_atomic_at; keeps errno. */
static int drop_tmp(int dirfd, const char *tmp)
{
	int saved = errno;
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	char tmp[256];
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlinkat(dirfd, tmp, 0);
	_cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	if (write_full(fd, data, len) < 0 || fsync(fd) < 0)
		return drop_tmp(dirfd, tmp);
	close_fd(&fd);
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		return drop_tmp(dirfd, tmp);
	return 0;
}
