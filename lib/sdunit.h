/* A set's own systemd unit: on a host booted with systemd, the holder moves
 * itself into a transient scope of its own (nsset-SCOPE-ID.scope in
 * nsset.slice) before it makes the set, so that the set's init is born there
 * and the set's cgroup namespace is rooted there.
 *
 * Why: the holder is started from a login (sshd's [priv] process, su,
 * user@.service, nsset-enter), so it begins in that login's session scope or
 * in the user's delegated user@.service cgroup. A set must not share that
 * unit's lifetime: logind stops a session's scope at logout when
 * KillUserProcesses=yes (and `loginctl terminate-user`, `systemctl stop
 * user-UID.slice` stop all of a user's), which would end a group set that
 * other users still use; and a user must not own the cgroup of a root
 * process that serves others.
 *
 * Only nsset-holder links this file (and libsystemd); the PAM module and
 * the setuid nsset-enter never do.
 */
#ifndef NSSET_SDUNIT_H
#define NSSET_SDUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "store.h"

/* The slice that holds every set's scope. */
#define NSSET_SDUNIT_SLICE "nsset.slice"

/* The scope's name for set `id`: "nsset-" SCOPE "-" ID ".scope", the id
 * escaped as systemd-escape(1) does (only [A-Za-z0-9:_.] kept, no leading
 * dot; anything else, '-' included, as \xNN), so that any id maps to one
 * valid unit name and back. 0, or -1 if it does not fit in `size`. */
int nsset_sdunit_name(const struct nsset_setid *id, char *buf, size_t size);

/* Puts the calling process into the set's own scope, when the host runs
 * systemd (sd_booted()); does nothing and returns 0 otherwise (the holder
 * then stays in its starter's cgroup, as before), with cgroup[0] = '\0'.
 * Asks PID 1 over the system bus for a transient scope with our pid
 * (StartTransientUnit), waits for its start job to finish, and checks
 * /proc/self/cgroup, whose path (below the cgroup2 mount) goes into
 * `cgroup`. `delegate` asks for Delegate=yes: a set with limits (setcg.h)
 * makes its own cgroup below the scope. A scope of that name left from an
 * earlier life of the set (the set was found stale and is being remade) is
 * stopped first, once. On any failure: -1 with e saying why; the holder
 * then refuses the set rather than run it in a login's unit. */
int nsset_sdunit_enter(const struct nsset_setid *id, bool delegate, char *cgroup, size_t size,
		       const struct nsset_log *log, struct nsset_err *e);

#endif
