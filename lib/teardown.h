/* Tearing a set down: the one routine for it, used by the holder when its
 * set ends, by nssetctl destroy and migrate, and by a login that remakes a
 * stale set or an empty one made under another policy (place.h).
 *
 * The order, the same for every caller (each step only when its flag is
 * given and it applies):
 *
 *   1. hook     the destroy phase of the set's hook=, while the set is whole:
 *               its namespaces, interfaces and processes are still there
 *               (nsset.conf(5), HOOKS). A failure is logged; the rest goes on.
 *   2. holder   SIGKILL to the holder recorded in the meta (procref.h: a
 *               verified pidfd, never a recycled pid), waited for; then the
 *               set's holder.lock must be free. If the holder lives on, the
 *               teardown stops here with an error: a live holder's set is
 *               never removed from under it.
 *   3. init     SIGKILL to a pid set's init recorded in the meta (usually
 *               gone already: the holder's death takes it, PDEATHSIG); with
 *               it the kernel kills every process in the pid namespace.
 *               Waited for with NSSET_TD_WAIT_INIT; one that outlives the
 *               wait stops the teardown like a holder.
 *   4. network  the host end of a net=veth set and its address claims. A
 *               failure is logged; the rest goes on.
 *   5. remove   nsset_set_remove(): renamed out of reach, ns files unmounted
 *               and unlinked, directory gone.
 *
 * Call with the set's lock held exclusively (store.h), from the host's
 * namespaces.
 *
 * Steps 1 and 4 run code (hooks, netlink) that the login path must not
 * link: pam_nsset.so and the setuid nsset-enter stay free of it (see
 * docs/ARCHITECTURE.md). They are reached through `ext`, which only the
 * holder and nssetctl pass (nsset_teardown_hook_net, teardown_ext.c); with
 * ext NULL, NSSET_TD_HOOK and NSSET_TD_NET do nothing. Who may do what:
 *
 *   holder (its set ends)     HOOK | KILL_INIT | NET | REMOVE
 *   nssetctl destroy/migrate  HOOK | KILL_HOLDER | KILL_INIT | WAIT_INIT | NET | REMOVE
 *   login remaking a set      KILL_HOLDER | KILL_INIT | REMOVE
 *
 * A login does not run the old set's destroy hook nor take its network
 * down: it has neither in its address space (above). For a stale set there
 * is nobody whose hook would run (its holder is gone; tests/pam/t_net.sh
 * pins that), the kernel deletes the veth pair with the network namespace
 * once step 5 drops the last reference, and the dead holder's address
 * claims count as free (net.h; nssetctl gc removes them). A set remade
 * because the policy changed (outdated, and no process left in it) loses
 * its destroy hook run the same way; to have it, end such sets with
 * nssetctl migrate or destroy.
 */
#ifndef NSSET_TEARDOWN_H
#define NSSET_TEARDOWN_H

#include <sys/types.h>

#include "common.h"
#include "store.h"

enum {
	NSSET_TD_HOOK = 1 << 0,         /* 1. run the hook's destroy phase (needs ext) */
	NSSET_TD_KILL_HOLDER = 1 << 1,  /* 2. SIGKILL the recorded holder, wait */
	NSSET_TD_KILL_INIT = 1 << 2,    /* 3. SIGKILL the recorded init */
	NSSET_TD_WAIT_INIT = 1 << 3,    /*    ... and wait for it */
	NSSET_TD_NET = 1 << 4,          /* 4. take the network down (needs ext) */
	NSSET_TD_REMOVE = 1 << 5,       /* 5. nsset_set_remove */
};

#define NSSET_TD_KILL_WAIT_MS 5000      /* how long steps 2 and 3 wait */
/* How long step 5 waits for the processes just killed to leave the set's
 * cgroup (a set with limits) before it removes the cgroup. */
#define NSSET_TD_CGROUP_WAIT_MS 2000

/* The steps in code that the login path does not link. */
struct nsset_teardown_ext {
	int (*hook_destroy)(const struct nsset_store *st, const struct nsset_meta *m,
			    const struct nsset_log *log, struct nsset_err *e);
	int (*net_down)(const struct nsset_store *st, const struct nsset_meta *m,
			struct nsset_err *e);
};
/* Both, for the holder and nssetctl (teardown_ext.c: links hook.o, net.o). */
extern const struct nsset_teardown_ext nsset_teardown_hook_net;

struct nsset_teardown {
	unsigned flags;                         /* NSSET_TD_* */
	const struct nsset_teardown_ext *ext;   /* NULL: no hook, no network */
	const struct nsset_log *log;            /* the hook's output, steps that failed */
	/* Filled in: */
	pid_t holder_killed;                    /* 0 unless step 2 ended a holder */
	pid_t init_killed;                      /* 0 unless an init was alive before step 2 */
};

/* Tears down the set `id` as recorded in `m` (NULL when its meta cannot be
 * read: then only step 5 applies, and step 2 refuses a live holder, having
 * no way to tell which process it is). 0 when every step asked for is done;
 * -1 with e when step 2, 3 or 5 failed (e->errnum ENOENT from step 5: no
 * such set). */
int nsset_set_teardown(const struct nsset_store *st, const struct nsset_setid *id,
		       const struct nsset_meta *m, struct nsset_teardown *td,
		       struct nsset_err *e);

#endif
