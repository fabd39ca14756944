/* Unit tests for lib/netaddr.c: the address pools of nsset.conf
 * (net.ipv4=, net.ipv6=), the address every net=veth set gets, the bridge's
 * address, the names of the host ends of the veth pairs and net.bridge=
 * names.  The figures are those of nsset.conf(5), "NETWORKING", worked out
 * by hand: a change of the scheme must change this file too, because it
 * moves every set's address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netaddr.h"

/* ---- helpers ------------------------------------------------------------ */

static struct nsset_pool4 pool4(const char *text)
{
	struct nsset_pool4 p;
	if (nsset_pool4_parse(text, &p) != 0)
		fail_msg("pool %s refused", text);
	return p;
}

static struct nsset_pool6 pool6(const char *text)
{
	struct nsset_pool6 p;
	if (nsset_pool6_parse(text, &p) != 0)
		fail_msg("pool %s refused", text);
	return p;
}

/* The set's IPv4 address for candidate `step`, as text; "-" when refused. */
static const char *addr4(const struct nsset_pool4 *p, enum nsset_scope scope, const char *id,
			 uint64_t step)
{
	static char buf[64];
	uint32_t a = 0xdeadbeef;
	if (nsset_addr4(p, scope, id, step, &a) != 0)
		return "-";
	nsset_addr4_format(a, buf, sizeof(buf));
	return buf;
}

static const char *addr6(const struct nsset_pool6 *p, enum nsset_scope scope, const char *id,
			 uint64_t step)
{
	static char buf[64];
	uint8_t a[16];
	memset(a, 0xee, sizeof(a));
	if (nsset_addr6(p, scope, id, step, a) != 0)
		return "-";
	nsset_addr6_format(a, buf, sizeof(buf));
	return buf;
}

static uint32_t addr4_num(const struct nsset_pool4 *p, enum nsset_scope scope, const char *id,
			  uint64_t step)
{
	uint32_t a = 0;
	if (nsset_addr4(p, scope, id, step, &a) != 0)
		fail_msg("no address for %s step %llu", id, (unsigned long long)step);
	return a;
}

static const char *fmt_pool4(const struct nsset_pool4 *p)
{
	static char buf[NSSET_POOL_TEXT_MAX];
	memset(buf, 'x', sizeof(buf));
	nsset_pool4_format(p, buf, sizeof(buf));
	return buf;
}

static const char *fmt_pool6(const struct nsset_pool6 *p)
{
	static char buf[NSSET_POOL_TEXT_MAX];
	memset(buf, 'x', sizeof(buf));
	nsset_pool6_format(p, buf, sizeof(buf));
	return buf;
}

static const char *veth(enum nsset_scope scope, const char *id)
{
	static char buf[32];
	if (nsset_veth_name(scope, id, buf, sizeof(buf)) != 0)
		return "-";
	return buf;
}

/* ---- pools -------------------------------------------------------------- */

static void test_pool4_valid(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint32_t base;
		unsigned len;
	} ok[] = {
		{ "10.77.0.0/16", 0x0a4d0000, 16 },
		{ "10.0.0.0/8", 0x0a000000, 8 },            /* widest */
		{ "10.88.0.0/29", 0x0a580000, 29 },         /* narrowest */
		{ "192.168.7.248/29", 0xc0a807f8, 29 },
		{ "172.16.0.0/12", 0xac100000, 12 },
		{ "100.64.128.0/17", 0x64408000, 17 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct nsset_pool4 p;
		memset(&p, 0x55, sizeof(p));
		if (nsset_pool4_parse(ok[i].text, &p) != 0)
			fail_msg("%s refused", ok[i].text);
		assert_true(p.set);
		assert_int_equal(p.base, ok[i].base);   /* host byte order */
		assert_int_equal(p.len, ok[i].len);
	}
}

static void test_pool4_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
		/* prefix length outside 8..29 */
		"10.0.0.0/7", "0.0.0.0/0", "10.77.0.0/30", "10.77.0.0/31", "10.77.0.0/32",
		"10.77.0.0/33", "10.77.0.0/128",
		/* host bits set */
		"10.77.0.1/16", "10.77.1.0/16", "10.88.0.4/29", "10.255.0.0/8", "192.168.7.252/29",
		/* no prefix, empty parts */
		"10.77.0.0", "10.77.0.0/", "/16", "", "/",
		/* garbage */
		"abc", "10.77.0/16", "10.77.0.0.0/16", "10.77.0.256/24", "256.0.0.0/8",
		"10.77.0.0/16x", "10.77.0.0/x16", "10.77.0.0/-16", "10.77.0.0/+16",
		"10.77.0.0/ 16", " 10.77.0.0/16", "10.77.0.0/16 ", "10.77.0.0/16/16",
		"10.77.0.0\n/16", "10.77.0.0/16\n", "fd77::/64", "::ffff:10.77.0.0/112",
		"10.77.0.0/99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nsset_pool4 p;
		if (nsset_pool4_parse(bad[i], &p) == 0)
			fail_msg("IPv4 pool '%s' accepted (%s)", bad[i], fmt_pool4(&p));
	}
}

