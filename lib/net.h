/* The network of a net=veth set: its veth pair, addresses, routes and the
 * bridge (see nsset.conf(5), "Networking"). Used by the holder, which makes
 * and removes it, and by nssetctl destroy, which removes it after killing a
 * holder.
 *
 * Addresses are claimed in STORE/.net/ (one file per address, naming the
 * set and its holder by pid and start time) under STORE/.net.lock, so two
 * sets never get the same address at once; a claim whose holder is gone is
 * free again.
 */
#ifndef NSSET_NET_H
#define NSSET_NET_H

#include <sys/types.h>

#include "common.h"
#include "store.h"

/* Gives the set described by `m` (net=veth, pools in m->pool4/pool6) its
 * network: host end m->veth on the bridge, NSSET_VETH_PEER inside the
 * network namespace of process `init`, addresses, default routes. Fills
 * m->veth, m->addr4, m->addr6. On failure nothing of it is left. Call as
 * the set's holder (m->holder_pid, m->holder_start name the claimant). */
int nsset_net_up(const struct nsset_store *st, struct nsset_meta *m, pid_t init,
		 const struct nsset_log *log, struct nsset_err *e);

/* Removes the set's host end (its peer goes with it) if it is still ours (a
 * veth on the set's bridge) and the set's address claims. */
int nsset_net_down(const struct nsset_store *st, const struct nsset_meta *m,
		   struct nsset_err *e);

/* Removes address claims whose holder is gone (a holder killed before it
 * could release them; harmless, since such a claim counts as free, but
 * they pile up). Returns how many, or -1. */
int nsset_net_gc_claims(const struct nsset_store *st, struct nsset_err *e);

#endif
