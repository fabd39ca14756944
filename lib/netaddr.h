/* Network settings of nsset.conf and the addresses of net=veth sets.
 *
 * Pure functions: no syscalls, so the policy parser, the holder, nssetctl
 * and the unit tests all agree on what address a set gets. A set's address
 * is a function of the pool and the set's name alone, so the same set gets
 * the same address on every creation and on every host with the same
 * configuration (see nsset.conf(5), "Networking"):
 *
 *   IPv4 pool B/L, N = 2^(32-L) addresses, H = N-3 assignable (B+2 .. B+N-2),
 *   split into two parts that never meet:
 *     S = max(1, floor(H/4)) session addresses, a block in the middle:
 *       B+2+low .. B+2+low+S-1, with F = H-S and low = ceil(F/2);
 *     F formula addresses for user and group sets, all the others.
 *     bridge  B+1
 *     user    r = uid mod F: B+2+r if r < low, else B+2+r+S
 *             (counting up from the bottom, over the block)
 *     group   r = gid mod F: B+(N-2)-r if r < F-low, else B+(N-2)-r-S
 *             (counting down from the top, over the block)
 *     session B+2+low + ((hex32 + step) mod S), hex32 = first 8 hex digits of the id
 *   A session set can only ever take a session address, so no user, however
 *   many session sets she opens, can occupy the address the formula gives
 *   another user's or group's set. Users with uid < low and groups with
 *   gid < F-low keep the address of the earlier plan without the block
 *   (B+2+uid, B+(N-2)-gid).
 *   IPv6 pool P/L: bridge P::1, a set P + ((tag << 32) | n), tag 1 user
 *   (n = uid), 2 group (n = gid), 3 session (n = hex32 + step).
 *
 * `step` > 0 asks for the next candidate of a session set whose first choice
 * is taken; user and group sets have exactly one address (a clash with
 * another set is an error, never a silent move).
 */
#ifndef NSSET_NETADDR_H
#define NSSET_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#define NSSET_IFNAME_MAX 15             /* IFNAMSIZ - 1 */
#define NSSET_BRIDGE_DEFAULT "nsset0"
#define NSSET_HOOK_TIMEOUT_DEFAULT 5    /* seconds */
#define NSSET_HOOK_TIMEOUT_MAX 10       /* create + rollback must fit the login's 30 s wait */
#define NSSET_POOL_TEXT_MAX 48          /* "ffff:...:ffff/128" */

struct nsset_pool4 {
	bool set;
	uint32_t base;          /* host byte order */
	unsigned len;           /* prefix length, 8..29 */
};

struct nsset_pool6 {
	bool set;
	uint8_t base[16];
	unsigned len;           /* prefix length, 16..80 */
};

/* The settings of nsset.conf for networking and hooks. */
#define NSSET_CGROOT_MAX 128
struct nsset_netconf {
	char bridge[NSSET_IFNAME_MAX + 1];
	struct nsset_pool4 v4;
	struct nsset_pool6 v6;
	unsigned hook_timeout;          /* seconds */
	bool netns_name;                /* net.netns=yes: ip netns names (netnsname.h) */
	/* cgroup.root=: where sets with limits get their cgroups on a host
	 * without systemd (setcg.h); "" = NSSET_CG_ROOT_DEFAULT. */
	char cgroup_root[NSSET_CGROOT_MAX];
};

/* "10.77.0.0/16": prefix 8..29, host bits zero. 0 or -1. */
int nsset_pool4_parse(const char *s, struct nsset_pool4 *p);
/* "fd77::/64": prefix 16..80, host bits zero. 0 or -1. */
int nsset_pool6_parse(const char *s, struct nsset_pool6 *p);
/* Back to text ("10.77.0.0/16"); "" for a pool that is not set. */
void nsset_pool4_format(const struct nsset_pool4 *p, char *buf, size_t size);
void nsset_pool6_format(const struct nsset_pool6 *p, char *buf, size_t size);

/* Number of candidate addresses of a session set (how far `step` may go):
 * S, the size of the session block; 0 for a pool that is not set. */
uint64_t nsset_pool4_hosts(const struct nsset_pool4 *p);
/* First and last address of the session block (of a pool that is set). */
void nsset_pool4_session_range(const struct nsset_pool4 *p, uint32_t *first, uint32_t *last);

/* The set's address for candidate `step` (0 = first choice). -1 when the
 * set has no such candidate (step > 0 for user/group sets, step past the
 * pool, an id that is not a number / hex). */
int nsset_addr4(const struct nsset_pool4 *p, enum nsset_scope scope, const char *id,
		uint64_t step, uint32_t *out);
int nsset_addr6(const struct nsset_pool6 *p, enum nsset_scope scope, const char *id,
		uint64_t step, uint8_t out[16]);
/* The bridge's address: the sets' gateway. */
uint32_t nsset_gateway4(const struct nsset_pool4 *p);
void nsset_gateway6(const struct nsset_pool6 *p, uint8_t out[16]);

/* "10.77.7.211" / "fd77::1:0:7d1" (no prefix length). */
void nsset_addr4_format(uint32_t a, char *buf, size_t size);
void nsset_addr6_format(const uint8_t a[16], char *buf, size_t size);

/* Host end of the set's veth pair: nsu<uid>, nsg<gid>, nss<8 hex>. The end
 * inside the set is always NSSET_VETH_PEER. -1 if the id does not fit. */
#define NSSET_VETH_PEER "eth0"
int nsset_veth_name(enum nsset_scope scope, const char *id, char *buf, size_t size);

/* Interface names nsset accepts for net.bridge: 1..15 of [A-Za-z0-9_-]. */
bool nsset_valid_ifname(const char *s);

#endif
