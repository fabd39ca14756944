/* The policy, as the admin sees it: lint (every error and warning of a
 * policy file) and explain (what it does with one user); see admin.h.
 * Read-only. */
#include "admin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hook.h"
#include "setcg.h"
#include "nstypes.h"
#include "util.h"

#define LINT_MAX_ERRORS 100

/* ---- lint ---------------------------------------------------------------------------- */

static int add_finding(struct nsset_admin_lint *l, unsigned line, bool error, struct nsset_err *e,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int add_finding(struct nsset_admin_lint *l, unsigned line, bool error, struct nsset_err *e,
		       const char *fmt, ...)
{
	struct nsset_admin_finding *n = reallocarray(l->findings, l->count + 1, sizeof(*n));
	if (!n)
		return nsset_fail(e, ENOMEM, "linting");
	l->findings = n;
	struct nsset_admin_finding *f = &l->findings[l->count++];
	f->line = line;
	f->error = error;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	if (error)
		l->errors++;
	else
		l->warnings++;
	return 0;
}

/* The line number of a parser message "ORIGIN:LINE: ...", or 0. */
static unsigned message_line(const char *msg, const char *origin)
{
	size_t n = strlen(origin);
	if (strncmp(msg, origin, n) != 0 || msg[n] != ':' || msg[n + 1] < '0' || msg[n + 1] > '9')
		return 0;
	char *end;
	unsigned long v = strtoul(msg + n + 1, &end, 10);
	return *end == ':' && v <= 0xffffffffUL ? (unsigned)v : 0;
}

/* Takes line `line` (1-based) out of buf, keeping its newline so that the
 * lines after it keep their numbers. */
static void drop_line(char *buf, size_t *len, unsigned line)
{
	size_t start = 0;
	for (unsigned l = 1; l < line && start < *len; start++)
		if (buf[start] == '\n')
			l++;
	size_t end = start;
	while (end < *len && buf[end] != '\n')
		end++;
	memmove(buf + start, buf + end, *len - end);
	*len -= end - start;
}

/* The rule lines of a policy as written, valid or not: lines whose first
 * word is neither a comment nor a KEY=VALUE setting (as parse_line tells
 * them apart). `check` reports this count, so that a file with errors is
 * not described by its valid part alone. */
static size_t count_rule_lines(const char *text, size_t len)
{
	size_t rules = 0;
	for (size_t pos = 0; pos < len;) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl ? 1 : 0);
		size_t i = 0;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n || p[i] == '#' || p[i] == '\r')
			continue;
		size_t w = i;
		while (w < n && p[w] != ' ' && p[w] != '\t' && p[w] != '=')
			w++;
		if (w == n || p[w] != '=')
			rules++;
	}
	return rules;
}

static const char *match_text(const struct nsset_rule *r, char *buf, size_t size)
{
	if (r->match == NSSET_MATCH_ALL)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%s%s", r->match == NSSET_MATCH_GROUP ? "@" : "", r->name);
	return buf;
}

/* A hook= that the holder would refuse (missing, not root's, writable by
 * others, not executable): a warning, since it may be installed later, but
 * until then every login under the rule is refused. */
static int lint_hook(const struct nsset_rule *r, const char *origin, struct nsset_admin_lint *l,
		     struct nsset_err *e)
{
	char path[PATH_MAX];
	struct nsset_err he = { 0 };
	if (nsset_hook_check(r->hook, path, sizeof(path), &he) == 0)
		return 0;
	return add_finding(l, r->line, false, e, "%s:%u: warning: hook=%s: %s (logins under this "
			   "rule are refused until it is fixed)", origin, r->line, r->hook, he.msg);
}

/* A namespace type the running kernel lacks: a warning like a bad hook=
 * (the policy may be meant for another machine), but here every login
 * under the rule is refused before anything is made. */
static int lint_kernel(const struct nsset_rule *r, const char *origin, struct nsset_admin_lint *l,
		       struct nsset_err *e)
{
	struct nsset_err ke = { 0 };
	if (nsset_nstypes_unsupported(r->ns_flags, NULL, &ke) == 0)
		return 0;
	return add_finding(l, r->line, false, e, "%s:%u: warning: %s (logins under this rule are "
			   "refused on this machine)", origin, r->line, ke.msg);
}

/* Limits this machine's cgroup v2 cannot hold (a controller missing, or
 * no cgroup2 mount): like a namespace type the kernel lacks, every login
 * under the rule is refused before anything is made (fail closed:
 * pam_nsset's account phase, nsset-enter and the holder). */
