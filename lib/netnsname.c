/* ip-netns(8) names for sets' network namespaces; see netnsname.h. */
#include "netnsname.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void nsset_netns_name_of(enum nsset_scope scope, const char *id, char *buf, size_t size)
{
	snprintf(buf, size, NSSET_NETNS_PREFIX "%s-%s", nsset_scope_name(scope), id);
}

/* As `ip netns add` leaves the directory: a mount of its own with shared
 * propagation, so that names made from any mount namespace reach the
 * others. Done the way iproute2 does it, so the two agree. */
static int netns_dir_ready(struct nsset_err *e)
{
	if (mkdir(NSSET_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return nsset_fail(e, errno, "%s: mkdir", NSSET_NETNS_DIR);
	if (mount("", NSSET_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)    /* EINVAL: not a mount point yet */
		return nsset_fail(e, errno, "%s: making it shared", NSSET_NETNS_DIR);
	if (mount(NSSET_NETNS_DIR, NSSET_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", NSSET_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return nsset_fail(e, errno, "%s: bind-mounting it onto itself", NSSET_NETNS_DIR);
	return 0;
}

static void unname(const char *path)
{
	umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
	unlink(path);
}

int nsset_netns_name_add(enum nsset_scope scope, const char *id, const char *nsfile,
			 struct nsset_err *e)
{
	char name[64], path[sizeof(NSSET_NETNS_DIR) + 64];
	nsset_netns_name_of(scope, id, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", NSSET_NETNS_DIR, name);
	struct stat want, have;
	if (stat(nsfile, &want) < 0)
		return nsset_fail(e, errno, "%s", nsfile);
	if (netns_dir_ready(e) < 0)
		return -1;
	if (lstat(path, &have) == 0) {
		if (have.st_dev == want.st_dev && have.st_ino == want.st_ino)
			return 0;
		/* Ours by its prefix, and not this set's: left by a set that
		 * ended without its teardown (a crash, a reboot of /run is
		 * not one). */
		unname(path);
	}
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return nsset_fail(e, errno, "%s: creating", path);
	if (mount(nsfile, path, "none", MS_BIND, NULL) < 0) {
		int saved = errno;
		unlink(path);
		return nsset_fail(e, saved, "bind-mounting %s onto %s", nsfile, path);
	}
	return 0;
}

int nsset_netns_name_drop(dev_t dev, ino_t ino)
{
	_cleanup_closedir_ DIR *d = opendir(NSSET_NETNS_DIR);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, NSSET_NETNS_PREFIX, strlen(NSSET_NETNS_PREFIX)) != 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || st.st_dev != dev || st.st_ino != ino)
			continue;
		char path[sizeof(NSSET_NETNS_DIR) + 256];
		snprintf(path, sizeof(path), "%s/%s", NSSET_NETNS_DIR, de->d_name);
		unname(path);
		n++;
	}
	return n;
}
