/* What a new set looks like from inside: run by the set's init process
 * right after clone(), inside all the new namespaces. */
#ifndef NSSET_SETUP_H
#define NSSET_SETUP_H

#include "common.h"
#include "store.h"

/* Mount propagation slave, the store hidden, /proc for a pid set, tmpfs
 * /tmp and /var/tmp for tmp=private, private /dev/shm and /dev/mqueue for
 * ipc, lo up for net, hostname for uts. */
int nsset_setup_inside(const struct nsset_meta *m, const char *store_path, struct nsset_err *e);

/* Brings the loopback interface of the current net namespace up. */
int nsset_loopback_up(struct nsset_err *e);

/* Hides the store at `store_path` in the current mount namespace: detaches
 * it and covers the directory with an empty read-only tmpfs, so a process
 * inside a set can tell it is inside one and sees no other set. */
int nsset_hide_store(const char *store_path, struct nsset_err *e);

#endif