static void test_pool6_valid(void **state)
{
	(void)state;
	struct nsset_pool6 p;
	memset(&p, 0x55, sizeof(p));
	assert_int_equal(nsset_pool6_parse("fd77::/64", &p), 0);
	assert_true(p.set);
	assert_int_equal(p.len, 64);
	static const uint8_t fd77[16] = { 0xfd, 0x77 };
	assert_memory_equal(p.base, fd77, 16);

	static const char *ok[] = {
		"fd00::/16",                    /* widest */
		"fd77:1:2:3:4::/80",            /* narrowest, with bits up to 79 set */
		"fd77:1:2::/48",
		"2001:db8::/32",
		"fd77:0:0:0:8000::/65",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (nsset_pool6_parse(ok[i], &p) != 0)
			fail_msg("%s refused", ok[i]);
}

static void test_pool6_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
		/* prefix length outside 16..80 */
		"fd00::/15", "::/0", "fd77::/81", "fd77::/96", "fd77::/120", "fd77::/128",
		"fd77::/129",
		/* host bits set */
		"fd77::1/64", "fd77::1:0:0/80", "fd77:0:0:0:8000::/64", "fd77:1::/16",
		"fd77:1:2:3:4:1::/80",
		/* no prefix, garbage */
		"fd77::", "fd77::/", "/64", "", "fd77:::/64", "fd77::g/64", "fd77::/64x",
		"fd77::/+64", "fd77::/-64", "fd77::/64/64", " fd77::/64", "fd77::/64 ",
		"10.77.0.0/16", "fd77::/99999999999999999999999",
		"1:2:3:4:5:6:7:8:9/64",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nsset_pool6 p;
		if (nsset_pool6_parse(bad[i], &p) == 0)
			fail_msg("IPv6 pool '%s' accepted (%s)", bad[i], fmt_pool6(&p));
	}
}

static void test_pool_format(void **state)
{
	(void)state;
	/* Canonical text comes back unchanged. */
	static const char *v4[] = { "10.77.0.0/16", "10.0.0.0/8", "10.88.0.0/29",
				    "192.168.7.248/29", "172.16.0.0/12" };
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		struct nsset_pool4 p = pool4(v4[i]);
		assert_string_equal(fmt_pool4(&p), v4[i]);
		/* and parses again to the same pool */
		struct nsset_pool4 q = pool4(fmt_pool4(&p));
		assert_int_equal(q.base, p.base);
		assert_int_equal(q.len, p.len);
	}
	static const char *v6[] = { "fd77::/64", "fd00::/16", "fd77:1:2:3:4::/80",
				    "2001:db8::/32" };
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		struct nsset_pool6 p = pool6(v6[i]);
		assert_string_equal(fmt_pool6(&p), v6[i]);
		struct nsset_pool6 q = pool6(fmt_pool6(&p));
		assert_memory_equal(q.base, p.base, 16);
		assert_int_equal(q.len, p.len);
	}
	/* Other spellings come back canonical. */
	struct nsset_pool6 p6 = pool6("FD77:0:0:0::/64");
	assert_string_equal(fmt_pool6(&p6), "fd77::/64");
	p6 = pool6("fd77:0000:0000:0000:0000:0000:0000:0000/64");
	assert_string_equal(fmt_pool6(&p6), "fd77::/64");

	/* A pool that is not set formats as "". */
	struct nsset_pool4 none4;
	struct nsset_pool6 none6;
	memset(&none4, 0, sizeof(none4));
	memset(&none6, 0, sizeof(none6));
	assert_string_equal(fmt_pool4(&none4), "");
	assert_string_equal(fmt_pool6(&none6), "");
	/* A failed parse leaves nothing that claims to be set. */
	assert_int_equal(nsset_pool4_parse("10.77.0.1/16", &none4), -1);
	assert_false(none4.set);
	assert_int_equal(nsset_pool6_parse("fd77::1/64", &none6), -1);
	assert_false(none6.set);

	/* The longest pool text fits NSSET_POOL_TEXT_MAX. */
	p6 = pool6("fd77:1234:5678:9abc:def0::/80");
	assert_string_equal(fmt_pool6(&p6), "fd77:1234:5678:9abc:def0::/80");
	assert_true(strlen("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128") < NSSET_POOL_TEXT_MAX);

	/* Address text. */
	char buf[64];
	nsset_addr4_format(0x0a4d07d3, buf, sizeof(buf));
	assert_string_equal(buf, "10.77.7.211");
	nsset_addr4_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0");
	nsset_addr4_format(0xffffffff, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255");
	static const uint8_t a6[16] = { 0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x07, 0xd1 };
	nsset_addr6_format(a6, buf, sizeof(buf));
	assert_string_equal(buf, "fd77::1:0:7d1");
	/* A short buffer gets a terminated prefix, never an overrun. */
	char small[6];
	memset(small, 'x', sizeof(small));
	nsset_addr4_format(0x0a4d07d3, small, sizeof(small));
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_int_equal(strncmp(small, "10.77", 5), 0);
}