static int lint_limits(const struct nsset_rule *r, const char *origin, struct nsset_admin_lint *l,
		       struct nsset_err *e)
{
	struct nsset_err ce = { 0 };
	unsigned need = nsset_limits_controllers(&r->limits);
	if (need == 0 || nsset_cg_check(need, &ce) == 0)
		return 0;
	char limits[160];
	return add_finding(l, r->line, false, e, "%s:%u: warning: the rule's limits (%s) cannot be "
			   "applied: %s (logins under this rule are refused on this machine)", origin,
			   r->line, nsset_limits_format(&r->limits, limits, sizeof(limits)), ce.msg);
}

static int lint_rules(const struct nsset_policy *p, const char *origin, struct nsset_admin_lint *l,
		      struct nsset_err *e)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct nsset_rule *r = &p->rules[i];
		char what[NSSET_NAME_MAX + 2];
		match_text(r, what, sizeof(what));
		for (size_t j = 0; j < i; j++) {
			const struct nsset_rule *q = &p->rules[j];
			int rc = 0;
			if (q->match == NSSET_MATCH_ALL)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: rule '%s' never "
						 "matches: '*' on line %u matches every user first",
						 origin, r->line, what, q->line);
			else if (q->match == r->match && strcmp(q->name, r->name) == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: rule '%s' never "
						 "matches: line %u matches '%s' first",
						 origin, r->line, what, q->line, what);
			else
				continue;
			if (rc < 0)
				return -1;
			break;
		}
		int rc = 0;
		if (r->match == NSSET_MATCH_USER) {
			uid_t uid;
			int found = nsset_admin_user_uid(r->name, &uid);
			if (found < 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: cannot look up "
						 "user '%s': %s", origin, r->line, r->name, strerror(errno));
			else if (found == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: no such user: "
						 "'%s'", origin, r->line, r->name);
			else if (uid == 0 && r->scope != NSSET_SCOPE_NONE)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: '%s' has uid 0: "
						 "root is never placed", origin, r->line, r->name);
		} else if (r->match == NSSET_MATCH_GROUP) {
			gid_t gid;
			int found = nsset_admin_group_gid(r->name, &gid);
			if (found < 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: cannot look up "
						 "group '%s': %s", origin, r->line, r->name, strerror(errno));
			else if (found == 0)
				rc = add_finding(l, r->line, false, e, "%s:%u: warning: no such group: "
						 "'%s'", origin, r->line, r->name);
		}
		if (rc == 0 && r->scope != NSSET_SCOPE_NONE)
			rc = lint_kernel(r, origin, l, e);
		if (rc == 0 && r->scope != NSSET_SCOPE_NONE)
			rc = lint_limits(r, origin, l, e);
		if (rc == 0 && r->hook[0])
			rc = lint_hook(r, origin, l, e);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int cmp_findings(const void *pa, const void *pb)
{
	const struct nsset_admin_finding *a = pa, *b = pb;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	/* Errors before warnings on one line; else as found (the messages
	 * of one line differ, and strcmp keeps the order stable enough). */
	if (a->error != b->error)
		return a->error ? -1 : 1;
	return 0;
}

int nsset_admin_lint_text(const char *text, size_t len, const char *origin,
			  struct nsset_admin_lint *out, struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *buf = malloc(len + 1);
	if (!buf)
		return nsset_fail(e, ENOMEM, "linting");
	memcpy(buf, text, len);
	size_t blen = len;
	int rc = 0;
	for (unsigned round = 0;; round++) {
		struct nsset_policy p;
		struct nsset_err pe = { 0 };
		if (nsset_policy_parse(buf, blen, origin, &p, &pe) == 0) {
			rc = lint_rules(&p, origin, out, e);
			nsset_policy_free(&p);
			break;
		}
		unsigned line = message_line(pe.msg, origin);
		if ((rc = add_finding(out, line, true, e, "%s", pe.msg)) < 0)
			break;
		if (!line)
			break;
		if (round + 1 >= LINT_MAX_ERRORS) {
			rc = add_finding(out, line, true, e, "%s:%u: too many errors, stopping here",
					 origin, line);
			break;
		}
		drop_line(buf, &blen, line);
	}
	if (rc < 0) {
		nsset_admin_lint_free(out);
		return -1;
	}
	out->rules = count_rule_lines(text, len);
	/* Stable: insertion sort keeps equal lines in the order found. */
	for (size_t i = 1; i < out->count; i++)
		for (size_t j = i; j > 0 && cmp_findings(&out->findings[j - 1], &out->findings[j]) > 0; j--) {
			struct nsset_admin_finding t = out->findings[j];
			out->findings[j] = out->findings[j - 1];
			out->findings[j - 1] = t;
		}
	return 0;
}

