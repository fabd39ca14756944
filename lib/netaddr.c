/* Network settings and set addresses; see netaddr.h. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Splits "ADDR/LEN" into its parts; LEN must be a plain decimal. */
static int split_prefix(const char *s, char *addr, size_t size, unsigned *len)
{
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= size)
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	unsigned long l;
	if (parse_ulong(slash + 1, 128, &l) < 0 || (slash[1] == '0' && slash[2] != '\0'))
		return -1;
	*len = (unsigned)l;
	return 0;
}

int nsset_pool4_parse(const char *s, struct nsset_pool4 *p)
{
	char addr[INET_ADDRSTRLEN];
	unsigned len;
	struct in_addr in;
	memset(p, 0, sizeof(*p));
	if (split_prefix(s, addr, sizeof(addr), &len) < 0 || len < 8 || len > 29 ||
	    inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	uint32_t base = ntohl(in.s_addr);
	uint32_t hostmask = (uint32_t)((1ULL << (32 - len)) - 1);
	if (base & hostmask)
		return -1;
	p->set = true;
	p->base = base;
	p->len = len;
	return 0;
}

int nsset_pool6_parse(const char *s, struct nsset_pool6 *p)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned len;
	memset(p, 0, sizeof(*p));
	if (split_prefix(s, addr, sizeof(addr), &len) < 0 || len < 16 || len > 80 ||
	    inet_pton(AF_INET6, addr, p->base) != 1)
		return -1;
	for (unsigned bit = len; bit < 128; bit++)
		if (p->base[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	p->set = true;
	p->len = len;
	return 0;
}

void nsset_addr4_format(uint32_t a, char *buf, size_t size)
{
	struct in_addr in = { .s_addr = htonl(a) };
	char text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &in, text, sizeof(text));
	snprintf(buf, size, "%s", text);
}

void nsset_addr6_format(const uint8_t a[16], char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, text, sizeof(text));
	snprintf(buf, size, "%s", text);
}

void nsset_pool4_format(const struct nsset_pool4 *p, char *buf, size_t size)
{
	if (!p->set) {
		snprintf(buf, size, "%s", "");
		return;
	}
	char a[INET_ADDRSTRLEN];
	nsset_addr4_format(p->base, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
}

void nsset_pool6_format(const struct nsset_pool6 *p, char *buf, size_t size)
{
	if (!p->set) {
		snprintf(buf, size, "%s", "");
		return;
	}
	char a[INET6_ADDRSTRLEN];
	nsset_addr6_format(p->base, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
}

/* The IPv4 plan of a pool (see netaddr.h): N addresses, H assignable,
 * S of them the session block, F = H - S the formula addresses of user and
 * group sets, `low` of those below the block. */
struct plan4 {
	uint64_t size, hosts, sessions, formula, low;
};

static struct plan4 plan4_of(const struct nsset_pool4 *p)
{
	struct plan4 q;
	q.size = 1ULL << (32 - p->len);
	q.hosts = q.size - 3;
	/* A quarter, and at least one: a /29 (H = 5) keeps four formula
	 * addresses and one for sessions. */
	q.sessions = q.hosts / 4 ? q.hosts / 4 : 1;
	q.formula = q.hosts - q.sessions;
	q.low = (q.formula + 1) / 2;
	return q;
}

uint64_t nsset_pool4_hosts(const struct nsset_pool4 *p)
{
	return p->set ? plan4_of(p).sessions : 0;
}

void nsset_pool4_session_range(const struct nsset_pool4 *p, uint32_t *first, uint32_t *last)
{
	struct plan4 q = plan4_of(p);
	*first = p->base + (uint32_t)(2 + q.low);
	*last = *first + (uint32_t)(q.sessions - 1);
}

/* The number a set's address is made from: uid, gid or the first 32 bits
 * of a session id. */
static int set_number(enum nsset_scope scope, const char *id, uint32_t *n)
{
	unsigned long v;
	if (scope == NSSET_SCOPE_USER || scope == NSSET_SCOPE_GROUP) {
		if (parse_ulong(id, 0xffffffffUL, &v) < 0)
			return -1;
		*n = (uint32_t)v;
		return 0;
	}
	if (scope != NSSET_SCOPE_SESSION || strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
		return -1;
	char head[9];
	memcpy(head, id, 8);
	head[8] = '\0';
	*n = (uint32_t)strtoul(head, NULL, 16);
	return 0;
}

int nsset_addr4(const struct nsset_pool4 *p, enum nsset_scope scope, const char *id,
		uint64_t step, uint32_t *out)
{
	uint32_t n;
	if (!p->set || set_number(scope, id, &n) < 0)
		return -1;
	struct plan4 q = plan4_of(p);
	if (scope != NSSET_SCOPE_SESSION ? step > 0 : step >= q.sessions)
		return -1;
	/* Formula addresses: the r-th counting up from B+2 (users) or down
	 * from B+N-2 (groups), stepping over the session block in the
	 * middle, so that small ids keep the addresses the plan gave them
	 * before the block existed. */
	uint64_t offset, r = n % q.formula;
	if (scope == NSSET_SCOPE_USER)
		offset = r < q.low ? 2 + r : 2 + r + q.sessions;
	else if (scope == NSSET_SCOPE_GROUP)
		offset = r < q.formula - q.low ? (q.size - 2) - r : (q.size - 2) - r - q.sessions;
	else
		offset = 2 + q.low + ((uint64_t)n + step) % q.sessions;
	*out = p->base + (uint32_t)offset;
	return 0;
}

/* Adds a 64-bit value to the low half of an IPv6 address (the pool's host
 * bits are zero and at least 48 wide, so nothing carries into the prefix). */
static void add6(const uint8_t base[16], uint64_t v, uint8_t out[16])
{
	memcpy(out, base, 16);
	for (int i = 15; i >= 8; i--) {
		v += out[i];
		out[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

int nsset_addr6(const struct nsset_pool6 *p, enum nsset_scope scope, const char *id,
		uint64_t step, uint8_t out[16])
{
	uint32_t n;
	if (!p->set || set_number(scope, id, &n) < 0)
		return -1;
	uint64_t tag;
	if (scope == NSSET_SCOPE_USER)
		tag = 1;
	else if (scope == NSSET_SCOPE_GROUP)
		tag = 2;
	else
		tag = 3;
	if (scope != NSSET_SCOPE_SESSION ? step > 0 : step > 0xffffffffULL)
		return -1;
	uint32_t low = scope == NSSET_SCOPE_SESSION ? (uint32_t)(n + step) : n;
	add6(p->base, (tag << 32) | low, out);
	return 0;
}

uint32_t nsset_gateway4(const struct nsset_pool4 *p)
{
	return p->base + 1;
}

void nsset_gateway6(const struct nsset_pool6 *p, uint8_t out[16])
{
	add6(p->base, 1, out);
}

int nsset_veth_name(enum nsset_scope scope, const char *id, char *buf, size_t size)
{
	uint32_t n;
	if (set_number(scope, id, &n) < 0)
		return -1;
	int len;
	if (scope == NSSET_SCOPE_USER)
		len = snprintf(buf, size, "nsu%u", (unsigned)n);
	else if (scope == NSSET_SCOPE_GROUP)
		len = snprintf(buf, size, "nsg%u", (unsigned)n);
	else
		len = snprintf(buf, size, "nss%.8s", id);
	return len < 0 || (size_t)len >= size || len > NSSET_IFNAME_MAX ? -1 : 0;
}

bool nsset_valid_ifname(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > NSSET_IFNAME_MAX)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return false;
	return true;
}
