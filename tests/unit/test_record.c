/* Unit tests for the two tables: the set record (record.c) and the
 * namespace types (nstypes.c). The record: every field survives the meta
 * file and back, a meta written by the version before the table still
 * reads, the table's rows are consistent, and the places that walk it
 * (same_shape, the holder's check, JSON, show, the hook environment) see
 * what the rows say. The namespace table: unique names and flags, ranks
 * that are permutations, the display and join orders.
 */
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hook.h"
#include "nstypes.h"
#include "place.h"
#include "record.h"
#include "store.h"

/* What nsset_meta_format wrote before the record table (commit 50403c3),
 * copied from its output: sets made by that version must still be read. */
static const char old_full[] =
	"version=1\n"
	"scope=user\n"
	"id=1000\n"
	"namespaces=mnt,uts,ipc,net,pid,cgroup,time\n"
	"owner_id=1000\n"
	"owner=alice\n"
	"created_by=alice\n"
	"keep=always\n"
	"tmp=private\n"
	"tmp_size=64M\n"
	"hostname=lab-alice\n"
	"created=1764700000\n"
	"holder_pid=4242\n"
	"holder_start=987654\n"
	"init_pid=4243\n"
	"init_start=987660\n"
	"holder_ino=12345\n"
	"init_ino=12346\n"
	"gid=100\n"
	"net=veth\n"
	"bridge=nsset0\n"
	"pool4=10.77.0.0/16\n"
	"pool6=fd00:77::/64\n"
	"hook=net-up\n"
	"hook_timeout=30\n"
	"veth=nsu1000\n"
	"addr4=10.77.3.232/16\n"
	"addr6=fd00:77::3e8/64\n";

static const char old_plain[] =
	"version=1\nscope=group\nid=3001\nnamespaces=mnt,pid\nowner_id=3001\nowner=students\n"
	"created_by=carol\nkeep=sessions\ntmp=shared\ntmp_size=\nhostname=\ncreated=1700000000\n"
	"holder_pid=42\nholder_start=777\ninit_pid=0\ninit_start=0\nholder_ino=0\ninit_ino=0\n"
	"gid=3001\nnet=none\nbridge=\npool4=\npool6=\nhook=\nhook_timeout=0\nveth=\naddr4=\n"
	"addr6=\n";

/* A record with every field set, as the holder of the old version made it. */
static void full_meta(struct nsset_meta *m)
{
	memset(m, 0, sizeof(*m));
	*m = (struct nsset_meta){ .scope = NSSET_SCOPE_USER, .ns_flags = NSSET_NS_ALL_FLAGS,
				  .owner_id = 1000, .keep = NSSET_KEEP_ALWAYS, .tmp_private = true,
				  .created = 1764700000, .holder_pid = 4242, .holder_start = 987654,
				  .init_pid = 4243, .init_start = 987660, .holder_ino = 12345,
				  .init_ino = 12346, .gid = 100, .net = NSSET_NET_VETH,
				  .hook_timeout = 30 };
	strcpy(m->id, "1000");
	strcpy(m->owner, "alice");
	strcpy(m->created_by, "alice");
	strcpy(m->tmp_size, "64M");
	strcpy(m->hostname, "lab-alice");
	strcpy(m->bridge, "nsset0");
	strcpy(m->pool4, "10.77.0.0/16");
	strcpy(m->pool6, "fd00:77::/64");
	strcpy(m->hook, "net-up");
	strcpy(m->veth, "nsu1000");
	strcpy(m->addr4, "10.77.3.232/16");
	strcpy(m->addr6, "fd00:77::3e8/64");
}