/* ---- IPv4 addresses ----------------------------------------------------- */

/* The plan of a pool as netaddr.h describes it, worked out here on its own
 * so that the tests check the library against the documented formulas. */
struct plan {
	uint64_t N, H, S, F, low;
};

static struct plan plan_of(const struct nsset_pool4 *p)
{
	struct plan q;
	q.N = 1ULL << (32 - p->len);
	q.H = q.N - 3;
	q.S = q.H / 4 ? q.H / 4 : 1;
	q.F = q.H - q.S;
	q.low = (q.F + 1) / 2;
	return q;
}

static void test_addr4_spec_examples(void **state)
{
	(void)state;
	struct nsset_pool4 p = pool4("10.77.0.0/16");
	/* H = 2^16 - 3 = 65533: S = 16383 session addresses, F = 49150
	 * formula addresses, low = 24575 of them below the session block. */
	assert_int_equal(nsset_pool4_hosts(&p), 16383);

	char gw[32];
	nsset_addr4_format(nsset_gateway4(&p), gw, sizeof(gw));
	assert_string_equal(gw, "10.77.0.1");

	/* The same addresses as before the session block existed. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2001", 0), "10.77.7.211");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2002", 0), "10.77.7.212");
	/* group 3001: 10.77.0.0 + 65534 - 3001 = offset 62533 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3001", 0), "10.77.244.69");
	assert_int_equal(addr4_num(&p, NSSET_SCOPE_GROUP, "3001", 0), 0x0a4d0000u + 62533);

	/* The session block: offsets 2 + 24575 = 24577 to 24577 + 16382. */
	uint32_t first = 0, last = 0;
	char a[32], b[32];
	nsset_pool4_session_range(&p, &first, &last);
	nsset_addr4_format(first, a, sizeof(a));
	nsset_addr4_format(last, b, sizeof(b));
	assert_string_equal(a, "10.77.96.1");
	assert_string_equal(b, "10.77.159.255");

	/* Users count up to the block and go on above it; groups count down
	 * to it and go on below it. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "24574", 0), "10.77.96.0");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "24575", 0), "10.77.160.0");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "24574", 0), "10.77.160.0");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "24575", 0), "10.77.96.0");

	/* The bottom and the top of the assignable range. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "0", 0), "10.77.0.2");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "49149", 0), "10.77.255.254");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "0", 0), "10.77.255.254");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "49149", 0), "10.77.0.2");
	/* F wraps: uid 49150 is uid 0 again. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "49150", 0), "10.77.0.2");
	/* uid 2^32-1: 4294967295 mod 49150 = 43695, above the block:
	 * offset 2 + 43695 + 16383 = 60080 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "4294967295", 0), "10.77.234.176");
	/* ... for a group: 65534 - 43695 - 16383 = 5456 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "4294967295", 0), "10.77.21.80");

	/* Another pool, another base: same offsets. */
	struct nsset_pool4 q = pool4("192.168.0.0/16");
	assert_string_equal(addr4(&q, NSSET_SCOPE_USER, "2001", 0), "192.168.7.211");
	assert_string_equal(addr4(&q, NSSET_SCOPE_GROUP, "3001", 0), "192.168.244.69");

	/* The widest pool: the block is 10.96.0.1 to 10.159.255.255. */
	struct nsset_pool4 w = pool4("10.0.0.0/8");
	assert_int_equal(nsset_pool4_hosts(&w), 4194303);
	nsset_pool4_session_range(&w, &first, &last);
	nsset_addr4_format(first, a, sizeof(a));
	nsset_addr4_format(last, b, sizeof(b));
	assert_string_equal(a, "10.96.0.1");
	assert_string_equal(b, "10.159.255.255");
	assert_string_equal(addr4(&w, NSSET_SCOPE_USER, "2001", 0), "10.0.7.211");
	assert_string_equal(addr4(&w, NSSET_SCOPE_GROUP, "3001", 0), "10.255.244.69");
}

