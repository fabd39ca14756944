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

#define NSSET_MARKER_NAME "self"

/* Hides the store at `store_path` in the current mount namespace: detaches
 * it and covers the directory with a read-only tmpfs that holds only, when
 * `self` is given, the marker file naming that set and its namespace
 * inodes. The template gets an empty cover. */
int nsset_hide_store(const char *store_path, const struct nsset_meta *self, struct nsset_err *e);

/* Inside a set's mount namespace: 1 when the marker at the store path names
 * a set (copied into setname) and every namespace it lists is the calling
 * process's own; -1 when a marker is there but does not match or cannot be
 * trusted; 0 when there is no marker (not inside a set's mount namespace). */
int nsset_inside_check(const char *store_path, char *setname, size_t size);

#endif