static void test_old_format(void **state)
{
	(void)state;
	struct nsset_meta want, got;
	full_meta(&want);
	assert_int_equal(nsset_meta_parse(old_full, &got), 0);
	assert_memory_equal(&want, &got, sizeof(want));

	assert_int_equal(nsset_meta_parse(old_plain, &got), 0);
	assert_int_equal(got.scope, NSSET_SCOPE_GROUP);
	assert_string_equal(got.id, "3001");
	assert_int_equal(got.ns_flags, CLONE_NEWNS | CLONE_NEWPID);
	assert_int_equal(got.owner_id, 3001);
	assert_string_equal(got.owner, "students");
	assert_string_equal(got.created_by, "carol");
	assert_int_equal(got.keep, NSSET_KEEP_SESSIONS);
	assert_false(got.tmp_private);
	assert_int_equal(got.created, 1700000000);
	assert_int_equal(got.holder_pid, 42);
	assert_int_equal(got.holder_start, 777);
	assert_int_equal(got.init_pid, 0);
	assert_int_equal(got.gid, 3001);
	assert_int_equal(got.net, NSSET_NET_NONE);
	assert_string_equal(got.hook, "");
	assert_false(got.netns_name);

	/* What the new version writes holds the same lines (in table order). */
	char text[4096];
	full_meta(&want);
	assert_true(nsset_meta_format(&want, text, sizeof(text)) > 0);
	size_t lines = 0;
	for (const char *p = old_full; *p; p = strchr(p, '\n') + 1) {
		size_t len = (size_t)(strchr(p, '\n') - p) + 1;
		char line[256];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (!strstr(text, line))
			fail_msg("old line missing from the new format: %s", line);
		lines++;
	}
	/* ... and only the keys added since, which an old set lacks (and reads
	 * as their zero value: no name, net.netns=no). */
	static const char *const added_since[] = { "shm=", "uptime=", "netns=", "memory_max=",
						   "memory_high=", "pids_max=", "cpu_quota=",
						   "cpu_weight=", "io_weight=", "cgroup=",
						   "cgroup_root=" };
	size_t new_lines = 0, added = 0;
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		new_lines++;
		for (size_t k = 0; k < sizeof(added_since) / sizeof(added_since[0]); k++)
			added += strncmp(p, added_since[k], strlen(added_since[k])) == 0;
	}
	assert_int_equal(added, sizeof(added_since) / sizeof(added_since[0]));
	assert_int_equal(lines + added, new_lines);
}

/* Changes field f of m to another valid value. */
static void change(const struct nsset_rec_field *f, struct nsset_meta *m)
{
	char *p = (char *)m + f->off;
	switch (f->type) {
	case NSSET_REC_TEXT: {
		const char *v = p[0] == 'x' ? "y" : "x";
		memset(p, 0, f->size);      /* as a parsed record has it */
		snprintf(p, f->size, "%s", v);
		break;
	}
	case NSSET_REC_NUM:
		if (f->size == 4) {
			uint32_t v;
			memcpy(&v, p, 4);
			v = v == 7 ? 8 : 7;
			memcpy(p, &v, 4);
		} else {
			uint64_t v;
			memcpy(&v, p, 8);
			v = v == 7 ? 8 : 7;
			memcpy(p, &v, 8);
		}
		break;
	case NSSET_REC_WORD:
		if (f->size == 1) {
			*p = !*p;
		} else {
			int v;
			memcpy(&v, p, sizeof(v));
			v = (v + 1) % (int)f->nwords;
			if (v == 0 && strcmp(f->words[0], "none") == 0 && strcmp(f->key, "scope") == 0)
				v = 1;
			memcpy(p, &v, sizeof(v));
		}
		break;
	case NSSET_REC_NSMASK: {
		int v;
		memcpy(&v, p, sizeof(v));
		v = v == CLONE_NEWNS ? CLONE_NEWUTS : CLONE_NEWNS;
		memcpy(p, &v, sizeof(v));
		break;
	}
	}
}

