/* nssetctl destroy and gc: ending a set (through nsset_set_teardown, the
 * one teardown routine) or removing a leftover .build-/.dead- directory;
 * see admin.h. */
#include "admin.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procref.h"
#include "procscan.h"
#include "teardown.h"
#include "util.h"

static int count_left(struct nsset_admin_result *r, struct nsset_err *e)
{
	r->nsfs_left = nsset_nsfs_mounts(r->ino, NSSET_NS_MAX, &r->nsfs_left_pid, e);
	return r->nsfs_left < 0 ? -1 : 0;
}

/* The set lock, waited for as long as the mode allows: 0 with *fd, 1 busy
 * (r->why or e, by mode), -1 error. */
static int lock_for(const struct nsset_store *st, const struct nsset_setid *id, int flags,
		    enum nsset_admin_mode mode, const char *name, const char *what,
		    struct nsset_admin_result *r, int *fd, struct nsset_err *e)
{
	int wait_s = mode != NSSET_ADMIN_ONLY_STALE ? NSSET_ADMIN_LOCK_WAIT_S : 2;
	struct nsset_err le = { 0 };
	*fd = nsset_set_lock_wait(st, id, LOCK_EX, flags, wait_s * 1000, &le);
	if (*fd >= 0)
		return 0;
	if (le.errnum == ENOENT && (flags & NSSET_LOCK_NOCREATE))
		return 0;       /* no lock file: nobody can hold it */
	if (le.errnum != EWOULDBLOCK) {
		*e = le;
		return -1;
	}
	if (mode != NSSET_ADMIN_ONLY_STALE) {
		if (what)
			return nsset_fail_as(e, EBUSY, "%s: busy (the lock of %s is held)", name, what);
		return nsset_fail_as(e, EBUSY, "%s: busy (its lock was held for %d s)", name, wait_s);
	}
	if (what)
		snprintf(r->why, sizeof(r->why), "busy: the lock of %s is held", what);
	else
		snprintf(r->why, sizeof(r->why), "busy: its lock is held");
	return 1;
}

static int destroy_set(const struct nsset_store *st, const struct nsset_setid *id,
		       const char *name, enum nsset_admin_mode mode, struct nsset_admin_result *r,
		       const struct nsset_log *log, struct nsset_err *e)
{
	/* Looked at before locking, so that naming a set that does not
	 * exist leaves no lock file behind. */
	{
		struct nsset_err oe = { 0 };
		_cleanup_close_ int dfd = nsset_set_open(st, id, &oe);
		if (dfd < 0 && oe.errnum == ENOENT)
			return nsset_fail_as(e, ENOENT, "%s: no such set", name);
		if (dfd < 0)
			return e ? (*e = oe, -1) : -1;
	}
	_cleanup_close_ int lockfd = -1;
	int lr = lock_for(st, id, 0, mode, name, NULL, r, &lockfd, e);
	if (lr != 0)
		return lr;
	struct nsset_meta m;
	struct nsset_err me = { 0 };
	bool alive, has_meta;
	{
		struct nsset_err oe = { 0 };
		_cleanup_close_ int dfd = nsset_set_open(st, id, &oe);
		if (dfd < 0) {
			if (oe.errnum != ENOENT)
				return e ? (*e = oe, -1) : -1;
			snprintf(r->why, sizeof(r->why), "gone meanwhile");
			return 1;
		}
		alive = nsset_set_holder_alive(dfd) == 1;
		has_meta = nsset_meta_read(dfd, &m, &me) == 0;
		nsset_nsfs_inodes(dfd, r->ino);
	}
	struct nsset_proc init = has_meta ? (struct nsset_proc){ m.init_pid, m.init_start, m.init_ino }
					  : (struct nsset_proc){ 0 };
	bool init_dead = has_meta && m.init_pid > 0 && !nsset_proc_alive(&init);
	if (mode == NSSET_ADMIN_ONLY_STALE && alive && !init_dead) {
		snprintf(r->why, sizeof(r->why), "no longer stale");
		return 1;
	}
	if (mode == NSSET_ADMIN_NO_SESSIONS) {
		/* Under the lock no login joins or leaves: the count holds
		 * until the set is gone. */
		_cleanup_close_ int dfd = nsset_set_open(st, id, NULL);
		int live = dfd < 0 ? 0 : nsset_session_count(dfd, true);
		if (live != 0) {
			snprintf(r->why, sizeof(r->why), live > 0 ? "it has %d live session(s)"
				 : "its sessions cannot be counted", live);
			return 1;
		}
	}
	snprintf(r->why, sizeof(r->why), "%s",
		 !alive ? "its holder was gone" : init_dead ? "its init had died" : "it was alive");
	if (alive && !has_meta)
		return nsset_fail(e, 0, "%s: its holder is alive but %s: cannot tell which process "
				  "to stop (see fuser %s/%s/holder.lock)", name, me.msg, st->path, name);
	/* Everything the holder would have done on its way out, and the
	 * holder and init ended first (teardown.h has the order). */
	struct nsset_teardown td = {
		.flags = NSSET_TD_HOOK | NSSET_TD_KILL_HOLDER | NSSET_TD_KILL_INIT |
			 NSSET_TD_WAIT_INIT | NSSET_TD_NET | NSSET_TD_REMOVE,
		.ext = &nsset_teardown_hook_net,
		.log = log,
	};
	int rc = nsset_set_teardown(st, id, has_meta ? &m : NULL, &td, e);
	r->holder_killed = td.holder_killed;
	r->init_killed = td.init_killed;
	if (rc < 0) {
		if (strncmp(e->msg, name, strlen(name)) != 0)
			nsset_err_prefix(e, "%s: ", name);
		return -1;
	}
	close_fd(&lockfd);
	return count_left(r, e);
}

