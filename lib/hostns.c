/* The host's namespaces, and who sits in a set's; see hostns.h. */
#include "hostns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nstypes.h"
#include "util.h"

#define HOST_RECORD ".host"
/* PROC_USER_INIT_INO: the initial user namespace's fixed inode. */
#define INIT_USER_NS_INO 0xEFFFFFFDUL

static int id_of(const char *path, struct nsset_nsid *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return -1;
	id->present = true;
	id->dev = (unsigned long long)st.st_dev;
	id->ino = (unsigned long long)st.st_ino;
	return 0;
}

static bool same_id(const struct nsset_nsid *a, const struct nsset_nsid *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino;
}

/* The namespaces of process `who` ("1", "self") as this process sees them;
 * a type the kernel lacks is left not present. */
static int ids_of(const char *who, struct nsset_hostns *h, struct nsset_err *e)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", who, nsset_nstypes[i].name);
		if (id_of(path, &h->ns[i]) < 0 && errno != ENOENT)
			return nsset_fail(e, errno, "%s", path);
	}
	return 0;
}

int nsset_hostns_read(int store_fd, struct nsset_hostns *h, struct nsset_err *e)
{
	char text[1024];
	memset(h, 0, sizeof(*h));
	if (read_small_file_at(store_fd, HOST_RECORD, text, sizeof(text)) < 0)
		return nsset_fail(e, errno, "reading the store's record of the host namespaces (%s)",
				  HOST_RECORD);
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[16];
		unsigned long long dev, ino;
		if (sscanf(line, "%15s %llu %llu", name, &dev, &ino) != 3)
			return nsset_fail(e, 0, "%s: malformed line '%s'", HOST_RECORD, line);
		size_t i = 0;
		while (i < nsset_nstype_count && strcmp(nsset_nstypes[i].name, name) != 0)
			i++;
		if (i == nsset_nstype_count)
			return nsset_fail(e, 0, "%s: unknown namespace '%s'", HOST_RECORD, name);
		h->ns[i] = (struct nsset_nsid){ .present = true, .dev = dev, .ino = ino };
	}
	/* Every kernel since 4.6 has these: a record without one is not ours. */
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (!h->ns[i].present && !nsset_nstypes[i].optional)
			return nsset_fail(e, 0, "%s: no entry for %s", HOST_RECORD, nsset_nstypes[i].name);
	return 0;
}

int nsset_hostns_ensure(int store_fd, struct nsset_err *e)
{
	if (faccessat(store_fd, HOST_RECORD, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return nsset_fail(e, errno, "%s", HOST_RECORD);
	/* PID 1 as the store's maker sees it. The maker is root (sshd, login,
	 * su, nsset-enter after its checks) and no set exists yet when the
	 * store is made, so it cannot sit in a set; a store of an older
	 * version gets its record from the first login after the upgrade,
	 * which the same check then covers. */
	struct nsset_hostns h;
	if (ids_of("1", &h, e) < 0)
		return -1;
	char text[1024];
	size_t len = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (h.ns[i].present)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %llu %llu\n",
						nsset_nstypes[i].name, h.ns[i].dev, h.ns[i].ino);
	/* Two first logins may race here: both write the same text. */
	if (write_file_atomic_at(store_fd, HOST_RECORD, text, len, 0600) < 0)
		return nsset_fail(e, errno, "writing %s", HOST_RECORD);
	return 0;
}

int nsset_hostns_enter(int store_fd, struct nsset_err *e)
{
	struct stat st;
	if (stat("/proc/self/ns/user", &st) < 0 || st.st_ino != INIT_USER_NS_INO)
		return nsset_fail(e, 0, "started inside a user namespace: a set's holder runs only "
				  "in the initial one");
	struct nsset_hostns want, self;
	if (nsset_hostns_read(store_fd, &want, e) < 0 || ids_of("self", &self, e) < 0)
		return -1;
	/* setns() can only go down the pid namespace tree, never back up to
	 * an ancestor: a starter in a pid namespace of its own cannot have a
	 * holder in the host's. Refused, not corrected. */
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (nsset_nstypes[i].flag == CLONE_NEWPID && !same_id(&self.ns[i], &want.ns[i]))
			return nsset_fail(e, 0, "started inside a pid namespace that is not the host's: "
					  "no process can return from there to the host's, so no set's "
					  "holder can be made from here");
	/* All opened and checked first, then joined in the table's order
	 * (mnt last: after it, paths resolve in the host's mount table). */
	int fds[NSSET_NS_MAX];
	int rc = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		fds[i] = -1;
		if (rc < 0 || !want.ns[i].present)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/1/ns/%s", nsset_nstypes[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		struct nsset_nsid have = { 0 };
		if (fds[i] >= 0 && fstat(fds[i], &st) == 0)
			have = (struct nsset_nsid){ .present = true, .dev = (unsigned long long)st.st_dev,
						    .ino = (unsigned long long)st.st_ino };
		if (fds[i] < 0)
			rc = nsset_fail(e, errno, "%s", path);
		else if (!same_id(&have, &want.ns[i]))
			/* /proc is not the host's: the starter sits in a pid
			 * namespace of its own, where PID 1 is someone else. */
			rc = nsset_fail(e, 0, "PID 1's %s namespace as seen from here is not the host's "
					"recorded in the store: not starting a holder from inside another "
					"pid namespace", nsset_nstypes[i].name);
	}
	for (size_t i = 0; i < nsset_nstype_count && rc == 0; i++)
		if (fds[i] >= 0 && setns(fds[i], nsset_nstypes[i].flag) < 0)
			rc = nsset_fail(e, errno, "entering the host's %s namespace", nsset_nstypes[i].name);
	for (size_t i = 0; i < nsset_nstype_count; i++)
		close_fd(&fds[i]);
	return rc;
}