static void test_roundtrip_every_field(void **state)
{
	(void)state;
	char text[4096];
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		struct nsset_meta m, back;
		full_meta(&m);
		change(f, &m);
		assert_true(nsset_meta_format(&m, text, sizeof(text)) > 0);
		assert_int_equal(nsset_meta_parse(text, &back), 0);
		if (!nsset_rec_equal(f, &m, &back))
			fail_msg("field %s did not survive the meta file", f->key);
		assert_memory_equal(&m, &back, sizeof(m));
		/* A required field left out makes the text malformed. */
		char key[64], *at;
		snprintf(key, sizeof(key), "\n%s=", f->key);
		at = strstr(text, key);
		assert_non_null(at);
		char *end = strchr(at + 1, '\n');
		memmove(at + 1, end + 1, strlen(end + 1) + 1);
		int rc = nsset_meta_parse(text, &back);
		assert_int_equal(rc, (f->flags & NSSET_REC_REQUIRED) ? -1 : 0);
	}
	/* Every byte of the struct but session_max (not in the file) is some
	 * row's: a field added to struct nsset_meta without a row is lost. */
	unsigned char covered[sizeof(struct nsset_meta)] = { 0 };
	for (size_t i = 0; i < nsset_rec_count; i++)
		memset(covered + nsset_rec_fields[i].off, 1, nsset_rec_fields[i].size);
	memset(covered + offsetof(struct nsset_meta, session_max), 1,
	       sizeof(((struct nsset_meta *)0)->session_max));
	struct nsset_meta probe;
	size_t named = 0;
	for (size_t b = 0; b < sizeof(probe); b++)
		named += covered[b];
	/* Padding is not named; every field's size is. */
	assert_true(named >= sizeof(probe) - 16);
	/* Strict values are refused, lenient words read as value 0. */
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\nowner_id=-1\n",
					  &probe), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\nnet=ppp\n",
					  &probe), -1);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\nkeep=odd\n",
					  &probe), 0);
	assert_int_equal(probe.keep, NSSET_KEEP_SESSIONS);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\nkeep=processes\n",
					  &probe), 0);
	assert_int_equal(probe.keep, NSSET_KEEP_PROCESSES);
	assert_int_equal(nsset_meta_parse("scope=user\nnamespaces=mnt\nholder_pid=1\nhook_timeout=3601\n",
					  &probe), -1);
}

static void test_shm_size(void **state)
{
	(void)state;
	struct nsset_meta m = { .ns_flags = CLONE_NEWNS | CLONE_NEWIPC };
	assert_string_equal(nsset_shm_size(&m), NSSET_SHM_DEFAULT);
	strcpy(m.shm, "8m");
	assert_string_equal(nsset_shm_size(&m), "8m");
	strcpy(m.shm, "host");
	assert_null(nsset_shm_size(&m));
	/* Without ipc the host's /dev/shm stays, unless shm= asks. */
	m.ns_flags = CLONE_NEWNS;
	m.shm[0] = '\0';
	assert_null(nsset_shm_size(&m));
	strcpy(m.shm, "1g");
	assert_string_equal(nsset_shm_size(&m), "1g");
	/* Without mnt there is nothing to mount it in. */
	m.ns_flags = CLONE_NEWIPC;
	assert_null(nsset_shm_size(&m));
	strcpy(m.shm, "1g;x");
	m.ns_flags = CLONE_NEWNS;
	assert_string_equal(nsset_rec_check(&m), "invalid shm size");
}

static void test_table_invariants(void **state)
{
	(void)state;
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		assert_non_null(f->key);
		assert_true(f->off + f->size <= sizeof(struct nsset_meta));
		for (size_t j = 0; j < i; j++) {
			const struct nsset_rec_field *g = &nsset_rec_fields[j];
			if (strcmp(f->key, g->key) == 0)
				fail_msg("key %s twice", f->key);
			if (f->json && g->json && strcmp(f->json, g->json) == 0)
				fail_msg("JSON key %s twice", f->json);
			if (f->show && g->show && strcmp(f->show, g->show) == 0)
				fail_msg("show label %s twice", f->show);
			if (f->env && g->env && strcmp(f->env, g->env) == 0)
				fail_msg("variable %s twice", f->env);
			if (f->off < g->off + g->size && g->off < f->off + f->size)
				fail_msg("%s and %s overlap", f->key, g->key);
		}
		if (f->type == NSSET_REC_WORD)
			assert_true(f->nwords > 0 && (f->size == 1 || f->size == sizeof(int)));
		if (f->type == NSSET_REC_NUM)
			assert_true(f->size == 4 || f->size == 8);
		if (f->json_as != NSSET_REC_JSON_NONE)
			assert_non_null(f->json);
		if (f->env)
			assert_int_equal(strncmp(f->env, "NSSET_", 6), 0);
	}
}

