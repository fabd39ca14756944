/* A per-user cap on live session sets: the session.max= setting of
 * nsset.conf (see nsset.conf(5), SETTINGS).
 *
 * Scope session makes a new set at every login. Without a cap one user
 * could hold sets until the pool's session addresses, the kernel's memory
 * or the process table run out for everybody else (issue 12). A session
 * set belongs to the uid in its meta's owner_id; it is live while its
 * holder is.
 *
 * Counting and creating must be one step, or two concurrent logins of one
 * user could both see room for one more: the count is made under the
 * user's cap lock, STORE/.session-cap-UID.lock, held until the new set is
 * in the store. The lock is per user, so one user's slow create (a hook
 * with a timeout) never holds up another user's.
 */
#ifndef NSSET_SESSIONCAP_H
#define NSSET_SESSIONCAP_H

#include <sys/types.h>

#include "common.h"
#include "store.h"

/* The cap itself is want->session_max, from the policy's session.max=
 * (NSSET_SESSION_MAX_* in policy.h). */

/* The number of live session sets of `uid` in the store; -1 on error. */
int nsset_sessioncap_count(const struct nsset_store *st, uid_t uid, struct nsset_err *e);

/* Before a session set is made for want->owner_id: takes that user's cap
 * lock and counts their live session sets. 0 when one more is allowed:
 * *lockfd then holds the lock (-1 with no cap, nothing locked); close it
 * once the new set is in the store or given up. -1 when the user already
 * holds want->session_max of them (e->msg names the user and the cap) or
 * on error; nothing is held then. */
int nsset_sessioncap_reserve(const struct nsset_store *st, const struct nsset_meta *want,
			     int *lockfd, struct nsset_err *e);

#endif
