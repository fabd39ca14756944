/* pam_nsset.so: PAM glue only. Arguments, the user and their groups go to
 * the core (lib/), which decides and acts; this file turns the outcome into
 * PAM return codes and pam_syslog lines. See pam_nsset(8). */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "nstypes.h"
#include "place.h"
#include "setcg.h"
#include "policy.h"
#include "util.h"

#define DATA_PLACEMENT "pam_nsset:placement"
#define DATA_DECISION "pam_nsset:decision"
#define DATA_TOLD "pam_nsset:told"
#define LEAVE_WAIT_MS 3000

struct args {
	bool debug;
	bool silent;
	bool ignore_config_error;
	const char *conf;
	struct nsset_paths paths;
};

static void parse_args(pam_handle_t *pamh, int flags, int argc, const char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->conf = NSSET_CONF_PATH;
	a->paths.store = NSSET_STORE_PATH;
	a->paths.holder = NSSET_HOLDER_PATH;
	a->silent = (flags & PAM_SILENT) != 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "debug") == 0)
			a->debug = true;
		else if (strcmp(arg, "silent") == 0)
			a->silent = true;
		else if (strcmp(arg, "ignore_config_error") == 0)
			a->ignore_config_error = true;
		else if (strncmp(arg, "conf=", 5) == 0 && arg[5] == '/')
			a->conf = arg + 5;
		else if (strncmp(arg, "store=", 6) == 0 && arg[6] == '/')
			a->paths.store = arg + 6;
		else if (strncmp(arg, "holder=", 7) == 0 && arg[7] == '/')
			a->paths.holder = arg + 7;
		else
			pam_syslog(pamh, LOG_ERR, "unknown or malformed option ignored: %s", arg);
	}
}

/* PAM data that is one malloc'd block. */
static void free_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

static void log_to_pam(void *ctx, int prio, const char *msg)
{
	pam_syslog((pam_handle_t *)ctx, prio, "%s", msg);
}

/* What a refused user reads: the headline of the step that refused, then
 * the class of the reason and where the administrator finds the detail
 * (common.h). Never the detail itself: it may name another user's set. */
static void tell_user(pam_handle_t *pamh, const struct args *a, const char *what,
		      enum nsset_refusal why)
{
	if (a->silent)
		return;
	/* Said once per transaction: with the module twice in a stack (su-l
	 * includes su), the second refusal would repeat the first. */
	const void *told = NULL;
	if (pam_get_data(pamh, DATA_TOLD, &told) == PAM_SUCCESS && told && strcmp(told, what) == 0)
		return;
	pam_error(pamh, "%s\n%s %s", what, nsset_refusal_text(why), NSSET_REFUSAL_WHERE);
	char *copy = strdup(what);
	if (copy && pam_set_data(pamh, DATA_TOLD, copy, free_data) != PAM_SUCCESS)
		free(copy);
}

/* What the policy says for this login. PAM_SUCCESS with *rule set: place
 * the user; PAM_IGNORE: leave them alone; anything else: refuse (with *rule
 * still set when the rule itself cannot be honoured here, the user told). */