static void test_addr4_wraps(void **state)
{
	(void)state;
	/* uid u and u + F get the same address: the formula is a plain
	 * modulo, so such sets clash (an error at creation, never a silent
	 * move). */
	static const char *pools[] = { "10.77.0.0/16", "10.88.0.0/29", "10.0.0.0/8",
				       "172.20.0.0/24", "10.1.2.240/28" };
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		struct nsset_pool4 p = pool4(pools[i]);
		struct plan q = plan_of(&p);
		assert_int_equal(nsset_pool4_hosts(&p), q.S);
		uint64_t F = q.F;
		static const uint64_t ids[] = { 0, 1, 2001, 3001, 65532, 100000 };
		for (size_t j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
			char a[24], b[24];
			snprintf(a, sizeof(a), "%llu", (unsigned long long)ids[j]);
			snprintf(b, sizeof(b), "%llu", (unsigned long long)(ids[j] + F));
			if (ids[j] + F > 0xffffffffULL)
				continue;
			assert_int_equal(addr4_num(&p, NSSET_SCOPE_USER, a, 0),
					 addr4_num(&p, NSSET_SCOPE_USER, b, 0));
			assert_int_equal(addr4_num(&p, NSSET_SCOPE_GROUP, a, 0),
					 addr4_num(&p, NSSET_SCOPE_GROUP, b, 0));
			/* ... and u + 1 does not. */
			snprintf(b, sizeof(b), "%llu", (unsigned long long)(ids[j] + 1));
			assert_int_not_equal(addr4_num(&p, NSSET_SCOPE_USER, a, 0),
					     addr4_num(&p, NSSET_SCOPE_USER, b, 0));
		}
	}
}

static void test_addr4_small_pool(void **state)
{
	(void)state;
	/* /29: N = 8, H = 5: network .0, bridge .1, sets .2 to .6, broadcast
	 * .7; S = 1 (the session block is .4), F = 4, low = 2. */
	struct nsset_pool4 p = pool4("10.88.0.0/29");
	assert_int_equal(nsset_pool4_hosts(&p), 1);
	char gw[32];
	nsset_addr4_format(nsset_gateway4(&p), gw, sizeof(gw));
	assert_string_equal(gw, "10.88.0.1");
	uint32_t first = 0, last = 0;
	nsset_pool4_session_range(&p, &first, &last);
	assert_int_equal(first, p.base + 4);
	assert_int_equal(last, p.base + 4);

	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2000", 0), "10.88.0.2");   /* 2000 % 4 = 0 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2001", 0), "10.88.0.3");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2005", 0), "10.88.0.3");   /* clashes with 2001 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2002", 0), "10.88.0.5");   /* over the block */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2006", 0), "10.88.0.5");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2003", 0), "10.88.0.6");
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2004", 0), "10.88.0.2");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3000", 0), "10.88.0.6");  /* top */
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3001", 0), "10.88.0.5");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3002", 0), "10.88.0.3");  /* under the block */
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3003", 0), "10.88.0.2");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 0), "10.88.0.4");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 1), "-");

	/* Every user and group id lands outside the session block, on every
	 * other address from .2 to N-2, each of them reached. */
	static const char *pools[] = { "10.88.0.0/29", "10.88.0.16/28", "10.88.1.0/24" };
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		struct nsset_pool4 q = pool4(pools[i]);
		struct plan pl = plan_of(&q);
		uint64_t N = pl.N;
		uint32_t lo = q.base + 2, hi = (uint32_t)(q.base + N - 2);
		nsset_pool4_session_range(&q, &first, &last);
		unsigned char seen_u[256] = { 0 }, seen_g[256] = { 0 };
		for (unsigned id = 0; id < 3 * pl.H + 7; id++) {
			char s[16];
			snprintf(s, sizeof(s), "%u", id);
			uint32_t u = addr4_num(&q, NSSET_SCOPE_USER, s, 0);
			uint32_t g = addr4_num(&q, NSSET_SCOPE_GROUP, s, 0);
			if (u < lo || u > hi || g < lo || g > hi)
				fail_msg("%s: id %u -> user %08x group %08x, outside %08x..%08x",
					 pools[i], id, u, g, lo, hi);
			if ((u >= first && u <= last) || (g >= first && g <= last))
				fail_msg("%s: id %u -> user %08x group %08x, in the session block",
					 pools[i], id, u, g);
			seen_u[u - q.base] = 1;
			seen_g[g - q.base] = 1;
		}
		for (uint32_t o = 2; o <= N - 2; o++) {
			bool block = q.base + o >= first && q.base + o <= last;
			if (!block && (!seen_u[o] || !seen_g[o]))
				fail_msg("%s: offset %u never given", pools[i], o);
		}
	}
}

