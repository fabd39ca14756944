/* What a set's cgroup shows, for the admin's view (nssetctl list, show);
 * see setcg.h. Read-only: it opens the cgroup's directory and reads its
 * interface files, never writes one.
 *
 * The kernel's files are parsed strictly: a value that is not exactly a
 * decimal number (or "max" where the kernel writes it) is taken as
 * unknown and left at 0, never half-read ("12abc" is not 12). */
#include "setcg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "util.h"

/* The largest interface file read here is cpu.stat (about ten lines of
 * "key value" on 6.x); what does not fit is cut, and only whole lines are
 * parsed. */
#define CG_FILE_MAX 1024

/* A whole decimal number, or "max" (UINT64_MAX) when `max_ok`. A single
 * trailing newline is allowed, as the kernel writes one. */
static bool parse_value(const char *s, bool max_ok, uint64_t *out)
{
	size_t len = strcspn(s, "\n");
	if (s[len] == '\n' && s[len + 1] != '\0')
		return false;
	if (max_ok && len == 3 && strncmp(s, "max", 3) == 0) {
		*out = UINT64_MAX;
		return true;
	}
	/* strtoull takes blanks, a sign and a base prefix: digits only. */
	if (len == 0 || len > 20 || strspn(s, "0123456789") != len)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end != s + len)
		return false;
	*out = v;
	return true;
}

/* Reads dirfd/name. 1 with the text, 0 when the file is not there (its
 * controller is not enabled) or cannot be read. */
static int read_file(int dirfd, const char *name, char *buf, size_t size)
{
	return read_small_file_at(dirfd, name, buf, size) < 0 ? 0 : 1;
}

/* A one-value file: "123\n", or "max\n" when max_ok. */
static void read_value(int dirfd, const char *name, bool max_ok, uint64_t *out)
{
	char buf[64];
	uint64_t v;
	if (read_file(dirfd, name, buf, sizeof(buf)) && parse_value(buf, max_ok, &v))
		*out = v;
}

bool nsset_cg_key(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		if (!nl)
			return false;   /* the last line is cut (or has no newline: not the kernel's) */
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			char num[32];
			size_t n = (size_t)(nl - (line + klen + 1));
			if (n >= sizeof(num))
				return false;
			memcpy(num, line + klen + 1, n);
			num[n] = '\0';
			return parse_value(num, false, out);
		}
		line = nl + 1;
	}
	return false;
}

static void read_keys(int dirfd, const char *name, const char *const *keys, uint64_t *const *out,
		      size_t n)
{
	char buf[CG_FILE_MAX];
	if (!read_file(dirfd, name, buf, sizeof(buf)))
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (nsset_cg_key(buf, keys[i], &v))
			*out[i] = v;
	}
}

int nsset_cg_usage_at(int dirfd, struct nsset_cg_usage *u, struct nsset_err *e)
{
	memset(u, 0, sizeof(*u));
	/* Every cgroup v2 directory has cgroup.procs; a removed cgroup's
	 * directory, still open, has none of its files any more. */
	if (faccessat(dirfd, "cgroup.procs", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return nsset_fail(e, errno, "cgroup.procs");
	read_value(dirfd, "memory.current", false, &u->memory_current);
	read_value(dirfd, "memory.max", true, &u->memory_max);
	read_value(dirfd, "memory.high", true, &u->memory_high);
	read_value(dirfd, "pids.current", false, &u->pids_current);
	read_value(dirfd, "pids.max", true, &u->pids_max);
	{
		static const char *const keys[] = { "usage_usec" };
		uint64_t *const out[] = { &u->cpu_usec };
		read_keys(dirfd, "cpu.stat", keys, out, 1);
	}
	{
		/* "max": times memory.max was about to be crossed (reclaim or
		 * OOM followed); "oom_kill": processes the OOM killer ended. */
		static const char *const keys[] = { "oom_kill", "max" };
		uint64_t *const out[] = { &u->oom_kill, &u->memory_max_hits };
		read_keys(dirfd, "memory.events", keys, out, 2);
	}
	{
		/* "max": forks refused at pids.max (in this cgroup or below). */
		static const char *const keys[] = { "max" };
		uint64_t *const out[] = { &u->pids_max_hits };
		read_keys(dirfd, "pids.events", keys, out, 1);
	}
	return 0;
}

int nsset_cg_usage(const char *path, struct nsset_cg_usage *u, struct nsset_err *e)
{
	char mnt[64];
	memset(u, 0, sizeof(*u));
	if (path[0] != '/')
		return nsset_fail(e, EINVAL, "cgroup path '%s' is not below the cgroup2 mount", path);
	if (nsset_cg_mount(mnt, sizeof(mnt), e) < 0)
		return -1;
	if (strlen(path) >= NSSET_CGPATH_MAX)
		return nsset_fail(e, ENAMETOOLONG, "cgroup path %s", path);
	_cleanup_close_ int fd = nsset_cg_open(mnt, path, e);
	if (fd < 0)
		return -1;
	if (nsset_cg_usage_at(fd, u, e) < 0) {
		nsset_err_prefix(e, "cgroup %s%s: ", mnt, path);
		return -1;
	}
	return 0;
}
