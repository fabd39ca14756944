/* A set's own systemd scope; see sdunit.h. */
#include "sdunit.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "policy.h"
#include "util.h"

/* systemd under user-mode-linux takes seconds per job: generous, since a
 * login waits on this only when it makes the set. */
#define JOB_TIMEOUT_USEC (60ULL * 1000000ULL)

int nsset_sdunit_name(const struct nsset_setid *id, char *buf, size_t size)
{
	int n = snprintf(buf, size, "nsset-%s-", nsset_scope_name(id->scope));
	if (n < 0 || (size_t)n >= size)
		return -1;
	size_t len = (size_t)n;
	for (const char *p = id->id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == ':' || c == '_' ||
			    (c == '.' && p != id->id);
		n = keep ? snprintf(buf + len, size - len, "%c", c)
			 : snprintf(buf + len, size - len, "\\x%02x", c);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, ".scope");
	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

static void bus_unref(sd_bus **bus)
{
	sd_bus_flush_close_unref(*bus);
}

static void msg_unref(sd_bus_message **m)
{
	sd_bus_message_unref(*m);
}

/* The job we wait for, and how it ended (JobRemoved's result). */
struct job_wait {
	char path[256];
	char result[32];
	bool done;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
	struct job_wait *w = userdata;
	uint32_t id;
	const char *path, *unit, *result;
	(void)ret;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path[0] && strcmp(path, w->path) == 0) {
		snprintf(w->result, sizeof(w->result), "%s", result);
		w->done = true;
	}
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Waits until the job in w->path is removed. 0, or a negative errno. */
static int job_wait(sd_bus *bus, struct job_wait *w)
{
	uint64_t end = now_usec() + JOB_TIMEOUT_USEC;
	while (!w->done) {
		int r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		uint64_t t = now_usec();
		if (t >= end)
			return -ETIMEDOUT;
		r = sd_bus_wait(bus, end - t);
		if (r < 0 && r != -EINTR)
			return r;
	}
	return 0;
}

/* The request for a transient scope holding `pid` only, the reply's job
 * path into w->path. A negative errno, with `err` set for a bus error. */
static int start_scope(sd_bus *bus, const char *unit, const char *desc, pid_t pid,
		       bool delegate, struct job_wait *w, sd_bus_error *err)
{
	__attribute__((cleanup(msg_unref))) sd_bus_message *req = NULL;
	__attribute__((cleanup(msg_unref))) sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_call(bus, &req, "org.freedesktop.systemd1",
					       "/org/freedesktop/systemd1",
					       "org.freedesktop.systemd1.Manager",
					       "StartTransientUnit");
	if (r < 0)
		return r;
	/* "fail": never replace a job queued for the unit by someone else. */
	r = sd_bus_message_append(req, "ss", unit, "fail");
	if (r < 0)
		return r;
	/* The holder and the set's init ignore SIGTERM (the init, as a pid
	 * namespace's init, never even sees it from outside): stopping the
	 * scope (an admin's `systemctl stop`, shutdown) kills the set at
	 * once, as `nssetctl destroy` kills its holder, instead of waiting
	 * for the stop timeout. Logouts never stop it: it is in no user's
	 * slice, and SendSIGHUP=no. */
	r = sd_bus_message_open_container(req, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(req, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)",
					  "Description", "s", desc,
					  "Slice", "s", NSSET_SDUNIT_SLICE,
					  "PIDs", "au", 1, (uint32_t)pid,
					  "KillMode", "s", "control-group",
					  "KillSignal", "i", SIGKILL,
					  "SendSIGHUP", "b", 0,
					  "CollectMode", "s", "inactive-or-failed");
	/* The subtree below the scope is nsset's (setcg.h): the set's own
	 * cgroup with its limits, which systemd then leaves alone. */
	if (r >= 0 && delegate)
		r = sd_bus_message_append(req, "(sv)", "Delegate", "b", 1);
	if (r >= 0)
		r = sd_bus_message_close_container(req);
	if (r < 0)
		return r;
	r = sd_bus_message_append(req, "a(sa(sv))", 0);
	if (r < 0)
		return r;
	r = sd_bus_call(bus, req, JOB_TIMEOUT_USEC, err, &reply);
	if (r < 0)
		return r;
	const char *job;
	r = sd_bus_message_read(reply, "o", &job);
	if (r < 0)
		return r;
	snprintf(w->path, sizeof(w->path), "%s", job);
	return 0;
}

/* Stops `unit` and waits for it: the scope of an earlier life of this set. */
static int stop_unit(sd_bus *bus, const char *unit, sd_bus_error *err)
{
	__attribute__((cleanup(msg_unref))) sd_bus_message *reply = NULL;
	struct job_wait w = { .done = false };
	sd_bus_slot *slot = NULL;
	int r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1",
				    "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
				    "JobRemoved", on_job_removed, &w);
	if (r < 0)
		return r;
	r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "StopUnit", err, &reply,
			       "ss", unit, "replace");
	const char *job;
	if (r >= 0 && (r = sd_bus_message_read(reply, "o", &job)) >= 0) {
		snprintf(w.path, sizeof(w.path), "%s", job);
		r = job_wait(bus, &w);
	}
	sd_bus_slot_unref(slot);
	return r;
}

