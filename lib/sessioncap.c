/* The per-user cap on live session sets; see sessioncap.h. */
#include "sessioncap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

int nsset_sessioncap_count(const struct nsset_store *st, uid_t uid, struct nsset_err *e)
{
	_cleanup_close_ int sfd = nsset_scope_open(st, NSSET_SCOPE_SESSION);
	if (sfd < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/session", st->path);
	_cleanup_closedir_ DIR *d = fdopendir(sfd);
	if (!d)
		return nsset_fail(e, errno, "%s/session", st->path);
	sfd = -1;       /* d's now */
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char name[64];
		struct nsset_setid id;
		/* Set directories only: not the lock files, nothing else. */
		snprintf(name, sizeof(name), "session/%.40s", de->d_name);
		if (de->d_name[0] == '.' || nsset_setid_parse(name, &id) < 0)
			continue;
		_cleanup_close_ int setfd = nsset_set_open(st, &id, NULL);
		if (setfd < 0)
			continue;       /* gone meanwhile, or not a sound set */
		struct nsset_meta m;
		if (nsset_set_holder_alive(setfd) && nsset_meta_read(setfd, &m, NULL) == 0 &&
		    m.scope == NSSET_SCOPE_SESSION && m.owner_id == (unsigned long)uid)
			n++;
	}
	return n;
}

int nsset_sessioncap_reserve(const struct nsset_store *st, const struct nsset_meta *want,
			     int *lockfd, struct nsset_err *e)
{
	*lockfd = -1;
	if (want->scope != NSSET_SCOPE_SESSION || want->session_max == NSSET_SESSION_MAX_NONE)
		return 0;
	char name[64];
	snprintf(name, sizeof(name), ".session-cap-%lu.lock", want->owner_id);
	_cleanup_close_ int fd = openat(st->fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/%s", st->path, name);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return nsset_fail(e, errno, "locking %s/%s", st->path, name);
	int n = nsset_sessioncap_count(st, (uid_t)want->owner_id, e);
	if (n < 0)
		return -1;
	if ((unsigned)n >= want->session_max) {
		nsset_fail(e, 0, "refusing a new session set: %s (uid %lu) already has %d live "
			   "session set(s), the most session.max=%u allows", want->created_by,
			   want->owner_id, n, want->session_max);
		return nsset_refuse(e, NSSET_REFUSAL_POLICY);
	}
	*lockfd = TAKE_FD(fd);
	return 0;
}