int nsset_hostns_verify(int store_fd, struct nsset_err *e)
{
	struct nsset_hostns want, have;
	if (nsset_hostns_read(store_fd, &want, e) < 0 || ids_of("self", &have, e) < 0)
		return -1;
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (!same_id(&want.ns[i], &have.ns[i]))
			return nsset_fail(e, 0, "the holder's %s namespace is not the host's",
					  nsset_nstypes[i].name);
	return 0;
}

/* ---- the caller --------------------------------------------------------- */

/* The set (scope/id) in the store with namespace file `type` = id, if any. */
static bool set_with_ns(const struct nsset_store *st, const char *type, const struct nsset_nsid *id,
			char *setname, size_t size)
{
	static const enum nsset_scope scopes[] = { NSSET_SCOPE_USER, NSSET_SCOPE_GROUP,
						   NSSET_SCOPE_SESSION };
	bool found = false;
	for (size_t s = 0; s < 3 && !found; s++) {
		_cleanup_close_ int sfd = nsset_scope_open(st, scopes[s]);
		_cleanup_closedir_ DIR *d = sfd < 0 ? NULL : fdopendir(sfd);
		if (!d)
			continue;
		sfd = -1;       /* d's now */
		struct dirent *de;
		while (!found && (de = readdir(d)) != NULL) {
			/* ., .., the *.lock files; set ids are short. */
			if (de->d_name[0] == '.' || strchr(de->d_name, '.') || strlen(de->d_name) > 23)
				continue;
			_cleanup_close_ int setfd = openat(dirfd(d), de->d_name,
							   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			struct stat ns;
			found = setfd >= 0 && fstatat(setfd, type, &ns, AT_SYMLINK_NOFOLLOW) == 0 &&
				(unsigned long long)ns.st_dev == id->dev &&
				(unsigned long long)ns.st_ino == id->ino;
			if (found)
				snprintf(setname, size, "%s/%.23s", nsset_scope_dir(scopes[s]), de->d_name);
		}
	}
	return found;
}

int nsset_caller_check(const struct nsset_store *st, const struct nsset_setid *target,
		       struct nsset_err *e)
{
	struct stat us;
	if (stat("/proc/self/ns/user", &us) < 0 || us.st_ino != INIT_USER_NS_INO)
		return nsset_fail(e, 0, "this process sits in a user namespace: nsset places logins "
				  "only from the initial one");
	struct nsset_hostns host, self;
	if (nsset_hostns_ensure(st->fd, e) < 0 || nsset_hostns_read(st->fd, &host, e) < 0 ||
	    ids_of("self", &self, e) < 0)
		return -1;
	char want[64];
	nsset_setid_name(target, want, sizeof(want));
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		/* The host's (the common case: one stat per type), or a
		 * namespace that no set of the store has. */
		char inside[64];
		if (same_id(&self.ns[i], &host.ns[i]) || !self.ns[i].present ||
		    !set_with_ns(st, nsset_nstypes[i].name, &self.ns[i], inside, sizeof(inside)) ||
		    strcmp(inside, want) == 0)
			continue;
		return nsset_fail(e, 0, "this process sits in the %s namespace of set %s, not in the "
				  "host's: nsset will not place it into set %s from there (log in "
				  "again from outside any set)", nsset_nstypes[i].name, inside, want);
	}
	return 0;
}
