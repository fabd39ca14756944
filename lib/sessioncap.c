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
	int sfd = nsset_scope_open(st, NSSET_SCOPE_SESSION);
	if (sfd < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s/session", st->path);
	DIR *d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		return nsset_fail(e, errno, "%s/session", st->path);
	}
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char name[64];
		struct nsset_setid id;
		/* Set directories only: not the lock files, nothing else. */
		snprintf(name, sizeof(name), "session/%.40s", de->d_name);
		if (de->d_name[0] == '.' || nsset_setid_parse(name, &id) < 0)
			continue;
		int setfd = nsset_set_open(st, &id, NULL);
		if (setfd < 0)
			continue;       /* gone meanwhile, or not a sound set */
		struct nsset_meta m;
		if (nsset_set_holder_alive(setfd) && nsset_meta_read(setfd, &m, NULL) == 0 &&
		    m.scope == NSSET_SCOPE_SESSION && m.owner_id == (unsigned long)uid)
			n++;
		close(setfd);
	}
	closedir(d);
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
	int fd = openat(st->fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return nsset_fail(e, errno, "%s/%s", st->path, name);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return nsset_fail(e, saved, "locking %s/%s", st->path, name);
		}
	int n = nsset_sessioncap_count(st, (uid_t)want->owner_id, e);
	if (n < 0) {
		close(fd);
		return -1;
	}
	if ((unsigned)n >= want->session_max) {
		close(fd);
		return nsset_fail(e, 0, "refusing a new session set: %s (uid %lu) already has %d live "
				  "session set(s), the most session.max=%u allows", want->created_by,
				  want->owner_id, n, want->session_max);
	}
	*lockfd = fd;
	return 0;
}