static void test_addr4_sessions(void **state)
{
	(void)state;
	struct nsset_pool4 p = pool4("10.77.0.0/16");
	/* hex32 = 0x01234567 = 19088743; mod 16383 = 2548; the block starts
	 * at offset 24577: 27125 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 0), "10.77.105.245");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 1), "10.77.105.246");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456700000000", 0), "10.77.105.245");
	/* Only the first 8 hex digits count. */
	assert_int_equal(addr4_num(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 0),
			 addr4_num(&p, NSSET_SCOPE_SESSION, "01234567ffffffff", 0));
	/* 0xffffffff mod 16383 = 15 */
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "ffffffff00000000", 0), "10.77.96.16");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0000000000000000", 0), "10.77.96.1");

	/* Probing in a /28 (S = 3, the block .7 to .9): steps 0..S-1 visit
	 * every session address exactly once, going up and wrapping; step S
	 * is past the block. */
	struct nsset_pool4 s = pool4("10.88.0.0/28");
	assert_int_equal(nsset_pool4_hosts(&s), 3);
	static const char *ids[] = { "0000000000000000", "0000000400000000", "ffffffffffffffff",
				     "deadbeef01234567" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		unsigned seen = 0;
		uint32_t first = addr4_num(&s, NSSET_SCOPE_SESSION, ids[i], 0), prev = first;
		for (uint64_t step = 0; step < 3; step++) {
			uint32_t a = addr4_num(&s, NSSET_SCOPE_SESSION, ids[i], step);
			if (a < s.base + 7 || a > s.base + 9)
				fail_msg("%s step %llu: %08x outside the session block", ids[i],
					 (unsigned long long)step, a);
			if (step > 0) /* the next one up, wrapping from .9 to .7 */
				assert_int_equal(a, prev == s.base + 9 ? s.base + 7 : prev + 1);
			seen |= 1u << (a - s.base);
			prev = a;
		}
		assert_int_equal(seen, 0x380);  /* offsets 7..9 */
		assert_string_equal(addr4(&s, NSSET_SCOPE_SESSION, ids[i], 3), "-");
		assert_string_equal(addr4(&s, NSSET_SCOPE_SESSION, ids[i], UINT64_MAX), "-");
	}
	/* 0xdeadbeef mod 3 = 2: starts at .9, then .7, .8 */
	assert_string_equal(addr4(&s, NSSET_SCOPE_SESSION, "deadbeef01234567", 0), "10.88.0.9");
	assert_string_equal(addr4(&s, NSSET_SCOPE_SESSION, "deadbeef01234567", 1), "10.88.0.7");
	assert_string_equal(addr4(&s, NSSET_SCOPE_SESSION, "deadbeef01234567", 2), "10.88.0.8");
	/* In a /16 the last candidate is step S - 1. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 16382), "10.77.105.244");
	assert_string_equal(addr4(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 16383), "-");
}

/* xorshift64*: a fixed sequence, so a failure names ids that reproduce it. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

/* The property the split exists for (issue 12): no session set, whatever
 * its id and however far it probes, ever takes an address the formula
 * gives a user or a group set, in any pool. Then nobody can occupy
 * another user's address by opening and closing sessions. */