static int decide(pam_handle_t *pamh, const struct args *a, int err_code, struct nsset_user *u,
		  struct nsset_policy *pol, const struct nsset_rule **rule, gid_t *gid)
{
	const char *user = NULL;
	struct nsset_err e = { 0 };
	*rule = NULL;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user) {
		pam_syslog(pamh, LOG_ERR, "cannot determine the user name");
		return PAM_USER_UNKNOWN;
	}
	if (nsset_user_passwd(user, u, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", e.msg);
		return PAM_USER_UNKNOWN;
	}
	if (u->uid == 0) {
		if (a->debug)
			pam_syslog(pamh, LOG_DEBUG, "%s is root: left alone", u->name);
		return PAM_IGNORE;
	}
	if (nsset_policy_load(a->conf, pol, &e) < 0) {
		if (a->ignore_config_error) {
			pam_syslog(pamh, LOG_ERR, "%s (ignore_config_error: %s not placed)", e.msg, u->name);
			return PAM_IGNORE;
		}
		pam_syslog(pamh, LOG_ERR, "%s (refusing %s)", e.msg, u->name);
		return err_code;
	}
	if (nsset_policy_needs_groups(pol, u->name) && nsset_user_groups(u, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s (refusing %s)", e.msg, u->name);
		return err_code;
	}
	if (nsset_policy_find(pol, u->name, u->groups, u->ngroups, rule, gid, &e) < 0) {
		/* Not knowing the groups is not the same as not being in them. */
		pam_syslog(pamh, LOG_ERR, "%s: %s (refusing %s)", a->conf, e.msg, u->name);
		return err_code;
	}
	if (!*rule || (*rule)->scope == NSSET_SCOPE_NONE) {
		if (a->debug)
			pam_syslog(pamh, LOG_DEBUG, "%s: %s", u->name,
				   *rule ? "rule with scope none: left alone" : "no rule matches: left alone");
		*rule = NULL;
		return PAM_IGNORE;
	}
	if (a->debug)
		pam_syslog(pamh, LOG_DEBUG, "%s matches %s:%u (scope %s)", u->name, a->conf,
			   (*rule)->line, nsset_scope_name((*rule)->scope));
	/* A type this kernel was built without (time on Debian 12's UML) would
	 * only fail in the holder, with a generic message: say which, here. */
	if (nsset_nstypes_unsupported((*rule)->ns_flags, NULL, &e) != 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: refusing login: %s:%u: %s", u->name, a->conf,
			   (*rule)->line, e.msg);
		tell_user(pamh, a, "nsset: this system cannot make your namespace set; login refused.",
			  NSSET_REFUSAL_POLICY);
		return err_code;
	}
	/* Fail closed: a set without the limits its rule gives would let one
	 * tenant take the machine from the others. */
	if (nsset_cg_check(nsset_limits_controllers(&(*rule)->limits), &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: refusing login: %s:%u: the rule's limits cannot "
			   "be applied: %s", u->name, a->conf, (*rule)->line, e.msg);
		tell_user(pamh, a, "nsset: this system cannot make your namespace set; login refused.",
			  NSSET_REFUSAL_POLICY);
		return err_code;
	}
	return PAM_SUCCESS;
}

/* What the account phase decided to place, kept for the session phase of
 * the same transaction (the hardened stack runs both): the policy is read
 * and the user looked up once per login. Used once, and only for the same
 * user and policy file; the groups are not kept (describing a set needs
 * none). */
struct decision {
	char conf[PATH_MAX];
	struct nsset_user u;
	struct nsset_rule rule;
	gid_t gid;
};

static void decision_save(pam_handle_t *pamh, const struct args *a, const struct nsset_user *u,
			  const struct nsset_rule *rule, gid_t gid)
{
	_cleanup_free_ struct decision *d = calloc(1, sizeof(*d));
	if (!d || strlen(a->conf) >= sizeof(d->conf))
		return;
	snprintf(d->conf, sizeof(d->conf), "%s", a->conf);
	snprintf(d->u.name, sizeof(d->u.name), "%s", u->name);
	d->u.uid = u->uid;
	d->u.gid = u->gid;
	d->rule = *rule;
	d->gid = gid;
	if (pam_set_data(pamh, DATA_DECISION, d, free_data) == PAM_SUCCESS)
		d = NULL;       /* PAM's now */
}

/* The account phase's decision, if it was made for this user and policy. */
static const struct decision *decision_get(pam_handle_t *pamh, const struct args *a)
{
	const void *data = NULL;
	const void *user = NULL;
	if (pam_get_data(pamh, DATA_DECISION, &data) != PAM_SUCCESS || !data ||
	    pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS || !user)
		return NULL;
	const struct decision *d = data;
	return strcmp(d->u.name, user) == 0 && strcmp(d->conf, a->conf) == 0 ? d : NULL;
}

/* 1 when the caller is systemd's user manager: user@.service opens its
 * session with PAMName=systemd-user. */
static int is_user_manager(pam_handle_t *pamh)
{
	const void *svc = NULL;
	return pam_get_item(pamh, PAM_SERVICE, &svc) == PAM_SUCCESS && svc &&
	       strcmp(svc, "systemd-user") == 0;
}

/* The placement of this transaction's session, and for whom. Its being
 * there is also the mark that this handle's session is placed: a second
 * pam_nsset in the same transaction (Debian's su-l includes su, runuser-l
 * runuser) finds it and does nothing. */
struct placed {
	struct nsset_placement p;
	char user[NSSET_USER_MAX + 1];
};

