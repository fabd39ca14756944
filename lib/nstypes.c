/* The namespace table; see nstypes.h. */
#include "nstypes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ROW_(name, flag, rank, watch, children, optional, made) \
	{ name, flag, rank, watch, children, optional, made },
const struct nsset_nstype nsset_nstypes[NSSET_NS_MAX] = { NSSET_NSTYPES(ROW_) };
const size_t nsset_nstype_count = NSSET_NS_MAX;

/* What ties the rest of the tree to the table, checked by the compiler:
 * arrays sized NSSET_NS_MAX hold one slot per row; every flag is one bit
 * of its own (so the sum of the flags is their union) and fits the int
 * masks; the ranks are each a permutation of 0..NSSET_NS_MAX-1 (the sum of
 * 1 << rank has every bit below NSSET_NS_MAX set exactly once). */
#define SUM_FLAG_(name, flag, ...) + (long long)(flag)
#define ONE_BIT_(name, flag, ...) && ((flag) > 0 && ((flag) & ((flag) - 1)) == 0)
#define RANK_BIT_(name, flag, rank, ...) + (1LL << (rank))
#define WATCH_BIT_(name, flag, rank, watch, ...) + (1LL << (watch))
_Static_assert((0 NSSET_NSTYPES(NSSET_NSTYPE_COUNT_)) == NSSET_NS_MAX,
	       "NSSET_NS_MAX must be the number of rows of NSSET_NSTYPES");
_Static_assert(1 NSSET_NSTYPES(ONE_BIT_), "each CLONE_NEW* flag must be a single bit");
_Static_assert((0 NSSET_NSTYPES(SUM_FLAG_)) == (long long)NSSET_NS_ALL_FLAGS,
	       "CLONE_NEW* flags must be distinct");
_Static_assert(NSSET_NS_ALL_FLAGS > 0, "the namespace mask must fit an int");
_Static_assert((0 NSSET_NSTYPES(RANK_BIT_)) == (1LL << NSSET_NS_MAX) - 1,
	       "display ranks must be 0..NSSET_NS_MAX-1, each once");
_Static_assert((0 NSSET_NSTYPES(WATCH_BIT_)) == (1LL << NSSET_NS_MAX) - 1,
	       "watch ranks must be 0..NSSET_NS_MAX-1, each once");

const struct nsset_nstype *nsset_nstype_ranked(unsigned r)
{
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (nsset_nstypes[i].rank == r)
			return &nsset_nstypes[i];
	return NULL;
}

const struct nsset_nstype *nsset_nstype_watched(unsigned r)
{
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (nsset_nstypes[i].watch == r)
			return &nsset_nstypes[i];
	return NULL;
}

const struct nsset_nstype *nsset_nstype_named(const char *name)
{
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (strcmp(nsset_nstypes[i].name, name) == 0)
			return &nsset_nstypes[i];
	return NULL;
}

int nsset_nstype_flag(const char *name)
{
	const struct nsset_nstype *t = nsset_nstype_named(name);
	return t ? t->flag : 0;
}

int nsset_nsflags_made(int flags, enum nsset_ns_made how)
{
	int made = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (nsset_nstypes[i].made == how)
			made |= nsset_nstypes[i].flag;
	return flags & made;
}

char *nsset_nsflags_format(int flags, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (unsigned r = 0; r < NSSET_NS_MAX; r++) {
		const struct nsset_nstype *t = nsset_nstype_ranked(r);
		if (!(flags & t->flag))
			continue;
		int n = snprintf(buf + len, size > len ? size - len : 0, "%s%s",
				 len ? "," : "", t->name);
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