static void test_addr4_plan_disjoint(void **state)
{
	(void)state;
	uint64_t x = 0x6e73736574ULL;   /* "nsset" */
	for (unsigned len = 8; len <= 29; len++) {
		/* A low and a high base, to catch an offset leaving the pool. */
		static const uint32_t bases[] = { 0x0a000000, 0xdf000000 };
		for (size_t bi = 0; bi < 2; bi++) {
			char text[32], b[16];
			nsset_addr4_format(bases[bi], b, sizeof(b));
			snprintf(text, sizeof(text), "%s/%u", b, len);
			struct nsset_pool4 p = pool4(text);
			struct plan q = plan_of(&p);
			uint32_t first, last;
			nsset_pool4_session_range(&p, &first, &last);
			assert_int_equal(nsset_pool4_hosts(&p), q.S);
			assert_int_equal((uint64_t)last - first + 1, q.S);
			assert_true(q.S >= 1 && q.F >= 4);
			assert_true(first >= p.base + 2 && last <= p.base + q.N - 2);

			/* Random ids and steps, plus the edges of the formula. */
			uint64_t edges[] = { 0, 1, q.low - 1, q.low, q.F - q.low - 1, q.F - q.low,
					     q.F - 1, q.F, q.F + q.low, 0xfffffffeULL, 0xffffffffULL };
			size_t rounds = len >= 22 ? 3000 : 600;
			for (size_t i = 0; i < rounds + sizeof(edges) / sizeof(edges[0]); i++) {
				uint64_t r = next_rand(&x);
				uint32_t uid = i < rounds ? (uint32_t)r : (uint32_t)edges[i - rounds];
				uint32_t gid = i < rounds ? (uint32_t)(r >> 32) : (uint32_t)edges[i - rounds];
				uint64_t step = i < rounds ? next_rand(&x) % q.S : (i % 2 ? q.S - 1 : 0);
				char us[16], gs[16], ss[20];
				snprintf(us, sizeof(us), "%u", uid);
				snprintf(gs, sizeof(gs), "%u", gid);
				snprintf(ss, sizeof(ss), "%08x%08x", i < rounds ? (uint32_t)next_rand(&x) : uid,
					 (uint32_t)r);
				uint32_t u = addr4_num(&p, NSSET_SCOPE_USER, us, 0);
				uint32_t g = addr4_num(&p, NSSET_SCOPE_GROUP, gs, 0);
				uint32_t s = addr4_num(&p, NSSET_SCOPE_SESSION, ss, step);
				if (s < first || s > last || s == u || s == g)
					fail_msg("%s: session %s step %llu -> %08x (block %08x..%08x), "
						 "user %s -> %08x, group %s -> %08x", text, ss,
						 (unsigned long long)step, s, first, last, us, u, gs, g);
				if ((u >= first && u <= last) || (g >= first && g <= last) ||
				    u < p.base + 2 || g < p.base + 2 || u > p.base + q.N - 2 ||
				    g > p.base + q.N - 2)
					fail_msg("%s: user %s -> %08x, group %s -> %08x: in the session "
						 "block %08x..%08x or outside the pool", text, us, u, gs, g,
						 first, last);
			}
		}
	}

	/* Small pools, exhaustively: every residue of every scope. The
	 * formula addresses of users (and of groups) are exactly the F
	 * addresses outside the block, the session candidates exactly the S
	 * inside it. */
	for (unsigned len = 20; len <= 29; len++) {
		char text[32];
		snprintf(text, sizeof(text), "10.64.0.0/%u", len);
		struct nsset_pool4 p = pool4(text);
		struct plan q = plan_of(&p);
		static unsigned char kind[4096];        /* per offset: 1 user, 2 group, 4 session */
		memset(kind, 0, sizeof(kind));
		assert_true(q.N <= sizeof(kind));
		for (uint64_t id = 0; id < q.F; id++) {
			char s[24];
			snprintf(s, sizeof(s), "%llu", (unsigned long long)id);
			kind[addr4_num(&p, NSSET_SCOPE_USER, s, 0) - p.base] |= 1;
			kind[addr4_num(&p, NSSET_SCOPE_GROUP, s, 0) - p.base] |= 2;
		}
		/* All session residues, with the first and the last step. */
		for (uint64_t h = 0; h < q.S; h++) {
			char s[20];
			snprintf(s, sizeof(s), "%08x00000000", (unsigned)h);
			kind[addr4_num(&p, NSSET_SCOPE_SESSION, s, 0) - p.base] |= 4;
			kind[addr4_num(&p, NSSET_SCOPE_SESSION, s, q.S - 1) - p.base] |= 4;
		}
		uint64_t users = 0, groups = 0, sessions = 0;
		for (uint64_t o = 0; o < q.N; o++) {
			unsigned k = kind[o];
			if ((k & 4) && (k & 3))
				fail_msg("%s: offset %llu is a session and a formula address", text,
					 (unsigned long long)o);
			if (k && (o < 2 || o > q.N - 2))
				fail_msg("%s: offset %llu given", text, (unsigned long long)o);
			if (k && k != 3 && k != 4)
				fail_msg("%s: offset %llu: kind %u", text, (unsigned long long)o, k);
			users += (k & 1) != 0;
			groups += (k & 2) != 0;
			sessions += (k & 4) != 0;
		}
		assert_int_equal(users, q.F);
		assert_int_equal(groups, q.F);
		assert_int_equal(sessions, q.S);
	}
}