static void test_walkers(void **state)
{
	(void)state;
	struct nsset_meta a, b;
	full_meta(&a);
	/* A set with its own cgroup, where limits are no shape (one without
	 * one is remade for limits: test_limits_shape). */
	strcpy(a.cgroup, "/nsset/user-1000");
	/* same_shape is exactly the SHAPE rows. */
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		b = a;
		change(f, &b);
		if (nsset_meta_same_shape(&a, &b) != !(f->flags & NSSET_REC_SHAPE))
			fail_msg("same_shape and the SHAPE flag of %s disagree", f->key);
	}
	/* The holder's check: the rows' own. */
	assert_null(nsset_rec_check(&a));
	b = a;
	strcpy(b.hostname, "a b");
	assert_string_equal(nsset_rec_check(&b), "invalid hostname");
	b = a;
	strcpy(b.tmp_size, "1;x");
	assert_string_equal(nsset_rec_check(&b), "invalid tmp size");
	b = a;
	strcpy(b.hook, "../x");
	assert_string_equal(nsset_rec_check(&b), "invalid hook name");
	b = a;
	strcpy(b.bridge, "");
	assert_string_equal(nsset_rec_check(&b), "invalid bridge name");
	b.net = NSSET_NET_NONE;
	assert_null(nsset_rec_check(&b));
	b.ns_flags = 0;
	assert_string_equal(nsset_rec_check(&b), "no namespaces requested");

	/* JSON: null without a record and for empty optional strings. */
	char buf[256];
	for (size_t i = 0; i < nsset_rec_count; i++)
		assert_int_equal(nsset_rec_json_value(&nsset_rec_fields[i], NULL, false, buf,
						      sizeof(buf)), 0);
	b = a;
	b.init_pid = 0;
	b.hook[0] = '\0';
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		if (!f->json)
			continue;
		int kind = nsset_rec_json_value(f, &b, false, buf, sizeof(buf));
		if (strcmp(f->json, "init_pid") == 0 || strcmp(f->json, "hook") == 0)
			assert_int_equal(kind, 0);
		else if (strcmp(f->json, "holder_pid") == 0)
			assert_true(kind == 2 && strcmp(buf, "4242") == 0);
		else if (strcmp(f->json, "created") == 0) {
			assert_int_equal(kind, 1);
			assert_int_equal(nsset_rec_json_value(f, &b, true, buf, sizeof(buf)), 2);
			assert_string_equal(buf, "1764700000");
		}
	}

	/* show: the lines the table says, in its order. */
	char all[2048] = "";
	for (size_t i = 0; i < nsset_rec_count; i++)
		if (nsset_rec_show(&nsset_rec_fields[i], &a, buf, sizeof(buf)))
			snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s|%s\n",
				 nsset_rec_fields[i].show, buf);
	assert_non_null(strstr(all, "scope|user\nowner|alice (uid 1000)\ncreated|"));
	assert_non_null(strstr(all, " by alice\nkeep|always\ntmp|private, size=64M\n"
				    "shm|private, size=" NSSET_SHM_DEFAULT " (the default)\n"
				    "uptime|the host's\n"
				    "hostname|lab-alice (as made)\n"
				    "network|veth nsu1000 on nsset0, 10.77.3.232/16, fd00:77::3e8/64\n"
				    "hook|" NSSET_HOOK_DIR "/net-up (timeout 30 s)\n"));

	/* The hook environment: the same variables as before the table. */
	char *env[32], envbuf[4096];
	int n = nsset_hook_env("/run/nsset", &a, "create", env, 32, envbuf, sizeof(envbuf));
	static const char *const want[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "NSSET_PHASE=create", "NSSET_SET=user/1000",
		"NSSET_SCOPE=user", "NSSET_OWNER=alice", "NSSET_UID=1000", "NSSET_GID=100",
		"NSSET_NAMESPACES=mnt,uts,ipc,net,pid,cgroup,time",
		"NSSET_NS_CGROUP=/run/nsset/user/1000/cgroup", "NSSET_NS_IPC=/run/nsset/user/1000/ipc",
		"NSSET_NS_UTS=/run/nsset/user/1000/uts", "NSSET_NS_NET=/run/nsset/user/1000/net",
		"NSSET_NS_TIME=/run/nsset/user/1000/time", "NSSET_NS_PID=/run/nsset/user/1000/pid",
		"NSSET_NS_MNT=/run/nsset/user/1000/mnt", "NSSET_BRIDGE=nsset0",
		"NSSET_VETH_HOST=nsu1000", "NSSET_VETH_PEER=eth0", "NSSET_IPV4=10.77.3.232/16",
		"NSSET_IPV4_GATEWAY=10.77.0.1", "NSSET_IPV6=fd00:77::3e8/64",
		"NSSET_IPV6_GATEWAY=fd00:77::1",
	};
	assert_int_equal(n, (int)(sizeof(want) / sizeof(want[0])));
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		bool found = false;
		for (int k = 0; k < n && !found; k++)
			found = strcmp(env[k], want[w]) == 0;
		if (!found)
			fail_msg("hook environment lacks %s", want[w]);
	}
	/* A group set has no NSSET_UID; a set without veth no network. */
	b = a;
	b.scope = NSSET_SCOPE_GROUP;
	b.net = NSSET_NET_NONE;
	n = nsset_hook_env("/run/nsset", &b, "destroy", env, 32, envbuf, sizeof(envbuf));
	for (int k = 0; k < n; k++)
		if (strncmp(env[k], "NSSET_UID=", 10) == 0 || strncmp(env[k], "NSSET_BRIDGE=", 13) == 0 ||
		    strncmp(env[k], "NSSET_IPV4", 10) == 0 || strncmp(env[k], "NSSET_VETH", 10) == 0)
			fail_msg("unexpected %s", env[k]);

	/* nsset_describe copies what the rule decides. */
	struct nsset_rule r = { .scope = NSSET_SCOPE_USER, .ns_flags = CLONE_NEWNS | CLONE_NEWUTS,
				.tmp_private = true, .keep = NSSET_KEEP_ALWAYS,
				.net = NSSET_NET_NONE };
	strcpy(r.tmp_size, "1G");
	strcpy(r.hook, "h1");
	r.netconf.hook_timeout = 9;
	struct nsset_meta m;
	nsset_rec_from_rule(&m, &r);
	assert_int_equal(m.ns_flags, r.ns_flags);
	assert_true(m.tmp_private);
	assert_string_equal(m.tmp_size, "1G");
	assert_int_equal(m.keep, NSSET_KEEP_ALWAYS);
	assert_string_equal(m.hook, "h1");
	assert_int_equal(m.hook_timeout, 9);
}