static void placement_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	/* Only fds to close: this may run in a forked child (PAM_DATA_SILENT)
	 * where nothing else must happen. */
	nsset_placement_release(&((struct placed *)data)->p);
	free(data);
}

/* This transaction's placement, if it was made for the user the handle
 * names now. */
static const struct placed *placed_get(pam_handle_t *pamh)
{
	const void *data = NULL, *user = NULL;
	if (pam_get_data(pamh, DATA_PLACEMENT, &data) != PAM_SUCCESS || !data ||
	    pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS || !user)
		return NULL;
	const struct placed *pl = data;
	return strcmp(pl->user, user) == 0 ? pl : NULL;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	parse_args(pamh, flags, argc, argv, &a);
	struct nsset_log log = { .write = log_to_pam, .ctx = pamh, .debug = a.debug };
	struct nsset_user u = { 0 };
	struct nsset_policy pol = { 0 };
	const struct nsset_rule *rule;
	gid_t gid = 0;
	struct nsset_err e = { 0 };
	struct nsset_meta m;
	struct placed *pl = NULL;

	const struct placed *before = placed_get(pamh);
	if (before) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "%s: this transaction's session is in set %s "
				   "already: nothing to do", before->user, before->p.setname);
		return PAM_SUCCESS;
	}
	int rc;
	struct nsset_rule kept;
	const struct decision *d = decision_get(pamh, &a);
	if (d) {
		u = d->u;
		kept = d->rule;
		rule = &kept;
		gid = d->gid;
		rc = PAM_SUCCESS;
		/* Used once: a later session on this handle decides anew. */
		pam_set_data(pamh, DATA_DECISION, NULL, NULL);
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "%s: the account phase's decision (%s:%u)", u.name,
				   a.conf, rule->line);
	} else {
		rc = decide(pamh, &a, PAM_SESSION_ERR, &u, &pol, &rule, &gid);
	}
	if (rc != PAM_SUCCESS || !rule)
		goto out;
	rc = PAM_SESSION_ERR;
	if (nsset_describe(rule, gid, &u, &m, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s:%u: %s", u.name, a.conf, rule->line, e.msg);
		tell_user(pamh, &a, "nsset: cannot place this session in its namespace set.",
			  NSSET_REFUSAL_POLICY);
		goto out;
	}
	/* systemd --user cannot live in a pid or cgroup set (measured on
	 * Debian 12): it would stay outside the set's pid namespace but see
	 * the set's /proc (203/EXEC, "Bad file descriptor"), and see its own
	 * cgroup as /../../user.slice/... ("Not a directory"). Refuse with
	 * the reason, rather than fail obscurely or run it outside the set. */
	if ((m.ns_flags & (CLONE_NEWPID | CLONE_NEWCGROUP)) && is_user_manager(pamh)) {
		pam_syslog(pamh, LOG_ERR, "user %s: systemd's user manager cannot run in a set "
			   "with a %s namespace (%s:%u); leave pam_nsset out of "
			   "/etc/pam.d/systemd-user for such sets, see pam_nsset(8)", u.name,
			   (m.ns_flags & CLONE_NEWPID) ? "pid" : "cgroup", a.conf, rule->line);
		goto out;
	}
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		pam_syslog(pamh, LOG_CRIT, "out of memory");
		rc = PAM_BUF_ERR;
		goto out;
	}
	snprintf(pl->user, sizeof(pl->user), "%s", u.name);
	struct nsset_placement *p = &pl->p;
	nsset_placement_init(p);
	if (nsset_place(&a.paths, &m, getpid(), p, &log, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s", u.name, e.msg);
		tell_user(pamh, &a, "nsset: cannot place this session in its namespace set.",
			  e.refusal);
		free(pl);
		goto out;
	}
	/* An outdated set is joined as it is: its own pid or cgroup
	 * namespace counts for systemd's user manager, not the rule's. */
	if (!p->already && (p->ns_flags & (CLONE_NEWPID | CLONE_NEWCGROUP)) &&
	    !(m.ns_flags & (CLONE_NEWPID | CLONE_NEWCGROUP)) && is_user_manager(pamh)) {
		pam_syslog(pamh, LOG_ERR, "user %s: systemd's user manager cannot run in set %s, "
			   "made under an earlier policy with a %s namespace; see pam_nsset(8)",
			   u.name, p->setname, (p->ns_flags & CLONE_NEWPID) ? "pid" : "cgroup");
		nsset_leave(p, 0, &log);
		nsset_placement_release(p);
		free(pl);
		goto out;
	}
	if (p->already)
		/* su - alice inside alice's set, by her or by root: the
		 * session is where it belongs. Kept on the handle all the
		 * same (no entry, no fd: close_session has nothing to do),
		 * for a second pam_nsset of this transaction to find. */
		pam_syslog(pamh, LOG_INFO, "user %s: already in set %s (a login from inside it): "
			   "nothing to do", u.name, p->setname);
	else
		pam_syslog(pamh, LOG_INFO, "user %s placed in set %s%s", u.name, p->setname,
			   p->created ? " (created)" : p->outdated ? " (outdated, joined as it is)" : "");
	if (pam_set_data(pamh, DATA_PLACEMENT, pl, placement_cleanup) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "pam_set_data failed");
		nsset_leave(p, 0, &log);
		placement_cleanup(pamh, pl, 0);
		goto out;
	}
	rc = PAM_SUCCESS;
