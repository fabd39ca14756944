/* Which set a process sits in, by namespace identity against the store:
 * `nssetctl which PID`; see admin.h. Read-only. */
#include "admin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "procscan.h"
#include "util.h"

int nsset_admin_which_pid(const struct nsset_admin_list *l, pid_t pid, struct nsset_admin_which *w,
			  struct nsset_err *e)
{
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->in = w->partly = -1;
	for (size_t i = 0; i < NSSET_NS_MAX; i++)
		w->set_of[i] = -1;
	if (pid <= 0 || !nsset_proc_identity(pid, &w->uid, w->comm, sizeof(w->comm)))
		return nsset_fail_as(e, ESRCH, "no such process: %d", (int)pid);
	_cleanup_close_ int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return nsset_fail(e, errno, "/proc");
	char name[16];
	snprintf(name, sizeof(name), "%d", (int)pid);
	struct nsset_proc_ns px;
	nsset_proc_ns_read(procfd, pid, name, NSSET_NS_ALL_FLAGS, &px);
	/* Gone while we looked: its namespace links read as 0. */
	if (!nsset_proc_identity(pid, &w->uid, w->comm, sizeof(w->comm)))
		return nsset_fail_as(e, ESRCH, "no such process: %d", (int)pid);
	for (size_t k = 0; k < l->count; k++) {
		const struct nsset_admin_set *s = &l->sets[k];
		if (!s->is_set)
			continue;
		bool some = false;
		for (size_t i = 0; i < nsset_nstype_count; i++) {
			if (!s->ino[i])
				continue;
			/* What its children get counts too (procscan.h). */
			if (px.ino[i] == s->ino[i] || px.child[i] == s->ino[i]) {
				w->set_of[i] = (int)k;
				some = true;
			}
		}
		if (some && w->in < 0 && nsset_proc_in_set(&px, s->ino))
			w->in = (int)k;
		else if (some && w->partly < 0)
			w->partly = (int)k;
	}
	if (w->in >= 0)
		w->partly = -1;
	return 0;
}
