/* What a new set looks like from inside: run by the set's init process
 * right after clone(), inside all the new namespaces. */
#ifndef NSSET_SETUP_H
#define NSSET_SETUP_H

#include "common.h"
#include "store.h"

/* Mount propagation slave, the store hidden, /proc for a pid set, tmpfs
 * /tmp and /var/tmp for tmp=private, /dev/shm of the size shm= gives
 * (nsset_shm_size), private /dev/mqueue for ipc, lo up for net, hostname for uts. */
int nsset_setup_inside(const struct nsset_meta *m, const char *store_path, struct nsset_err *e);

/* Brings the loopback interface of the current net namespace up. */
int nsset_loopback_up(struct nsset_err *e);

/* Hides the store at `store_path` in the current mount namespace: detaches
 * it and covers the directory with a read-only tmpfs that holds only, when
 * `self` is given, the marker file (NSSET_MARKER_NAME, store.h) naming that
 * set, its owner and its namespace inodes; nsset_marker_check (hostns.h)
 * reads it. The template gets an empty cover. */
int nsset_hide_store(const char *store_path, const struct nsset_meta *self, struct nsset_err *e);

#endif