static int read_text(const char *path, char **text, size_t *len, struct nsset_err *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return nsset_fail(e, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return nsset_fail(e, 0, "%s: not a regular file", path);
	size_t cap = 1024 * 1024 + 1;
	_cleanup_free_ char *b = malloc(cap + 1);
	if (!b)
		return nsset_fail(e, ENOMEM, "%s", path);
	ssize_t n = read_full(fd, b, cap);
	if (n < 0)
		return nsset_fail(e, errno, "%s", path);
	b[n] = '\0';
	*text = TAKE_PTR(b);
	*len = (size_t)n;
	return 0;
}

int nsset_admin_lint_file(const char *path, struct nsset_admin_lint *out,
			  struct nsset_policy *policy, struct nsset_err *e)
{
	memset(out, 0, sizeof(*out));
	memset(policy, 0, sizeof(*policy));
	struct nsset_policy p;
	struct nsset_err le = { 0 };
	int loaded = nsset_policy_load(path, &p, &le);
	/* Refused as a file (owner, mode, symlink, size): nothing to lint. */
	if (loaded < 0 && !message_line(le.msg, path)) {
		*e = le;
		return -1;
	}
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_text(path, &text, &len, e) < 0 || nsset_admin_lint_text(text, len, path, out, e) < 0) {
		if (loaded == 0)
			nsset_policy_free(&p);
		return -1;
	}
	out->text = TAKE_PTR(text);
	out->len = len;
	if (loaded == 0 && out->errors == 0)
		*policy = p;
	else if (loaded == 0)
		nsset_policy_free(&p);
	else if (out->errors == 0)
		/* The file changed between the two reads: say so. */
		add_finding(out, 0, true, e, "%s", le.msg);
	return 0;
}

void nsset_admin_lint_free(struct nsset_admin_lint *l)
{
	free(l->findings);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

void nsset_admin_lint_line(const struct nsset_admin_lint *l, unsigned line, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!l->text || !line || !size)
		return;
	const char *p = l->text, *end = l->text + l->len;
	for (unsigned n = 1; n < line && p < end; p++)
		if (*p == '\n')
			n++;
	if (p >= end)
		return;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	/* A '#' where a word starts begins a comment. */
	const char *q = p;
	for (; q < eol; q++)
		if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t'))
			break;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
		q--;
	size_t n = (size_t)(q - p) < size - 1 ? (size_t)(q - p) : size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* ---- outdated sets --------------------------------------------------------------------- */

/* The first rule that makes group sets of `gid`, or NULL. */
static const struct nsset_rule *group_rule(const struct nsset_policy *p, gid_t gid)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct nsset_rule *r = &p->rules[i];
		gid_t g;
		if (r->match == NSSET_MATCH_GROUP && r->scope == NSSET_SCOPE_GROUP &&
		    nsset_admin_group_gid(r->name, &g) == 1 && g == gid)
			return r;
	}
	return NULL;
}