/* 1 if /proc/self/cgroup puts us in `unit`, else 0; the cgroup's path
 * (the v2 line's) into `cgroup`. */
static int in_unit(const char *unit, char *cgroup, size_t size)
{
	char buf[4096];
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return 0;
	size_t ul = strlen(unit);
	int found = 0;
	while (!found && fgets(buf, sizeof(buf), f)) {
		size_t n = strcspn(buf, "\n");
		buf[n] = '\0';
		/* "0::/nsset.slice/nsset-user-1000.scope" (cgroup v2), or the
		 * name=systemd line of a v1 host. */
		found = n > ul && buf[n - ul - 1] == '/' && strcmp(buf + n - ul, unit) == 0;
		if (found && strncmp(buf, "0::", 3) == 0)
			snprintf(cgroup, size, "%s", buf + 3);
	}
	return found;
}

int nsset_sdunit_enter(const struct nsset_setid *id, bool delegate, char *cgroup, size_t size,
		       const struct nsset_log *log, struct nsset_err *e)
{
	cgroup[0] = '\0';
	if (sd_booted() <= 0)
		return 0;
	char name[128], setname[64], desc[128];
	if (nsset_sdunit_name(id, name, sizeof(name)) < 0)
		return nsset_fail(e, 0, "set id too long for a unit name");
	nsset_setid_name(id, setname, sizeof(setname));
	snprintf(desc, sizeof(desc), "nsset set %s", setname);

	__attribute__((cleanup(bus_unref))) sd_bus *bus = NULL;
	int r = sd_bus_open_system(&bus);
	if (r < 0)
		return nsset_fail(e, -r, "systemd runs, but its system bus cannot be reached "
				  "for the set's scope %s (not running the set in a login's unit)",
				  name);

	struct job_wait w = { .done = false };
	sd_bus_slot *slot = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	/* Match first, then ask for the signals (PID 1 sends JobRemoved only
	 * while some client is subscribed): no window where ours is lost. */
	r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1",
				"/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
				"JobRemoved", on_job_removed, &w);
	if (r >= 0)
		r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				       "org.freedesktop.systemd1.Manager", "Subscribe", &err,
				       NULL, "");
	if (r >= 0) {
		r = start_scope(bus, name, desc, getpid(), delegate, &w, &err);
		if (r < 0 && sd_bus_error_has_name(&err, "org.freedesktop.systemd1.UnitExists")) {
			/* The set is being remade (its holder is gone, we hold the
			 * set lock): what is left in its old scope belonged to the
			 * set that died. */
			nsset_log(log, LOG_NOTICE, "set %s: stopping %s, left from the set's "
				  "previous life", setname, name);
			sd_bus_error_free(&err);
			r = stop_unit(bus, name, &err);
			if (r >= 0)
				r = start_scope(bus, name, desc, getpid(), delegate, &w, &err);
		}
	}
	if (r >= 0)
		r = job_wait(bus, &w);
	sd_bus_slot_unref(slot);
	if (r < 0) {
		/* systemd's own words when it answered ("Unit nsset.slice is
		 * masked."); its errno (ERFKILL there) would only mislead. */
		nsset_fail(e, sd_bus_error_is_set(&err) ? 0 : -r,
			   "systemd did not make the set's scope %s%s%s%s", name,
			   sd_bus_error_is_set(&err) ? " (" : "",
			   sd_bus_error_is_set(&err) ? err.message : "",
			   sd_bus_error_is_set(&err) ? ")" : "");
		sd_bus_error_free(&err);
		return -1;
	}
	sd_bus_error_free(&err);
	if (strcmp(w.result, "done") != 0)
		return nsset_fail(e, 0, "systemd's job for the set's scope %s ended '%s'",
				  name, w.result);
	if (!in_unit(name, cgroup, size))
		return nsset_fail(e, 0, "the holder is not in its scope %s after systemd "
				  "made it (see /proc/self/cgroup)", name);
	nsset_log(log, LOG_DEBUG, "set %s: in its own systemd scope %s", setname, name);
	return 0;
}