static void test_addr4_refusals(void **state)
{
	(void)state;
	struct nsset_pool4 p = pool4("10.77.0.0/16");
	/* User and group sets have exactly one address. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_USER, "2001", 1), "-");
	assert_string_equal(addr4(&p, NSSET_SCOPE_GROUP, "3001", 1), "-");
	/* Ids that are not numbers / not session ids. */
	static const char *bad_num[] = { "", "abc", "-1", "+1", " 1", "1 ", "20x1", "4294967296",
					 "99999999999999999999", "0x10" };
	for (size_t i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
		if (strcmp(addr4(&p, NSSET_SCOPE_USER, bad_num[i], 0), "-") != 0)
			fail_msg("user id '%s' given an address", bad_num[i]);
		if (strcmp(addr4(&p, NSSET_SCOPE_GROUP, bad_num[i], 0), "-") != 0)
			fail_msg("group id '%s' given an address", bad_num[i]);
	}
	static const char *bad_hex[] = { "", "0123456789abcde", "0123456789abcdef0",
					 "0123456789abcdeg", "xyz", "../../etc/passw" };
	for (size_t i = 0; i < sizeof(bad_hex) / sizeof(bad_hex[0]); i++)
		if (strcmp(addr4(&p, NSSET_SCOPE_SESSION, bad_hex[i], 0), "-") != 0)
			fail_msg("session id '%s' given an address", bad_hex[i]);
	/* Scope none has no address; neither has a pool that is not set. */
	assert_string_equal(addr4(&p, NSSET_SCOPE_NONE, "2001", 0), "-");
	struct nsset_pool4 unset;
	memset(&unset, 0, sizeof(unset));
	assert_string_equal(addr4(&unset, NSSET_SCOPE_USER, "2001", 0), "-");
}

/* ---- IPv6 addresses ----------------------------------------------------- */

static void test_addr6(void **state)
{
	(void)state;
	/* P + ((tag << 32) | n): user 2001 = 0x7d1 -> fd77::1:0:7d1 (the tag in
	 * bits 32..47, the uid in the low 32 bits; netspec.md's examples
	 * "fd77::1:7d1" and "fd77::2:bb9" would put the tag at bit 16, where
	 * a uid above 65535 would run into it). */
	struct nsset_pool6 p = pool6("fd77::/64");
	uint8_t gw[16];
	char buf[64];
	nsset_gateway6(&p, gw);
	nsset_addr6_format(gw, buf, sizeof(buf));
	assert_string_equal(buf, "fd77::1");

	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "2001", 0), "fd77::1:0:7d1");
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "2002", 0), "fd77::1:0:7d2");
	assert_string_equal(addr6(&p, NSSET_SCOPE_GROUP, "3001", 0), "fd77::2:0:bb9");
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "0", 0), "fd77::1:0:0");
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "4294967295", 0), "fd77::1:ffff:ffff");
	assert_string_equal(addr6(&p, NSSET_SCOPE_GROUP, "0", 0), "fd77::2:0:0");
	/* No wrap-around in IPv6: uid u and u + 65533 differ. */
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "67534", 0), "fd77::1:1:7ce");
	/* Sessions: tag 3, the first 8 hex digits, then the next ones. */
	assert_string_equal(addr6(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 0), "fd77::3:123:4567");
	assert_string_equal(addr6(&p, NSSET_SCOPE_SESSION, "0123456789abcdef", 1), "fd77::3:123:4568");
	assert_string_equal(addr6(&p, NSSET_SCOPE_SESSION, "ffffffff00000000", 0), "fd77::3:ffff:ffff");
	/* Wrapping within tag 3: the next candidate never leaves the tag. */
	assert_string_equal(addr6(&p, NSSET_SCOPE_SESSION, "ffffffff00000000", 1), "fd77::3:0:0");
	/* User and group sets have exactly one address. */
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "2001", 1), "-");
	assert_string_equal(addr6(&p, NSSET_SCOPE_GROUP, "3001", 1), "-");
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "abc", 0), "-");
	assert_string_equal(addr6(&p, NSSET_SCOPE_USER, "4294967296", 0), "-");
	assert_string_equal(addr6(&p, NSSET_SCOPE_SESSION, "0123", 0), "-");
	struct nsset_pool6 unset;
	memset(&unset, 0, sizeof(unset));
	assert_string_equal(addr6(&unset, NSSET_SCOPE_USER, "2001", 0), "-");

	/* Other pools: the set's number goes into the low bits. */
	struct nsset_pool6 q = pool6("fd77:1:2::/48");
	assert_string_equal(addr6(&q, NSSET_SCOPE_GROUP, "3001", 0), "fd77:1:2::2:0:bb9");
	nsset_gateway6(&q, gw);
	nsset_addr6_format(gw, buf, sizeof(buf));
	assert_string_equal(buf, "fd77:1:2::1");
	struct nsset_pool6 r = pool6("fd77:0:0:0:1::/80");
	assert_string_equal(addr6(&r, NSSET_SCOPE_USER, "2001", 0), "fd77::1:1:0:7d1");
	assert_string_equal(addr6(&r, NSSET_SCOPE_USER, "4294967295", 0), "fd77::1:1:ffff:ffff");
	nsset_gateway6(&r, gw);
	nsset_addr6_format(gw, buf, sizeof(buf));
	assert_string_equal(buf, "fd77::1:0:0:1");
}

