/* Tearing a set down; see teardown.h for the order and who may do what. */
#include "teardown.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <syslog.h>

#include "procref.h"
#include "setcg.h"
#include "util.h"

static struct nsset_proc holder_of(const struct nsset_meta *m)
{
	return (struct nsset_proc){ m->holder_pid, m->holder_start, m->holder_ino };
}

static struct nsset_proc init_of(const struct nsset_meta *m)
{
	return (struct nsset_proc){ m->init_pid, m->init_start, m->init_ino };
}

static bool holder_lock_held(const struct nsset_store *st, const struct nsset_setid *id)
{
	_cleanup_close_ int fd = nsset_set_open(st, id, NULL);
	return fd >= 0 && nsset_set_holder_alive(fd) == 1;
}

/* Step 2: the holder, if alive, ends; -1 with e if it lives on. */
static int end_holder(const struct nsset_store *st, const struct nsset_setid *id,
		      const struct nsset_meta *m, struct nsset_teardown *td, const char *name,
		      struct nsset_err *e)
{
	if (!holder_lock_held(st, id))
		return 0;
	if (!m)
		return nsset_fail(e, 0, "%s: its holder is alive but its meta is unreadable: cannot "
				  "tell which process to stop (see fuser %s/%s/holder.lock)", name,
				  st->path, name);
	struct nsset_proc h = holder_of(m);
	int k = nsset_proc_kill(&h, SIGKILL, NSSET_TD_KILL_WAIT_MS);
	int kerr = errno;
	if (k == 0)
		td->holder_killed = m->holder_pid;
	if (!holder_lock_held(st, id))
		return 0;
	if (k < 0 && kerr == ETIMEDOUT)
		return nsset_fail(e, 0, "%s: its holder (pid %d) is still alive after SIGKILL", name,
				  (int)m->holder_pid);
	if (k < 0 && kerr != ESRCH)
		return nsset_fail(e, kerr, "%s: cannot signal its holder (pid %d)", name,
				  (int)m->holder_pid);
	return nsset_fail(e, 0, "%s: its holder is alive but is not pid %d as its meta says (is "
			  "/proc from another pid namespace?)", name, (int)m->holder_pid);
}

/* Step 3. */
static int end_init(const struct nsset_meta *m, bool was_alive, struct nsset_teardown *td,
		    const char *name, struct nsset_err *e)
{
	struct nsset_proc i = init_of(m);
	int wait_ms = (td->flags & NSSET_TD_WAIT_INIT) ? NSSET_TD_KILL_WAIT_MS : 0;
	int k = nsset_proc_kill(&i, SIGKILL, wait_ms);
	if (k < 0 && errno == ETIMEDOUT)
		return nsset_fail(e, 0, "%s: its init (pid %d) is still alive after SIGKILL", name,
				  (int)m->init_pid);
	/* Ended by us, either here or through the holder's death. */
	if (was_alive && (k == 0 || errno == ESRCH))
		td->init_killed = m->init_pid;
	return 0;
}

int nsset_set_teardown(const struct nsset_store *st, const struct nsset_setid *id,
		       const struct nsset_meta *m, struct nsset_teardown *td,
		       struct nsset_err *e)
{
	char name[64];
	nsset_setid_name(id, name, sizeof(name));
	td->holder_killed = td->init_killed = 0;
	const struct nsset_teardown_ext *ext = td->ext;
	struct nsset_err se = { 0 };

	if ((td->flags & NSSET_TD_HOOK) && ext && m && m->hook[0] &&
	    ext->hook_destroy(st, m, td->log, &se) < 0)
		nsset_log(td->log, LOG_ERR, "set %s: %s", name, se.msg);

	/* Looked at before step 2: the holder's death often takes the init
	 * along (PDEATHSIG) before step 3, and it is still our doing. */
	bool has_init = m && m->init_pid > 0 && (td->flags & NSSET_TD_KILL_INIT);
	struct nsset_proc init = m ? init_of(m) : (struct nsset_proc){ 0 };
	bool init_ran = has_init && nsset_proc_alive(&init);

	if ((td->flags & NSSET_TD_KILL_HOLDER) && end_holder(st, id, m, td, name, e) < 0)
		return -1;
	if (has_init && end_init(m, init_ran, td, name, e) < 0)
		return -1;

	if ((td->flags & NSSET_TD_NET) && ext && m && ext->net_down(st, m, &se) < 0)
		nsset_log(td->log, LOG_ERR, "set %s: removing its network: %s", name, se.msg);

	if ((td->flags & NSSET_TD_REMOVE) && nsset_set_remove(st, id, e) < 0)
		return -1;
	/* The set's own cgroup (a set with limits), once its holder and init
	 * are gone. Processes of a set without a pid namespace may still be
	 * in it: it stays, and the set's next life takes it over. */
	int cg_wait = td->holder_killed || td->init_killed ? NSSET_TD_CGROUP_WAIT_MS : 0;
	if ((td->flags & NSSET_TD_REMOVE) && m && m->cgroup[0] &&
	    nsset_cg_remove(m->cgroup, cg_wait, &se) < 0)
		nsset_log(td->log, se.errnum == EBUSY ? LOG_NOTICE : LOG_ERR, "set %s: %s%s", name,
			  se.msg, se.errnum == EBUSY ? " (processes of the set are still in it: it "
			  "stays, and the set's next life takes it over)" : "");
	return 0;
}
