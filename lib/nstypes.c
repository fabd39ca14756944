/* The namespace table; see nstypes.h. */
#include "nstypes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Join order: everything that only changes what the process can reach first,
 * pid and time (which mostly affect children) next, mnt last, because joining
 * the mount namespace changes root and cwd and after it no path of the host
 * may be resolved any more. All files are opened and verified before the
 * first setns(), so the order never decides which files get opened. */
const struct nsset_nstype nsset_nstypes[] = {
	{ "cgroup", CLONE_NEWCGROUP },
	{ "ipc",    CLONE_NEWIPC },
	{ "uts",    CLONE_NEWUTS },
	{ "net",    CLONE_NEWNET },
	{ "time",   CLONE_NEWTIME },
	{ "pid",    CLONE_NEWPID },
	{ "mnt",    CLONE_NEWNS },
};
const size_t nsset_nstype_count = sizeof(nsset_nstypes) / sizeof(nsset_nstypes[0]);

int nsset_nstype_flag(const char *name)
{
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (strcmp(nsset_nstypes[i].name, name) == 0)
			return nsset_nstypes[i].flag;
	return 0;
}

char *nsset_nsflags_format(int flags, char *buf, size_t size)
{
	/* Print in the familiar order, not join order. */
	static const char *const order[] = { "mnt", "uts", "ipc", "net", "pid", "cgroup", "time" };
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(flags & nsset_nstype_flag(order[i])))
			continue;
		int n = snprintf(buf + len, size > len ? size - len : 0, "%s%s",
				 len ? "," : "", order[i]);
		if (n > 0)
			len += (size_t)n;
	}
	return buf;
}

int nsset_nsflags_parse(const char *list, char *bad, size_t badsize)
{
	int flags = 0;
	const char *p = list;
	if (bad && badsize)
		bad[0] = '\0';
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char word[32];
		int flag = 0;
		if (len > 0 && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			flag = strcmp(word, "all") == 0 ? NSSET_NS_ALL_FLAGS
							: nsset_nstype_flag(word);
		}
		if (!flag) {
			if (bad && badsize)
				snprintf(bad, badsize, "%.*s", (int)(len < badsize ? len : badsize - 1), p);
			return -1;
		}
		flags |= flag;
		if (!comma)
			break;
		p = comma + 1;
	}
	return flags;
}

int nsset_nstypes_unsupported(int flags, const char *nsdir, struct nsset_err *e)
{
	if (!nsdir)
		nsdir = NSSET_PROC_NS_DIR;
	int missing = 0, n = 0;
	char names[128] = "", paths[512] = "";
	size_t nlen = 0, plen = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		const struct nsset_nstype *t = &nsset_nstypes[i];
		if (!(flags & t->flag))
			continue;
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", nsdir, t->name);
		/* The entry itself (a magic link): whether it exists is the
		 * question, not what it points to. */
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (errno != ENOENT)
			return nsset_fail(e, errno, "%s", path);
		missing |= t->flag;
		n++;
		int w = snprintf(names + nlen, sizeof(names) - nlen, "%s'%s'", nlen ? ", " : "",
				 t->name);
		if (w > 0 && (size_t)w < sizeof(names) - nlen)
			nlen += (size_t)w;
		w = snprintf(paths + plen, sizeof(paths) - plen, "%s%s", plen ? ", " : "", path);
		if (w > 0 && (size_t)w < sizeof(paths) - plen)
			plen += (size_t)w;
	}
	if (!missing)
		return 0;
	/* No entry at all may mean no /proc rather than an odd kernel. */
	struct stat st;
	if (stat(nsdir, &st) < 0)
		return nsset_fail(e, errno, "cannot tell which namespaces this kernel supports: %s",
				  nsdir);
	nsset_fail(e, 0, "namespace%s %s %s not supported by this kernel (no %s)", n > 1 ? "s" : "",
		   names, n > 1 ? "are" : "is", paths);
	return missing;
}
