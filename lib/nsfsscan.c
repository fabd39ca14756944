/* Where nsfs mounts of some namespaces are, over every mount namespace in
 * /proc; see nsfs.h (nsset_nsfs_mounts). */
#include "nsfs.h"

#include <errno.h>
#include <libmount/libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procscan.h"
#include "util.h"

/* "net:[4026532300]" -> 4026532300 */
static unsigned long long nsfs_root_ino(const char *root)
{
	const char *b = root ? strchr(root, '[') : NULL;
	return b ? strtoull(b + 1, NULL, 10) : 0;
}

struct mounts_walk {
	const unsigned long long *ino;
	size_t n;
	unsigned long long *seen;   /* mount namespaces looked at */
	size_t nseen, cap;
	int count;
	pid_t where;
};

static int count_in(int procfd, pid_t pid, const char *name, void *ctx)
{
	struct mounts_walk *w = ctx;
	unsigned long long mnt = nsset_proc_ino_at(procfd, name, "ns/mnt");
	if (!mnt)
		return 0;
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i] == mnt)
			return 0;
	if (w->nseen == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		unsigned long long *ns = reallocarray(w->seen, cap, sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		w->seen = ns;
		w->cap = cap;
	}
	w->seen[w->nseen++] = mnt;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%.32s/mountinfo", name);
	struct libmnt_table *tb = mnt_new_table_from_file(path);
	if (!tb)
		return 0;       /* exited meanwhile */
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs);
		if (!type || strcmp(type, "nsfs") != 0)
			continue;
		unsigned long long x = nsfs_root_ino(mnt_fs_get_root(fs));
		for (size_t i = 0; i < w->n; i++)
			if (w->ino[i] && w->ino[i] == x) {
				w->count++;
				if (!w->where)
					w->where = pid;
			}
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return 0;
}

int nsset_nsfs_mounts(const unsigned long long *ino, size_t n, pid_t *where,
		      struct nsset_err *e)
{
	*where = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= ino[i] != 0;
	if (!any)
		return 0;
	struct mounts_walk w = { .ino = ino, .n = n };
	int r = nsset_proc_each(count_in, &w, e);
	free(w.seen);
	if (r == -ENOMEM)
		return nsset_fail(e, ENOMEM, "scanning mount namespaces");
	if (r < 0)
		return -1;
	*where = w.where;
	return w.count;
}
