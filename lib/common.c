/* Error and logging plumbing; see common.h. */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static void fill(struct nsset_err *e, int errnum, bool with_text, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n < 0)
		e->msg[0] = '\0';
	if (errnum && with_text) {
		size_t len = strlen(e->msg);
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	}
	e->errnum = errnum;
	e->refusal = NSSET_REFUSAL_UNAVAILABLE;
}

int nsset_fail(struct nsset_err *e, int errnum, const char *fmt, ...)
{
	int saved = errno;
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		fill(e, errnum, true, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

int nsset_fail_as(struct nsset_err *e, int errnum, const char *fmt, ...)
{
	int saved = errno;
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		fill(e, errnum, false, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

void nsset_err_prefix(struct nsset_err *e, const char *fmt, ...)
{
	if (!e)
		return;
	char prefix[NSSET_ERR_MAX], old[NSSET_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is acceptable: the message stays a message. */
	size_t plen = strnlen(prefix, sizeof(e->msg) - 1);
	memcpy(e->msg, prefix, plen);
	size_t olen = strnlen(old, sizeof(e->msg) - 1 - plen);
	memcpy(e->msg + plen, old, olen);
	e->msg[plen + olen] = '\0';
}

int nsset_refuse(struct nsset_err *e, enum nsset_refusal r)
{
	if (e)
		e->refusal = r;
	return -1;
}

const char *nsset_refusal_text(enum nsset_refusal r)
{
	switch (r) {
	case NSSET_REFUSAL_POLICY:
		return "The namespace set policy cannot be applied to this login (a policy error "
		       "or one of its limits).";
	case NSSET_REFUSAL_BUSY:
		return "Your namespace set is busy or was made under an older policy; try again "
		       "later.";
	case NSSET_REFUSAL_INSIDE:
		return "This login comes from inside another namespace set; nsset places a login "
		       "only from the host or from inside the set it belongs in.";
	case NSSET_REFUSAL_UNAVAILABLE:
		break;
	}
	return "Namespace sets are unavailable on this system right now.";
}

void nsset_log(const struct nsset_log *log, int prio, const char *fmt, ...)
{
	if (!log || !log->write)
		return;
	if (prio >= LOG_DEBUG && !log->debug)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->write(log->ctx, prio, msg);
}
