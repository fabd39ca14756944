/* Joining a set as root: `nssetctl enter`; see admin.h. */
#include "admin.h"

#include <errno.h>
#include <sys/file.h>

#include "nsfs.h"
#include "procref.h"
#include "util.h"

/* Waits this long for a set's lock: a set being made or torn down holds it
 * exclusively for a moment. */
#define JOIN_LOCK_WAIT_MS 5000

int nsset_admin_join(const struct nsset_store *st, const struct nsset_admin_set *s,
		     struct nsset_err *e)
{
	if (!s->is_set)
		return nsset_fail_as(e, ESRCH, "%s is no set but a leftover (%s): there is nothing "
				     "to enter", s->name, nsset_admin_state_name(s->state));
	/* Shared, as a login joins: no teardown runs while the files are
	 * opened. A missing lock file means there is no set any more. */
	_cleanup_close_ int lockfd = nsset_set_lock_wait(st, &s->id, LOCK_SH, NSSET_LOCK_NOCREATE,
							 JOIN_LOCK_WAIT_MS, e);
	if (lockfd < 0) {
		if (e && e->errnum == ENOENT)
			return nsset_fail_as(e, ESRCH, "%s: no such set any more", s->name);
		return -1;
	}
	struct nsset_err oe = { 0 };
	_cleanup_close_ int setfd = nsset_set_open(st, &s->id, &oe);
	if (setfd < 0) {
		if (e)
			*e = oe;
		if (oe.errnum == ENOENT)
			return nsset_fail_as(e, ESRCH, "%s: no such set any more", s->name);
		return -1;
	}
	/* Looked at again under the lock, not taken from the listing. */
	struct nsset_meta m;
	if (!nsset_set_holder_alive(setfd))
		return nsset_fail_as(e, ESRCH, "%s is stale: its holder is gone, so it has nothing "
				     "to enter ('nssetctl gc' removes it)", s->name);
	if (nsset_meta_read(setfd, &m, e) < 0) {
		nsset_err_prefix(e, "%s: ", s->name);
		return -1;
	}
	if (m.init_pid > 0) {
		struct nsset_proc init = { m.init_pid, m.init_start, m.init_ino };
		if (!nsset_proc_alive(&init))
			return nsset_fail_as(e, ESRCH, "%s is stale: its init (pid %d) died, so its pid "
					     "namespace takes no new process ('nssetctl gc' removes "
					     "it)", s->name, (int)m.init_pid);
	}
	struct nsset_nsfds fds;
	nsset_nsfds_init(&fds);
	int rc = nsset_nsfds_open(setfd, m.ns_flags, &fds, e);
	if (rc == 0)
		rc = nsset_nsfds_join(&fds, e);
	nsset_nsfds_close(&fds);
	if (rc < 0)
		nsset_err_prefix(e, "entering %s: ", s->name);
	return rc;
}