/* shape_diff names exactly the SHAPE rows that differ, new value first. */
static void test_shape_diff(void **state)
{
	(void)state;
	struct nsset_meta a, b;
	char buf[512];
	full_meta(&a);
	strcpy(a.cgroup, "/nsset/user-1000");       /* as in test_walkers */
	b = a;
	assert_int_equal(nsset_meta_shape_diff(&a, &b, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	for (size_t i = 0; i < nsset_rec_count; i++) {
		const struct nsset_rec_field *f = &nsset_rec_fields[i];
		b = a;
		change(f, &b);
		int n = nsset_meta_shape_diff(&a, &b, buf, sizeof(buf));
		if (n != ((f->flags & NSSET_REC_SHAPE) ? 1 : 0))
			fail_msg("shape_diff counts %d for %s", n, f->key);
		char key[64];
		snprintf(key, sizeof(key), "%s=", f->key);
		if (n && strncmp(buf, key, strlen(key)) != 0)
			fail_msg("shape_diff of %s says '%s'", f->key, buf);
	}
	/* The words a log line and nssetctl show. */
	b = a;
	strcpy(a.hostname, "a-old");
	strcpy(b.hostname, "a-new");
	assert_int_equal(nsset_meta_shape_diff(&a, &b, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "hostname=a-new (was a-old)");
	b.ns_flags = CLONE_NEWNS | CLONE_NEWUTS;
	a.ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID;
	b.hook[0] = '\0';
	assert_int_equal(nsset_meta_shape_diff(&a, &b, buf, sizeof(buf)), 3);
	assert_non_null(strstr(buf, "hostname=a-new (was a-old), "));
	assert_non_null(strstr(buf, "hook=\"\" (was "));
	assert_non_null(strstr(buf, "namespaces=mnt,uts (was mnt,uts,pid)"));
	/* Cut, and said to be cut, when the buffer is short; the count stays. */
	char small[20];
	assert_int_equal(nsset_meta_shape_diff(&a, &b, small, sizeof(small)), 3);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 4, "...");
}

static void test_nstypes_table(void **state)
{
	(void)state;
	assert_int_equal(nsset_nstype_count, NSSET_NS_MAX);
	int all = 0;
	unsigned ranks = 0, watches = 0;
	for (size_t i = 0; i < nsset_nstype_count; i++) {
		const struct nsset_nstype *t = &nsset_nstypes[i];
		for (size_t j = 0; j < i; j++) {
			assert_true(strcmp(t->name, nsset_nstypes[j].name) != 0);
			assert_true(t->flag != nsset_nstypes[j].flag);
		}
		assert_int_equal(all & t->flag, 0);
		all |= t->flag;
		ranks |= 1u << t->rank;
		watches |= 1u << t->watch;
		assert_ptr_equal(nsset_nstype_named(t->name), t);
		assert_ptr_equal(nsset_nstype_ranked(t->rank), t);
		assert_ptr_equal(nsset_nstype_watched(t->watch), t);
		if (t->children) {
			char want[32];
			snprintf(want, sizeof(want), "%s_for_children", t->name);
			assert_string_equal(t->children, want);
		}
	}
	assert_int_equal(all, NSSET_NS_ALL_FLAGS);
	assert_int_equal(ranks, (1u << NSSET_NS_MAX) - 1);
	assert_int_equal(watches, (1u << NSSET_NS_MAX) - 1);
	assert_null(nsset_nstype_named("user"));

	/* The orders that used to be written out by hand. */
	char buf[128];
	assert_string_equal(nsset_nsflags_format(NSSET_NS_ALL_FLAGS, buf, sizeof(buf)),
			    "mnt,uts,ipc,net,pid,cgroup,time");
	const char *join = "cgroup ipc uts net time pid mnt";
	buf[0] = '\0';
	for (size_t i = 0; i < nsset_nstype_count; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
			 nsset_nstypes[i].name);
	assert_string_equal(buf, join);
	buf[0] = '\0';
	for (unsigned r = 0; r < NSSET_NS_MAX; r++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", r ? " " : "",
			 nsset_nstype_watched(r)->name);
	assert_string_equal(buf, "pid mnt net ipc uts cgroup time");
	assert_int_equal(nsset_nsflags_made(NSSET_NS_ALL_FLAGS, NSSET_NS_UNSHARED), CLONE_NEWTIME);
	assert_int_equal(nsset_nsflags_made(NSSET_NS_ALL_FLAGS, NSSET_NS_CLONED),
			 NSSET_NS_ALL_FLAGS & ~CLONE_NEWTIME);

	/* The parser's bad word is cut to the buffer, never past it. */
	char bad[4];
	assert_int_equal(nsset_nsflags_parse("mnt,bogus", bad, sizeof(bad)), -1);
	assert_string_equal(bad, "bog");
	assert_int_equal(nsset_nsflags_parse("all", NULL, 0), NSSET_NS_ALL_FLAGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_format),
		cmocka_unit_test(test_roundtrip_every_field),
		cmocka_unit_test(test_shm_size),
		cmocka_unit_test(test_table_invariants),
		cmocka_unit_test(test_walkers),
		cmocka_unit_test(test_shape_diff),
		cmocka_unit_test(test_nstypes_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