/* ---- names -------------------------------------------------------------- */

static void test_veth_names(void **state)
{
	(void)state;
	assert_int_equal(strcmp(NSSET_VETH_PEER, "eth0"), 0);
	assert_string_equal(veth(NSSET_SCOPE_USER, "2001"), "nsu2001");
	assert_string_equal(veth(NSSET_SCOPE_GROUP, "3001"), "nsg3001");
	assert_string_equal(veth(NSSET_SCOPE_USER, "0"), "nsu0");
	assert_string_equal(veth(NSSET_SCOPE_USER, "4294967295"), "nsu4294967295");  /* 13 chars */
	assert_string_equal(veth(NSSET_SCOPE_SESSION, "0123456789abcdef"), "nss01234567");
	assert_string_equal(veth(NSSET_SCOPE_SESSION, "deadbeef00000000"), "nssdeadbeef");
	/* Every name nsset makes is a valid interface name. */
	assert_true(nsset_valid_ifname(veth(NSSET_SCOPE_USER, "4294967295")));
	assert_true(nsset_valid_ifname(veth(NSSET_SCOPE_SESSION, "ffffffffffffffff")));

	/* Refusals: ids that are not numbers / session ids. */
	assert_string_equal(veth(NSSET_SCOPE_USER, "4294967296"), "-");
	assert_string_equal(veth(NSSET_SCOPE_USER, "123456789012345"), "-");
	assert_string_equal(veth(NSSET_SCOPE_USER, ""), "-");
	assert_string_equal(veth(NSSET_SCOPE_USER, "alice"), "-");
	assert_string_equal(veth(NSSET_SCOPE_GROUP, "-1"), "-");
	assert_string_equal(veth(NSSET_SCOPE_SESSION, "0123"), "-");
	assert_string_equal(veth(NSSET_SCOPE_SESSION, "0123456789abcdefAAAA"), "-");
	assert_string_equal(veth(NSSET_SCOPE_SESSION, "0123456789abcdeX"), "-");
	assert_string_equal(veth(NSSET_SCOPE_NONE, "2001"), "-");

	/* Too long for the caller's buffer: refused, not cut. */
	char buf[16];
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_USER, "2001", buf, 8), 0);   /* 7 + NUL */
	assert_string_equal(buf, "nsu2001");
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_USER, "2001", buf, 7), -1);
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_USER, "4294967295", buf, 13), -1);
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_USER, "4294967295", buf, 14), 0);
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_SESSION, "0123456789abcdef", buf, 11), -1);
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_SESSION, "0123456789abcdef", buf, 12), 0);
	assert_string_equal(buf, "nss01234567");
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_GROUP, "3001", buf, 1), -1);
	/* IFNAMSIZ always suffices. */
	assert_int_equal(nsset_veth_name(NSSET_SCOPE_USER, "4294967295", buf, NSSET_IFNAME_MAX + 1), 0);
}

static void test_valid_ifname(void **state)
{
	(void)state;
	static const char *ok[] = { "nsset0", "br0", "a", "nsset-br_1", "ABCdef012345678",
				    "-", "_", "0" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!nsset_valid_ifname(ok[i]))
			fail_msg("'%s' refused", ok[i]);
	assert_int_equal(strlen("ABCdef012345678"), NSSET_IFNAME_MAX);
	static const char *bad[] = { "", "ABCdef0123456789" /* 16 */, "nsset.0", "nsset/0",
				     "nsset 0", "nsset:0", "nsset0\n", "\tnsset0", "a@b",
				     "br%d", "\xc3\xa4", ".", "..", "eth0*" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nsset_valid_ifname(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_true(nsset_valid_ifname(NSSET_BRIDGE_DEFAULT));
	assert_string_equal(NSSET_BRIDGE_DEFAULT, "nsset0");
	assert_int_equal(NSSET_HOOK_TIMEOUT_DEFAULT, 5);
	assert_int_equal(NSSET_HOOK_TIMEOUT_MAX, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool4_valid),
		cmocka_unit_test(test_pool4_invalid),
		cmocka_unit_test(test_pool6_valid),
		cmocka_unit_test(test_pool6_invalid),
		cmocka_unit_test(test_pool_format),
		cmocka_unit_test(test_addr4_spec_examples),
		cmocka_unit_test(test_addr4_wraps),
		cmocka_unit_test(test_addr4_small_pool),
		cmocka_unit_test(test_addr4_sessions),
		cmocka_unit_test(test_addr4_plan_disjoint),
		cmocka_unit_test(test_addr4_refusals),
		cmocka_unit_test(test_addr6),
		cmocka_unit_test(test_veth_names),
		cmocka_unit_test(test_valid_ifname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
