/* The host's namespaces, and who sits in a set's; see hostns.h. */
#include "hostns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <limits.h>
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

/* Writes the record: PID 1 as the store's maker sees it. The maker is root
 * (sshd, login, su, nsset-enter after its checks) and no set exists yet
 * when the store is made, so it cannot sit in a set; a store of an older
 * version gets its record from the first login after the upgrade, which
 * the same check then covers. */
static int write_record(int store_fd, struct nsset_err *e)
{
	struct nsset_hostns h;
	if (ids_of("1", &h, e) < 0)
		return -1;
	char text[1024];
	size_t len = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++)
		if (h.ns[i].present)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s %llu %llu\n",
						nsset_nstypes[i].name, h.ns[i].dev, h.ns[i].ino);
	if (write_file_atomic_at(store_fd, HOST_RECORD, text, len, 0600) < 0)
		return nsset_fail(e, errno, "writing %s", HOST_RECORD);
	return 0;
}

int nsset_hostns_ensure(int store_fd, struct nsset_err *e)
{
	if (faccessat(store_fd, HOST_RECORD, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return nsset_fail(e, errno, "%s", HOST_RECORD);
	/* The first logins since boot come at once: they take turns on the
	 * store's directory, and the later ones find the record written.
	 * (The atomic write's temporary file has one name: two writers at
	 * once unlink each other's and one of them fails.) */
	while (flock(store_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return nsset_fail(e, errno, "locking the store to write %s", HOST_RECORD);
	int rc = 0;
	if (faccessat(store_fd, HOST_RECORD, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		rc = errno == ENOENT ? write_record(store_fd, e)
				     : nsset_fail(e, errno, "%s", HOST_RECORD);
	flock(store_fd, LOCK_UN);
	return rc;
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

/* What the caller's children get, for the types that have such an entry
 * (pid, time: pid_for_children...); its own for the others. */
static int child_ids_of_self(struct nsset_hostns *h, struct nsset_err *e)
{
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		const char *name = nsset_nstypes[i].children ? nsset_nstypes[i].children
							     : nsset_nstypes[i].name;
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
		if (id_of(path, &h->ns[i]) < 0 && errno != ENOENT)
			return nsset_fail(e, errno, "%s", path);
	}
	return 0;
}

/* Whether the set `found` is where a login into `target` goes: the same
 * set, or for a session login (a new id each time) a session set of the
 * same owner. */
static bool is_target(const struct nsset_setid *found, bool has_owner, unsigned long owner,
		      const struct nsset_setid *target, unsigned long want_owner)
{
	if (found->scope != target->scope)
		return false;
	if (target->scope != NSSET_SCOPE_SESSION)
		return strcmp(found->id, target->id) == 0;
	return has_owner && owner == want_owner;
}

/* "set user/1000", or "a new session set": what the log says the login
 * was meant for. */
static void target_text(const struct nsset_setid *target, char *buf, size_t size)
{
	char name[64];
	nsset_setid_name(target, name, sizeof(name));
	if (target->scope == NSSET_SCOPE_SESSION)
		snprintf(buf, size, "a new session set");
	else
		snprintf(buf, size, "set %s", name);
}

int nsset_marker_check(const char *store_path, struct nsset_marker *m)
{
	memset(m, 0, sizeof(*m));
	char file[PATH_MAX], text[1024];
	snprintf(file, sizeof(file), "%s/" NSSET_MARKER_NAME, store_path);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	struct stat st;
	struct statfs sfs;
	/* Only a root-owned file on a read-only tmpfs counts: setup.c made it
	 * in a mount namespace no user can mount in. In a user namespace
	 * (where a user may mount, and be "root") nothing counts. */
	if (stat("/proc/self/ns/user", &st) < 0 || st.st_ino != INIT_USER_NS_INO)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    fstatfs(fd, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC || !(sfs.f_flags & ST_RDONLY))
		return -1;
	ssize_t n = read_full(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	struct nsset_hostns self, kids;
	if (ids_of("self", &self, NULL) < 0 || child_ids_of_self(&kids, NULL) < 0)
		return -1;
	bool named = false;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		unsigned long v;
		if (strcmp(line, "set") == 0) {
			named = snprintf(m->set, sizeof(m->set), "%s", eq + 1) < (int)sizeof(m->set);
			continue;
		}
		if (parse_ulong(eq + 1, ~0UL, &v) < 0)
			return -1;
		if (strcmp(line, "owner") == 0) {
			m->has_owner = true;
			m->owner_id = v;
			continue;
		}
		const struct nsset_nstype *t = nsset_nstype_named(line);
		if (!t)
			return -1;
		size_t i = (size_t)(t - nsset_nstypes);
		/* The inode alone: every namespace file lives on the one nsfs. */
		if (!self.ns[i].present || self.ns[i].ino != v || !kids.ns[i].present ||
		    kids.ns[i].ino != v)
			return -1;
	}
	return named ? 1 : -1;
}

int nsset_caller_marked(const char *store_path, const struct nsset_setid *target,
			unsigned long owner_id, char *inside, size_t size, struct nsset_err *e)
{
	struct nsset_marker m;
	int in = nsset_marker_check(store_path, &m);
	if (in == 0)
		return 0;
	char want[80];
	target_text(target, want, sizeof(want));
	if (in < 0) {
		nsset_fail(e, 0, "this process sits in the mount namespace of a set but not in all "
			   "of its namespaces (%s/" NSSET_MARKER_NAME " does not match): nsset will not "
			   "place it into %s from there", store_path, want);
		return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
	}
	struct nsset_setid found;
	if (nsset_setid_parse(m.set, &found) == 0 &&
	    is_target(&found, m.has_owner, m.owner_id, target, owner_id)) {
		snprintf(inside, size, "%s", m.set);
		return 1;
	}
	nsset_fail(e, 0, "this process sits in set %s, not in the host's namespaces: nsset will "
		   "not place it into %s from there (log in again from outside any set)", m.set, want);
	return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
}

/* The set in the store with namespace file `type` = id, if any. */
static bool set_with_ns(const struct nsset_store *st, const char *type, const struct nsset_nsid *id,
			struct nsset_setid *found)
{
	static const enum nsset_scope scopes[] = { NSSET_SCOPE_USER, NSSET_SCOPE_GROUP,
						   NSSET_SCOPE_SESSION };
	for (size_t s = 0; s < 3; s++) {
		_cleanup_close_ int sfd = nsset_scope_open(st, scopes[s]);
		_cleanup_closedir_ DIR *d = sfd < 0 ? NULL : fdopendir(sfd);
		if (!d)
			continue;
		sfd = -1;       /* d's now */
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			/* ., .., the *.lock files; set ids are short. */
			if (de->d_name[0] == '.' || strchr(de->d_name, '.') ||
			    strlen(de->d_name) >= sizeof(found->id))
				continue;
			_cleanup_close_ int setfd = openat(dirfd(d), de->d_name,
							   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			struct stat ns;
			if (setfd >= 0 && fstatat(setfd, type, &ns, AT_SYMLINK_NOFOLLOW) == 0 &&
			    (unsigned long long)ns.st_dev == id->dev &&
			    (unsigned long long)ns.st_ino == id->ino) {
				found->scope = scopes[s];
				snprintf(found->id, sizeof(found->id), "%s", de->d_name);
				return true;
			}
		}
	}
	return false;
}

/* The owner a set's record names (a session set's user). */
static bool owner_of(const struct nsset_store *st, const struct nsset_setid *id, unsigned long *owner)
{
	_cleanup_close_ int setfd = nsset_set_open(st, id, NULL);
	struct nsset_meta m;
	if (setfd < 0 || nsset_meta_read(setfd, &m, NULL) < 0)
		return false;
	*owner = m.owner_id;
	return true;
}

/* Whether the caller (self: its own namespaces, kids: its children's)
 * sits in every namespace whose file the set has. */
static bool in_every_ns(const struct nsset_store *st, const struct nsset_setid *id,
			const struct nsset_hostns *self, const struct nsset_hostns *kids)
{
	_cleanup_close_ int setfd = nsset_set_open(st, id, NULL);
	if (setfd < 0)
		return false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		struct stat ns;
		if (fstatat(setfd, nsset_nstypes[i].name, &ns, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;       /* the set lacks the type */
			return false;
		}
		struct nsset_nsid want = { .present = true, .dev = (unsigned long long)ns.st_dev,
					   .ino = (unsigned long long)ns.st_ino };
		if (!same_id(&self->ns[i], &want) || !same_id(&kids->ns[i], &want))
			return false;
	}
	return true;
}

int nsset_caller_check(const struct nsset_store *st, const struct nsset_setid *target,
		       unsigned long owner_id, char *inside, size_t size, struct nsset_err *e)
{
	struct stat us;
	if (stat("/proc/self/ns/user", &us) < 0 || us.st_ino != INIT_USER_NS_INO) {
		nsset_fail(e, 0, "this process sits in a user namespace: nsset places logins only "
			   "from the initial one");
		return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
	}
	struct nsset_hostns host, self, kids;
	if (nsset_hostns_ensure(st->fd, e) < 0 || nsset_hostns_read(st->fd, &host, e) < 0 ||
	    ids_of("self", &self, e) < 0)
		return -1;
	char want[80];
	target_text(target, want, sizeof(want));
	struct nsset_setid in_set = { 0 };
	bool in_any = false;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		/* The host's (the common case: one stat per type), or a
		 * namespace that no set of the store has. */
		struct nsset_setid found;
		if (same_id(&self.ns[i], &host.ns[i]) || !self.ns[i].present ||
		    !set_with_ns(st, nsset_nstypes[i].name, &self.ns[i], &found))
			continue;
		unsigned long owner = 0;
		bool has_owner = target->scope == NSSET_SCOPE_SESSION &&
				 found.scope == NSSET_SCOPE_SESSION && owner_of(st, &found, &owner);
		bool same_set = !in_any || (found.scope == in_set.scope &&
					    strcmp(found.id, in_set.id) == 0);
		if (same_set && is_target(&found, has_owner, owner, target, owner_id)) {
			in_set = found;
			in_any = true;
			continue;
		}
		char name[64];
		nsset_setid_name(&found, name, sizeof(name));
		nsset_fail(e, 0, "this process sits in the %s namespace of set %s, not in the host's: "
			   "nsset will not place it into %s from there (log in again from outside "
			   "any set)", nsset_nstypes[i].name, name, want);
		return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
	}
	if (!in_any)
		return 0;       /* the common case: the host's namespaces */
	if (child_ids_of_self(&kids, e) < 0)
		return -1;
	if (in_every_ns(st, &in_set, &self, &kids)) {
		nsset_setid_name(&in_set, inside, size);
		return 1;
	}
	/* Some of the target's namespaces: joining completes it... unless
	 * the target is a new session set, which this one is not. */
	if (target->scope != NSSET_SCOPE_SESSION)
		return 0;
	char name[64];
	nsset_setid_name(&in_set, name, sizeof(name));
	nsset_fail(e, 0, "this process sits in some namespaces of set %s: nsset will not place it "
		   "into %s from there (log in again from outside any set)", name, want);
	return nsset_refuse(e, NSSET_REFUSAL_INSIDE);
}
