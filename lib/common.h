/* nsset — shared error and logging plumbing for the core library.
 *
 * lib/ never exits and never prints (a child it forks ends with _exit; the
 * holder daemon, which may exit, is helper/holder.c): every function reports failure through
 * a struct nsset_err that the front end (PAM module, helper, admin tool)
 * turns into a syslog line or a message on stderr. One contract: a call
 * that takes an nsset_err fills it and returns -1 when it fails (e may be
 * NULL: then only -1), and its caller reads e->errnum, never errno, after
 * it. Calls that take no e (util.h's system wrappers and the like) leave
 * their error in errno, as system calls do. Progress worth an admin's
 * attention (create, join, stale recovery) goes through an optional logger
 * callback so that the same code logs via pam_syslog in the module and via
 * stderr/syslog elsewhere.
 */
#ifndef NSSET_COMMON_H
#define NSSET_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define NSSET_ERR_MAX 512

/* Who a set belongs to (the policy's scope column). */
enum nsset_scope { NSSET_SCOPE_NONE, NSSET_SCOPE_USER, NSSET_SCOPE_GROUP, NSSET_SCOPE_SESSION };

/* Why a login was refused, in the words its user may read: a class, never
 * the detail (which can name another user's set or data, and goes to the
 * system log). The one list of them; nsset_refusal_text() says each. 0 is
 * the default: a failure nobody classified is the system's. */
enum nsset_refusal {
	NSSET_REFUSAL_UNAVAILABLE,  /* the store, a holder, the kernel failed */
	NSSET_REFUSAL_POLICY,       /* the policy cannot be read or applied to the user */
	NSSET_REFUSAL_BUSY,         /* the set is busy, or outdated under an older policy
				     * (no path gives it today: an outdated set is
				     * joined as it is, a busy one waited for) */
	NSSET_REFUSAL_INSIDE,       /* the login comes from inside another set */
};

struct nsset_err {
	int errnum;                 /* errno of the failing call, 0 if none */
	enum nsset_refusal refusal; /* the class a login refused for it falls in;
				     * reset by nsset_fail, kept by _prefix */
	char msg[NSSET_ERR_MAX];    /* complete human-readable message */
};

/* Fill *e (if not NULL) with a formatted message; when errnum != 0 the
 * strerror text is appended as ": <text>". Always returns -1 so callers can
 * write `return nsset_fail(e, errno, "...")`. errno is preserved. */
int nsset_fail(struct nsset_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, for a message that already says what went wrong ("no such
 * user: x"): errnum is recorded for the caller's decisions (exit codes)
 * but its strerror text is not appended. */
int nsset_fail_as(struct nsset_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message with more context ("creating set user/1000: "). */
void nsset_err_prefix(struct nsset_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets the refusal class of a failure just recorded in e (e may be NULL);
 * returns -1 so that `return nsset_refuse(e, NSSET_REFUSAL_BUSY)` reads. */
int nsset_refuse(struct nsset_err *e, enum nsset_refusal r);

/* The sentence a refused user reads for a class, the same for every user;
 * pam_nsset puts NSSET_REFUSAL_WHERE, where the administrator finds the
 * detail, after it. */
const char *nsset_refusal_text(enum nsset_refusal r);
#define NSSET_REFUSAL_WHERE "The administrator finds the detail in the system log " \
	"(the pam_nsset lines of the auth log: journalctl --grep pam_nsset)."

/* Priorities are syslog's (LOG_ERR, LOG_NOTICE, LOG_INFO, LOG_DEBUG). */
struct nsset_log {
	void (*write)(void *ctx, int prio, const char *msg);
	void *ctx;
	bool debug;                 /* deliver LOG_DEBUG messages too */
};

void nsset_log(const struct nsset_log *log, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
