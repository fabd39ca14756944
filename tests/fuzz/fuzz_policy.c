/* libFuzzer target: the policy parser, nsset_policy_parse (lib/policy.c).
 *
 * The input is a policy file as the loader would read it. Besides the
 * sanitizers (ASan, UBSan) it checks what the parser promises:
 *  - success: at most NSSET_RULES_MAX rules, every string of a rule
 *    terminated within its array, valid enums and namespace flags, the
 *    cross-field rules of check_rule() hold;
 *  - failure: no rules left behind, a message that starts with the origin
 *    and holds no control byte (a word from the file must not be able to
 *    forge a second syslog line);
 *  - nsset_policy_find() on the result never crashes (groups are not
 *    looked up: NULL group list, so no NSS access per input).
 *
 *   make fuzz && build/fuzz/fuzz_policy tests/fuzz/corpus/policy
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "nstypes.h"
#include "policy.h"

#define ALL_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | \
		CLONE_NEWCGROUP | CLONE_NEWTIME)

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_policy: invariant broken: %s\n", what);
		abort();
	}
}

static void check_string(const char *s, size_t size, const char *what)
{
	check(memchr(s, '\0', size) != NULL, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: ASan sees any read past the end. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);

	struct nsset_policy pol;
	struct nsset_err e;
	memset(&e, 0x55, sizeof(e));     /* catch an unterminated message */
	int rc = nsset_policy_parse(text, size, "fuzz.conf", &pol, &e);
	if (rc == 0) {
		check(pol.count <= NSSET_RULES_MAX, "rule count");
		check((pol.count == 0) == (pol.rules == NULL), "rules array vs count");
		for (size_t i = 0; i < pol.count; i++) {
			const struct nsset_rule *r = &pol.rules[i];
			check_string(r->name, sizeof(r->name), "name terminated");
			check_string(r->tmp_size, sizeof(r->tmp_size), "tmp_size terminated");
			check_string(r->hostname, sizeof(r->hostname), "hostname terminated");
			check_string(r->shell, sizeof(r->shell), "shell terminated");
			check(r->line >= 1, "line number");
			check(r->match <= NSSET_MATCH_ALL, "match");
			check(r->scope <= NSSET_SCOPE_SESSION, "scope");
			check((r->ns_flags & ~ALL_NS) == 0, "namespace flags");
			if (r->scope == NSSET_SCOPE_NONE)
				check(r->ns_flags == 0 && !r->tmp_private && !r->hostname[0] &&
				      !r->shell[0], "scope none carries nothing");
			else
				check(r->ns_flags != 0, "a set has namespaces");
			if (r->scope == NSSET_SCOPE_GROUP)
				check(r->match == NSSET_MATCH_GROUP, "group scope needs @group");
			if (r->match == NSSET_MATCH_ALL)
				check(r->name[0] == '\0', "* has no name");
			else
				check(r->name[0] != '\0' && r->name[0] != '-' &&
				      strcmp(r->name, ".") && strcmp(r->name, "..") &&
				      !strchr(r->name, '/'), "name is a safe path component");
			if ((r->ns_flags & CLONE_NEWPID))
				check(r->ns_flags & CLONE_NEWNS, "pid needs mnt");
			if (r->tmp_private)
				check(r->ns_flags & CLONE_NEWNS, "tmp needs mnt");
			if (r->hostname[0])
				check(r->ns_flags & CLONE_NEWUTS, "hostname needs uts");
			if (r->shell[0])
				check(r->shell[0] == '/' && !strstr(r->shell, "/../") &&
				      !strstr(r->shell, "/./"), "shell is absolute and normal");
			for (const char *p = r->hostname; *p; p++)
				check(*p != '/' && *p != ' ', "hostname chars");
		}
		gid_t gid;
		struct nsset_err me;
		const struct nsset_rule *rule;
		(void)nsset_policy_find(&pol, "alice", NULL, 0, &rule, &gid, &me);
		(void)nsset_policy_find(&pol, "root", NULL, 0, &rule, &gid, &me);
		(void)nsset_policy_find(&pol, NULL, NULL, 0, &rule, &gid, NULL);
		nsset_policy_free(&pol);
		check(pol.rules == NULL && pol.count == 0, "free resets");
	} else {
		check(rc == -1, "return value");
		check(pol.rules == NULL && pol.count == 0, "nothing left after an error");
		check_string(e.msg, sizeof(e.msg), "message terminated");
		check(strncmp(e.msg, "fuzz.conf:", 10) == 0, "message names the origin");
		for (const unsigned char *p = (const unsigned char *)e.msg; *p; p++)
			check(*p >= 0x20 && *p != 0x7f, "no control byte in the message");
	}
	free(text);
	return 0;
}