static int outdated_as(struct nsset_admin_set *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int outdated_as(struct nsset_admin_set *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->state = NSSET_ADMIN_OUTDATED;
	return 1;
}

int nsset_admin_judge(const struct nsset_policy *p, struct nsset_admin_set *s)
{
	s->has_want = false;
	if (!s->is_set || !s->has_meta || s->state != NSSET_ADMIN_OK)
		return 0;
	const struct nsset_meta *m = &s->meta;
	/* Whose login would reach this set: its user, or its creator. */
	char who[NSSET_USER_MAX + 1];
	if (m->scope == NSSET_SCOPE_GROUP)
		snprintf(who, sizeof(who), "%s", m->created_by);
	else
		nsset_admin_user_name((uid_t)m->owner_id, who, sizeof(who));
	struct nsset_user u;
	struct nsset_err e = { 0 };
	bool known = nsset_user_lookup(who, &u, &e) == 0;
	const struct nsset_rule *rule = NULL;
	gid_t gid = 0;
	int rc = 0;
	if (known && nsset_policy_find(p, u.name, u.groups, u.ngroups, &rule, &gid, &e) < 0)
		goto out;       /* NSS failed: cannot tell */
	if (m->scope == NSSET_SCOPE_GROUP &&
	    (!rule || rule->scope != NSSET_SCOPE_GROUP || gid != (gid_t)m->owner_id)) {
		/* The creator is placed elsewhere now; other members may
		 * still be placed here. */
		rule = group_rule(p, (gid_t)m->owner_id);
		gid = (gid_t)m->owner_id;
		if (!rule) {
			rc = outdated_as(s, "no rule makes group/%s any more", m->owner);
			goto out;
		}
		if (!known) {
			memset(&u, 0, sizeof(u));
			snprintf(u.name, sizeof(u.name), "%s", who);
			known = true;
		}
	}
	if (!known)
		goto out;
	if (!rule || rule->scope == NSSET_SCOPE_NONE) {
		rc = outdated_as(s, "the policy no longer places %s in a set", u.name);
		goto out;
	}
	struct nsset_meta want;
	if (nsset_describe(rule, gid, &u, &want, &e) < 0)
		goto out;
	if (want.scope != m->scope ||
	    (m->scope != NSSET_SCOPE_SESSION && strcmp(want.id, m->id) != 0)) {
		struct nsset_setid id = { .scope = want.scope };
		char name[64];
		snprintf(id.id, sizeof(id.id), "%s", want.id);
		nsset_setid_name(&id, name, sizeof(name));
		rc = outdated_as(s, "the policy now places %s in %s", u.name,
				 want.scope == NSSET_SCOPE_SESSION ? "a session set per login" : name);
		goto out;
	}
	s->has_want = true;
	s->want = want;
	char diff[NSSET_ERR_MAX - 32];
	if (nsset_meta_shape_diff(m, &want, diff, sizeof(diff)) > 0)
		rc = outdated_as(s, "the policy now wants %s", diff);
out:
	nsset_user_free(&u);
	return rc;
}

void nsset_admin_judge_list(const struct nsset_policy *p, struct nsset_admin_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		nsset_admin_judge(p, &l->sets[i]);
}

/* ---- explain --------------------------------------------------------------------------- */

int nsset_admin_explain(const struct nsset_policy *p, const struct nsset_user *u,
			const struct nsset_admin_list *sets, struct nsset_admin_explain *x,
			struct nsset_err *e)
{
	(void)e;
	memset(x, 0, sizeof(*x));
	x->exists_index = -1;
	x->exists = NSSET_EXISTS_NONE;
	if (u->uid == 0) {
		x->why = NSSET_WHY_ROOT;
		return 0;
	}
	gid_t gid = (gid_t)-1;
	struct nsset_err me = { 0 };
	int found = nsset_policy_find(p, u->name, u->groups, u->ngroups, &x->rule, &gid, &me);
	if (!x->rule) {
		x->why = found < 0 ? NSSET_WHY_LOOKUP_FAILED : NSSET_WHY_NO_RULE;
		snprintf(x->err, sizeof(x->err), "%s", me.msg);
		return 0;
	}
	switch (x->rule->match) {
	case NSSET_MATCH_USER:
		x->why = NSSET_WHY_USER;
		break;
	case NSSET_MATCH_GROUP:
		x->why = NSSET_WHY_GROUP;
		x->gid = gid;
		x->primary = gid == u->gid;
		break;
	case NSSET_MATCH_ALL:
		x->why = NSSET_WHY_ALL;
		break;
	}
	if (x->rule->scope == NSSET_SCOPE_NONE)
		return 0;
	struct nsset_err de = { 0 };
	if (nsset_describe(x->rule, gid, u, &x->want, &de) < 0) {
		snprintf(x->err, sizeof(x->err), "%s", de.msg);
		return 0;
	}
	x->has_set = true;
	struct nsset_setid id = { .scope = x->want.scope };
	snprintf(id.id, sizeof(id.id), "%s", x->want.id);
	if (x->want.scope == NSSET_SCOPE_SESSION)
		snprintf(x->setname, sizeof(x->setname), "session/<new id per login>");
	else
		nsset_setid_name(&id, x->setname, sizeof(x->setname));
	if (nsset_nstypes_unsupported(x->rule->ns_flags, NULL, &de) != 0) {
		x->ns_unsupported = true;
		snprintf(x->err, sizeof(x->err), "%s", de.msg);
		return 0;
	}
	/* Refused the same way: limits the machine's cgroup v2 cannot hold. */
	if (nsset_cg_check(nsset_limits_controllers(&x->rule->limits), &de) != 0) {
		x->ns_unsupported = true;
		snprintf(x->err, sizeof(x->err), "the rule's limits cannot be applied: %.*s",
			 (int)sizeof(x->err) - 40, de.msg);
		return 0;
	}
	if (x->want.scope == NSSET_SCOPE_SESSION) {
		x->exists = NSSET_EXISTS_SESSION;
		for (size_t i = 0; sets && i < sets->count; i++) {
			const struct nsset_admin_set *s = &sets->sets[i];
			if (s->is_set && s->id.scope == NSSET_SCOPE_SESSION && s->has_meta &&
			    s->meta.owner_id == u->uid)
				x->session_sets++;
		}
		return 0;
	}
	x->exists_index = sets ? nsset_admin_find(sets, x->setname) : -1;
	if (x->exists_index < 0) {
		x->exists = NSSET_EXISTS_NO;
		return 0;
	}
	const struct nsset_admin_set *s = &sets->sets[x->exists_index];
	if (s->state == NSSET_ADMIN_BROKEN)
		x->exists = NSSET_EXISTS_BROKEN;
	else if (s->state != NSSET_ADMIN_OK && s->state != NSSET_ADMIN_OUTDATED)
		x->exists = NSSET_EXISTS_STALE;
	else if (!nsset_meta_same_shape(&s->meta, &x->want))
		x->exists = NSSET_EXISTS_OTHER_POLICY;
	else
		x->exists = NSSET_EXISTS_OK;
	return 0;
}
