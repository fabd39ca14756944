/* ip-netns(8) names for sets' network namespaces: with the setting
 * net.netns=yes, the holder of a set with a net namespace bind-mounts it
 * at /run/netns/nsset-SCOPE-ID ("nsset-user-1000"), so that
 * `ip netns exec nsset-user-1000 ...` and `ip netns list` work. The name
 * goes when the set's directory is removed (nsset_store_remove_dir), by
 * every teardown: it would otherwise keep the namespace alive.
 *
 * The "nsset-" prefix is nsset's: an entry of that name that does not hold
 * the set's namespace is a leftover and is replaced. Run from the host's
 * mount namespace (the holder, nssetctl, a login remaking a set).
 */
#ifndef NSSET_NETNSNAME_H
#define NSSET_NETNSNAME_H

#include <stddef.h>
#include <sys/types.h>

#include "common.h"
#include "policy.h"

#ifndef NSSET_NETNS_DIR
#define NSSET_NETNS_DIR "/run/netns"    /* iproute2's NETNS_RUN_DIR */
#endif
#define NSSET_NETNS_PREFIX "nsset-"

/* "nsset-user-1000" for a set id. */
void nsset_netns_name_of(enum nsset_scope scope, const char *id, char *buf, size_t size);

/* Names the network namespace file `nsfile` (a path, e.g. through
 * /proc/self/fd/N/net) under NSSET_NETNS_DIR. -1 with e on failure, with
 * nothing left behind. */
int nsset_netns_name_add(enum nsset_scope scope, const char *id, const char *nsfile,
			 struct nsset_err *e);

/* Removes every NSSET_NETNS_PREFIX name of the namespace whose nsfs
 * identity is dev/ino. Best effort: returns how many it removed. */
int nsset_netns_name_drop(dev_t dev, ino_t ino);

#endif