int nsset_admin_fates(const struct nsset_admin_set *s, const struct nsset_admin_detail *d,
		      struct nsset_admin_fate **out, size_t *n, struct nsset_err *e)
{
	*out = calloc(d->nprocs + 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return nsset_fail(e, ENOMEM, "listing processes");
	const struct nsset_meta *m = &s->meta;
	bool pidns = s->has_meta && (m->ns_flags & CLONE_NEWPID);
	pid_t holder = s->has_meta && s->holder_alive ? m->holder_pid : 0;
	if (holder > 0) {
		struct nsset_admin_fate *f = &(*out)[(*n)++];
		f->pid = holder;
		f->role = "holder";
		f->ends = true;
		if (!nsset_proc_identity(holder, &f->uid, f->comm, sizeof(f->comm)))
			snprintf(f->comm, sizeof(f->comm), "?");
	}
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct nsset_admin_proc *p = &d->procs[i];
		if (p->pid == holder)
			continue;
		struct nsset_admin_fate *f = &(*out)[(*n)++];
		f->pid = p->pid;
		f->uid = p->uid;
		snprintf(f->comm, sizeof(f->comm), "%s", p->comm);
		f->role = "process";
		if (s->has_meta && p->pid == m->init_pid)
			f->role = "init";
		for (size_t k = 0; k < d->nsessions; k++)
			if (d->sessions[k].alive && d->sessions[k].pid == p->pid)
				f->role = "session";
		f->ends = pidns && p->in_pidns;
	}
	return 0;
}

static int destroy_leftover(const struct nsset_store *st, const char *name,
			    enum nsset_admin_mode mode, struct nsset_admin_result *r,
			    struct nsset_err *e)
{
	struct stat sb;
	struct nsset_meta m = { 0 };
	bool has_meta;
	long long changed;
	{
		_cleanup_close_ int dfd = nsset_leftover_open(st, name);
		if (dfd < 0)
			return errno == ENOENT ? nsset_fail_as(e, ENOENT, "%s: no such directory", name)
					       : nsset_fail(e, errno, "%s/%s", st->path, name);
		if (fstat(dfd, &sb) < 0)
			return nsset_fail(e, errno, "%s/%s", st->path, name);
		has_meta = nsset_meta_read(dfd, &m, NULL) == 0;
		changed = (long long)sb.st_mtim.tv_sec;
		nsset_nsfs_inodes(dfd, r->ino);
	}

	pid_t user = nsset_proc_dir_user(st->path, sb.st_dev, sb.st_ino);
	if (user) {
		if (mode == NSSET_ADMIN_ANY)
			return nsset_fail_as(e, EBUSY, "%s: in use by pid %d (a set is being built or "
					  "removed right now)", name, (int)user);
		snprintf(r->why, sizeof(r->why), "in use by pid %d", (int)user);
		return 1;
	}
	/* With a meta we know the set: whoever builds or removes it holds
	 * its lock. Without one, only age tells a crash from work that has
	 * only just begun. */
	struct nsset_setid id;
	char setname[64] = "";
	bool named = false;
	if (has_meta) {
		snprintf(setname, sizeof(setname), "%s/%s", nsset_scope_name(m.scope), m.id);
		named = nsset_setid_parse(setname, &id) == 0;
	}
	_cleanup_close_ int lockfd = -1;
	if (named) {
		int lr = lock_for(st, &id, NSSET_LOCK_NOCREATE, mode, name, setname, r, &lockfd, e);
		if (lr != 0)
			return lr;
	} else if (mode == NSSET_ADMIN_ONLY_STALE && time(NULL) - changed < NSSET_ADMIN_GRACE_S) {
		snprintf(r->why, sizeof(r->why), "changed less than %d s ago", NSSET_ADMIN_GRACE_S);
		return 1;
	}
	struct nsset_proc init = { m.init_pid, m.init_start, m.init_ino };
	if (has_meta && m.init_pid > 0 && nsset_proc_kill(&init, SIGKILL, NSSET_TD_KILL_WAIT_MS) == 0)
		r->init_killed = m.init_pid;
	snprintf(r->why, sizeof(r->why), "%s",
		 nsset_leftover_kind(name) == NSSET_LEFTOVER_BUILD
			 ? "left over from an interrupted build"
			 : "left over from an interrupted removal");
	if (nsset_store_remove_dir(st, name, e) < 0)
		return -1;
	/* A session id is never used again: drop its lock file, as
	 * nsset_set_remove would have, if no set of that name came back. */
	if (named && lockfd >= 0) {
		struct nsset_err be = { 0 };
		_cleanup_close_ int back = nsset_set_open(st, &id, &be);
		if (back < 0 && be.errnum == ENOENT)
			nsset_set_lock_drop(st, &id);
	}
	close_fd(&lockfd);
	return count_left(r, e);
}

int nsset_admin_destroy(const struct nsset_store *st, const char *name,
			enum nsset_admin_mode mode, struct nsset_admin_result *r,
			const struct nsset_log *log, struct nsset_err *e)
{
	memset(r, 0, sizeof(*r));
	if (nsset_leftover_kind(name))
		return destroy_leftover(st, name, mode, r, e);
	struct nsset_setid id;
	if (nsset_setid_parse(name, &id) < 0)
		return nsset_fail_as(e, EINVAL, "not a set name: '%s'", name);
	return destroy_set(st, &id, name, mode, r, log, e);
}
