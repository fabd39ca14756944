/* The namespace table; see nstypes.h. */
#include "nstypes.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

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
