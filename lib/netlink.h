/* The few rtnetlink requests nsset needs (links, addresses, routes), through
 * libmnl. Used by the holder and nssetctl only: the PAM module and the
 * setuid nsset-enter never talk netlink.
 */
#ifndef NSSET_NETLINK_H
#define NSSET_NETLINK_H

#include <stdint.h>

#include "common.h"
#include "netaddr.h"

struct mnl_socket;

struct nsset_nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
};

struct nsset_link {
	int index;
	int master;                     /* 0 = none */
	unsigned flags;                 /* IFF_* */
	char kind[16];                  /* "veth", "bridge", "" for a plain device */
};

/* A netlink socket in the network namespace `netns_fd` (-1: our own). A
 * socket stays in the namespace it was made in, so the holder can speak to
 * a set's namespace without moving there for longer than this call (a
 * single-threaded holder only). Should it fail to return to its own, it
 * says so in `e` and the process is left in the set's: it must not go on
 * (the holder's build fails and it exits), and every later call fails. */
int nsset_nl_open(struct nsset_nl *nl, int netns_fd, struct nsset_err *e);
void nsset_nl_close(struct nsset_nl *nl);

/* 0 and *out filled, 1 if there is no such interface, -1 on error. */
int nsset_nl_link_get(struct nsset_nl *nl, const char *name, struct nsset_link *out,
		      struct nsset_err *e);
int nsset_nl_bridge_add(struct nsset_nl *nl, const char *name, struct nsset_err *e);
/* A veth pair: `name` here, attached to `master` (an ifindex, 0 = none);
 * `peer` in the network namespace `peer_netns_fd`. */
int nsset_nl_veth_add(struct nsset_nl *nl, const char *name, int master, const char *peer,
		      int peer_netns_fd, struct nsset_err *e);
int nsset_nl_link_up(struct nsset_nl *nl, int index, struct nsset_err *e);
int nsset_nl_link_del(struct nsset_nl *nl, int index, struct nsset_err *e);
/* family AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes; no
 * duplicate address detection: the address is nsset's by construction, and
 * DAD would hold it tentative for a second or more). With `exist_ok` an
 * address already there is fine. */
int nsset_nl_addr_add(struct nsset_nl *nl, int index, int family, const void *addr,
		      unsigned prefixlen, bool exist_ok, struct nsset_err *e);
int nsset_nl_default_route(struct nsset_nl *nl, int index, int family, const void *gateway,
			   struct nsset_err *e);

#endif
