/* The network of net=veth sets; see net.h. */
#include "net.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "netaddr.h"
#include "netlink.h"
#include "util.h"

#define CLAIM_DIR ".net"
#define CLAIM_LOCK ".net.lock"

/* ---- address claims ---------------------------------------------------- */

static int claims_open(const struct nsset_store *st, struct nsset_err *e)
{
	if (mkdirat(st->fd, CLAIM_DIR, 0700) < 0 && errno != EEXIST)
		return nsset_fail(e, errno, "%s/" CLAIM_DIR, st->path);
	int fd = openat(st->fd, CLAIM_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/" CLAIM_DIR, st->path);
	return fd;
}

static int claims_lock(const struct nsset_store *st, struct nsset_err *e)
{
	_cleanup_close_ int fd = openat(st->fd, CLAIM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/" CLAIM_LOCK, st->path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return nsset_fail(e, errno, "locking %s/" CLAIM_LOCK, st->path);
	return TAKE_FD(fd);
}

/* Who holds the claim file `name`: 0 free (no claim, or its holder is
 * gone, or it is `setname`'s own from an earlier life), 1 taken (*owner
 * says by whom). */
static int claim_taken(int dfd, const char *name, const char *setname, char *owner, size_t size)
{
	char text[160], set[96];
	int pid;
	unsigned long long start;
	if (read_small_file_at(dfd, name, text, sizeof(text)) < 0)
		return 0;
	if (sscanf(text, "%95s %d %llu", set, &pid, &start) != 3 || strcmp(set, setname) == 0)
		return 0;
	if (pid <= 0 || proc_starttime(pid) != start)
		return 0;
	snprintf(owner, size, "%s", set);
	return 1;
}

static int claim_write(int dfd, const char *name, const struct nsset_meta *m, struct nsset_err *e)
{
	char text[160];
	int n = snprintf(text, sizeof(text), "%s/%s %d %llu\n", nsset_scope_name(m->scope), m->id,
			 (int)m->holder_pid, m->holder_start);
	if (write_file_atomic_at(dfd, name, text, (size_t)n, 0600) < 0)
		return nsset_fail(e, errno, "claiming address (%s)", name);
	return 0;
}

/* Removes the claim `name` if it is `setname`'s. */
static void claim_drop(int dfd, const char *name, const char *setname)
{
	char text[160], set[96];
	if (read_small_file_at(dfd, name, text, sizeof(text)) >= 0 &&
	    sscanf(text, "%95s", set) == 1 && strcmp(set, setname) == 0)
		unlinkat(dfd, name, 0);
}

/* Picks and claims the set's IPv4 address: the one address of a user or
 * group set, or the first free candidate of a session set (in the pool's
 * session block, so a full block refuses only session sets). */
static int claim4(int dfd, const struct nsset_pool4 *pool, struct nsset_meta *m, const char *setname,
		  uint32_t *addr, char *claim, size_t csize, struct nsset_err *e)
{
	uint64_t tries = m->scope == NSSET_SCOPE_SESSION ? nsset_pool4_hosts(pool) : 1;
	char text[INET_ADDRSTRLEN], owner[96] = "";
	for (uint64_t step = 0; step < tries; step++) {
		if (nsset_addr4(pool, m->scope, m->id, step, addr) < 0)
			break;
		nsset_addr4_format(*addr, text, sizeof(text));
		snprintf(claim, csize, "v4-%s", text);
		if (!claim_taken(dfd, claim, setname, owner, sizeof(owner)))
			return claim_write(dfd, claim, m, e);
		if (m->scope != NSSET_SCOPE_SESSION)
			return nsset_fail(e, 0, "address %s for %s is taken by %s", text, setname, owner);
	}
	/* Only a session set gets here: its candidates are the session
	 * block, never another set's formula address (netaddr.h). */
	uint32_t first, last;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	nsset_pool4_session_range(pool, &first, &last);
	nsset_addr4_format(first, a, sizeof(a));
	nsset_addr4_format(last, b, sizeof(b));
	return nsset_fail(e, 0, "no free IPv4 address in %s for %s (its session addresses %s-%s "
			  "are all taken)", m->pool4, setname, a, b);
}

static int claim6(int dfd, const struct nsset_pool6 *pool, struct nsset_meta *m, const char *setname,
		  uint8_t addr[16], char *claim, size_t csize, struct nsset_err *e)
{
	/* 2^32 candidates: give up long before, a pool that full is a bug. */
	uint64_t tries = m->scope == NSSET_SCOPE_SESSION ? 65536 : 1;
	char text[INET6_ADDRSTRLEN], owner[96] = "";
	for (uint64_t step = 0; step < tries; step++) {
		if (nsset_addr6(pool, m->scope, m->id, step, addr) < 0)
			break;
		nsset_addr6_format(addr, text, sizeof(text));
		snprintf(claim, csize, "v6-%s", text);
		if (!claim_taken(dfd, claim, setname, owner, sizeof(owner)))
			return claim_write(dfd, claim, m, e);
		if (m->scope != NSSET_SCOPE_SESSION)
			return nsset_fail(e, 0, "address %s for %s is taken by %s", text, setname, owner);
	}
	return nsset_fail(e, 0, "no free IPv6 address in %s for %s", m->pool6, setname);
}

/* ---- interfaces --------------------------------------------------------- */

/* The bridge, made (with the gateway addresses) if missing; its ifindex. */
static int bridge_ready(struct nsset_nl *nl, const struct nsset_meta *m,
			const struct nsset_pool4 *p4, const struct nsset_pool6 *p6, struct nsset_err *e)
{
	struct nsset_link l;
	int r = nsset_nl_link_get(nl, m->bridge, &l, e);
	if (r < 0)
		return -1;
	if (r == 1) {
		if (nsset_nl_bridge_add(nl, m->bridge, e) < 0 && e->errnum != EEXIST)
			return -1;
		if (nsset_nl_link_get(nl, m->bridge, &l, e) != 0)
			return nsset_fail(e, e->errnum, "bridge %s vanished after creation", m->bridge);
	}
	if (strcmp(l.kind, "bridge") != 0)
		return nsset_fail(e, 0, "net.bridge %s exists and is not a bridge", m->bridge);
	if (p4->set) {
		uint32_t gw = htonl(nsset_gateway4(p4));
		if (nsset_nl_addr_add(nl, l.index, AF_INET, &gw, p4->len, true, e) < 0)
			return -1;
	}
	if (p6->set) {
		uint8_t gw[16];
		nsset_gateway6(p6, gw);
		if (nsset_nl_addr_add(nl, l.index, AF_INET6, gw, p6->len, true, e) < 0)
			return -1;
	}
	if (!(l.flags & IFF_UP) && nsset_nl_link_up(nl, l.index, e) < 0)
		return -1;
	return l.index;
}

/* An interface already named like the set's host end: a leftover of an
 * earlier life of this set (its holder was killed while processes kept the
 * old network namespace) if it is a veth on our bridge; removed then. */
static int clear_leftover(struct nsset_nl *nl, const struct nsset_meta *m, int bridge,
			  const char *setname, const struct nsset_log *log, struct nsset_err *e)
{
	struct nsset_link l;
	int r = nsset_nl_link_get(nl, m->veth, &l, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (strcmp(l.kind, "veth") != 0 || l.master != bridge)
		return nsset_fail(e, 0, "interface %s exists and is not one of nsset's", m->veth);
	if (nsset_nl_link_del(nl, l.index, e) < 0 && e->errnum != ENODEV)
		return -1;
	nsset_log(log, LOG_NOTICE, "set %s: removed interface %s left by an earlier %s",
		  setname, m->veth, setname);
	return 0;
}

/* Inside the set: the peer up, its addresses, default routes. */
static int configure_inside(int netns, const struct nsset_pool4 *p4, uint32_t a4,
			    const struct nsset_pool6 *p6, const uint8_t *a6, struct nsset_err *e)
{
	struct nsset_nl in;
	if (nsset_nl_open(&in, netns, e) < 0)
		return -1;
	int rc = -1;
	struct nsset_link l;
	if (nsset_nl_link_get(&in, NSSET_VETH_PEER, &l, e) != 0) {
		nsset_fail(e, e->errnum, "no %s inside the set", NSSET_VETH_PEER);
		goto out;
	}
	if (nsset_nl_link_up(&in, l.index, e) < 0)
		goto out;
	if (p4->set) {
		uint32_t addr = htonl(a4), gw = htonl(nsset_gateway4(p4));
		if (nsset_nl_addr_add(&in, l.index, AF_INET, &addr, p4->len, false, e) < 0 ||
		    nsset_nl_default_route(&in, l.index, AF_INET, &gw, e) < 0)
			goto out;
	}
	if (p6->set) {
		uint8_t gw[16];
		nsset_gateway6(p6, gw);
		if (nsset_nl_addr_add(&in, l.index, AF_INET6, a6, p6->len, false, e) < 0 ||
		    nsset_nl_default_route(&in, l.index, AF_INET6, gw, e) < 0)
			goto out;
	}
	rc = 0;
out:
	nsset_nl_close(&in);
	return rc;
}

int nsset_net_up(const struct nsset_store *st, struct nsset_meta *m, pid_t init,
		 const struct nsset_log *log, struct nsset_err *e)
{
	struct nsset_err scratch;       /* e->errnum is read below */
	if (!e)
		e = &scratch;
	char setname[64];
	snprintf(setname, sizeof(setname), "%s/%s", nsset_scope_name(m->scope), m->id);
	struct nsset_pool4 p4 = { 0 };
	struct nsset_pool6 p6 = { 0 };
	if ((m->pool4[0] && nsset_pool4_parse(m->pool4, &p4) < 0) ||
	    (m->pool6[0] && nsset_pool6_parse(m->pool6, &p6) < 0) || (!p4.set && !p6.set))
		return nsset_fail(e, 0, "%s: invalid address pools '%s' '%s'", setname, m->pool4, m->pool6);
	if (!nsset_valid_ifname(m->bridge) ||
	    nsset_veth_name(m->scope, m->id, m->veth, sizeof(m->veth)) < 0)
		return nsset_fail(e, 0, "%s: invalid interface names", setname);

	_cleanup_close_ int lock = claims_lock(st, e);
	if (lock < 0)
		return -1;
	_cleanup_close_ int dfd = claims_open(st, e);
	_cleanup_close_ int netns = -1;
	int bridge = -1;
	char claim4_name[64] = "", claim6_name[80] = "";
	uint32_t a4 = 0;
	uint8_t a6[16] = { 0 };
	bool made = false;
	struct nsset_nl nl = { 0 };
	int rc = -1;
	if (dfd < 0)
		goto out;
	if (p4.set && claim4(dfd, &p4, m, setname, &a4, claim4_name, sizeof(claim4_name), e) < 0)
		goto out;
	if (p6.set && claim6(dfd, &p6, m, setname, a6, claim6_name, sizeof(claim6_name), e) < 0)
		goto out;

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0) {
		nsset_fail(e, errno, "%s", path);
		goto out;
	}
	if (nsset_nl_open(&nl, -1, e) < 0)
		goto out;
	bridge = bridge_ready(&nl, m, &p4, &p6, e);
	if (bridge < 0 || clear_leftover(&nl, m, bridge, setname, log, e) < 0)
		goto out;
	if (nsset_nl_veth_add(&nl, m->veth, bridge, NSSET_VETH_PEER, netns, e) < 0)
		goto out;
	made = true;
	struct nsset_link host;
	if (nsset_nl_link_get(&nl, m->veth, &host, e) != 0 ||
	    nsset_nl_link_up(&nl, host.index, e) < 0)
		goto out;
	if (configure_inside(netns, &p4, a4, &p6, a6, e) < 0)
		goto out;

	char text[INET6_ADDRSTRLEN];
	if (p4.set) {
		nsset_addr4_format(a4, text, sizeof(text));
		snprintf(m->addr4, sizeof(m->addr4), "%s/%u", text, p4.len);
	}
	if (p6.set) {
		nsset_addr6_format(a6, text, sizeof(text));
		snprintf(m->addr6, sizeof(m->addr6), "%s/%u", text, p6.len);
	}
	nsset_log(log, LOG_INFO, "set %s: veth %s%s%s%s%s on %s", setname, m->veth,
		  m->addr4[0] ? " " : "", m->addr4, m->addr6[0] ? " " : "", m->addr6, m->bridge);
	rc = 0;
out:
	if (rc < 0) {
		struct nsset_link l;
		if (made && nl.sock && nsset_nl_link_get(&nl, m->veth, &l, NULL) == 0)
			nsset_nl_link_del(&nl, l.index, NULL);
		if (dfd >= 0 && claim4_name[0])
			claim_drop(dfd, claim4_name, setname);
		if (dfd >= 0 && claim6_name[0])
			claim_drop(dfd, claim6_name, setname);
		m->veth[0] = m->addr4[0] = m->addr6[0] = '\0';
	}
	nsset_nl_close(&nl);
	return rc;
}

int nsset_net_down(const struct nsset_store *st, const struct nsset_meta *m,
		   struct nsset_err *e)
{
	if (m->net != NSSET_NET_VETH || !m->veth[0])
		return 0;
	struct nsset_err scratch;       /* e->errnum is read below */
	if (!e)
		e = &scratch;
	char setname[64];
	snprintf(setname, sizeof(setname), "%s/%s", nsset_scope_name(m->scope), m->id);
	int rc = 0;
	struct nsset_nl nl;
	if (nsset_nl_open(&nl, -1, e) < 0) {
		rc = -1;
	} else {
		struct nsset_link l, br;
		int r = nsset_nl_link_get(&nl, m->veth, &l, e);
		/* Only our own: a veth on the set's bridge. */
		if (r == 0 && strcmp(l.kind, "veth") == 0 &&
		    nsset_nl_link_get(&nl, m->bridge, &br, NULL) == 0 && l.master == br.index) {
			if (nsset_nl_link_del(&nl, l.index, e) < 0 && e->errnum != ENODEV)
				rc = -1;
		} else if (r < 0) {
			rc = -1;
		}
		nsset_nl_close(&nl);
	}
	_cleanup_close_ int lock = claims_lock(st, NULL);
	_cleanup_close_ int dfd = openat(st->fd, CLAIM_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		/* Claim names are the addresses without their prefix length. */
		const struct { const char *tag, *addr; } claims[] = { { "v4", m->addr4 }, { "v6", m->addr6 } };
		for (size_t i = 0; i < 2; i++) {
			if (!claims[i].addr[0])
				continue;
			char name[80];
			snprintf(name, sizeof(name), "%s-%.*s", claims[i].tag,
				 (int)strcspn(claims[i].addr, "/"), claims[i].addr);
			claim_drop(dfd, name, setname);
		}
	}
	return rc;
}

int nsset_net_gc_claims(const struct nsset_store *st, struct nsset_err *e)
{
	_cleanup_close_ int dfd = openat(st->fd, CLAIM_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/" CLAIM_DIR, st->path);
	_cleanup_close_ int lock = claims_lock(st, e);
	if (lock < 0)
		return -1;
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d)
		return nsset_fail(e, errno, "%s/" CLAIM_DIR, st->path);
	dfd = -1;       /* d's now */
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "v4-", 3) != 0 && strncmp(de->d_name, "v6-", 3) != 0)
			continue;
		char owner[96];
		/* "" as the set name: no claim is ours, only a live one is kept. */
		if (!claim_taken(dirfd(d), de->d_name, "", owner, sizeof(owner)) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	return removed;
}