out:
	nsset_policy_free(&pol);
	nsset_user_free(&u);
	return rc;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	parse_args(pamh, flags, argc, argv, &a);
	struct nsset_log log = { .write = log_to_pam, .ctx = pamh, .debug = a.debug };
	const void *data = NULL;
	if (pam_get_data(pamh, DATA_PLACEMENT, &data) != PAM_SUCCESS || !data)
		return PAM_IGNORE;
	/* A second pam_nsset in the transaction finds it gone: PAM_IGNORE. */
	struct nsset_placement *p = &((struct placed *)data)->p;
	nsset_leave(p, LEAVE_WAIT_MS, &log);
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "session in set %s closed", p->setname);
	/* Closes the fds through placement_cleanup. */
	pam_set_data(pamh, DATA_PLACEMENT, NULL, NULL);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct args a;
	parse_args(pamh, flags, argc, argv, &a);
	struct nsset_user u = { 0 };
	struct nsset_policy pol = { 0 };
	const struct nsset_rule *rule;
	gid_t gid = 0;
	struct nsset_err e = { 0 };

	/* sshd starts the shell even when the session fails to open: the
	 * account phase is where a broken setup can still refuse a login. */
	int rc = decide(pamh, &a, PAM_PERM_DENIED, &u, &pol, &rule, &gid);
	struct nsset_meta m;
	int pf;
	if (rc == PAM_SUCCESS && rule && nsset_describe(rule, gid, &u, &m, &e) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: refusing login: %s:%u: %s", u.name, a.conf,
			   rule->line, e.msg);
		tell_user(pamh, &a, "nsset: cannot decide your namespace set; login refused.",
			  NSSET_REFUSAL_POLICY);
		rc = PAM_PERM_DENIED;
	} else if (rc == PAM_SUCCESS && rule && (pf = nsset_preflight(&a.paths, &m, &e)) < 0) {
		if (e.refusal == NSSET_REFUSAL_INSIDE) {
			pam_syslog(pamh, LOG_ERR, "user %s: refusing a login from inside a set: %s",
				   u.name, e.msg);
			tell_user(pamh, &a, "nsset: cannot place this login in a namespace set from "
				  "here; login refused.", e.refusal);
		} else {
			pam_syslog(pamh, LOG_ERR, "user %s: refusing login, sets cannot be made: %s",
				   u.name, e.msg);
			tell_user(pamh, &a, "nsset: namespace sets are unavailable; login refused.",
				  e.refusal);
		}
		rc = PAM_PERM_DENIED;
	} else if (rc == PAM_SUCCESS && rule) {
		/* pf 1: already in the set (su inside it); the session phase
		 * finds the same and does nothing. */
		if (pf == 1 && a.debug)
			pam_syslog(pamh, LOG_DEBUG, "%s: a login from inside the set it belongs in",
				   u.name);
		decision_save(pamh, &a, &u, rule, gid);
	} else if (rc == PAM_SESSION_ERR) {
		rc = PAM_PERM_DENIED;
	}
	if (rc == PAM_PERM_DENIED && !rule)
		tell_user(pamh, &a, "nsset: cannot decide your namespace set; login refused.",
			  NSSET_REFUSAL_POLICY);
	nsset_policy_free(&pol);
	nsset_user_free(&u);
	return rc;
}
