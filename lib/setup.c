/* Setting up the inside of a new set; see setup.h. */
#include "setup.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nstypes.h"

int nsset_loopback_up(struct nsset_err *e)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return nsset_fail(e, errno, "socket for loopback setup");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int rc = 0;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		rc = nsset_fail(e, errno, "reading flags of lo");
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			rc = nsset_fail(e, errno, "bringing lo up");
	}
	close(s);
	return rc;
}

int nsset_hide_store(const char *store_path, struct nsset_err *e)
{
	/* EINVAL: not a mount point here (already detached), fine. */
	if (umount2(store_path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return nsset_fail(e, errno, "%s: detaching the store", store_path);
	struct stat st;
	if (stat(store_path, &st) < 0)
		return errno == ENOENT ? 0 : nsset_fail(e, errno, "%s: stat", store_path);
	if (mount("nsset-hidden", store_path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0500,size=4k,nr_inodes=1") < 0)
		return nsset_fail(e, errno, "%s: covering the store", store_path);
	return 0;
}

static int mount_tmpfs(const char *target, const char *size, struct nsset_err *e)
{
	char opts[64];
	if (size && *size)
		snprintf(opts, sizeof(opts), "mode=1777,size=%s", size);
	else
		snprintf(opts, sizeof(opts), "mode=1777");
	struct stat st;
	if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
		return errno == ENOENT ? 0 : nsset_fail(e, errno ? errno : ENOTDIR, "%s", target);
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return nsset_fail(e, errno, "mounting tmpfs on %s (%s)", target, opts);
	return 0;
}

int nsset_setup_inside(const struct nsset_meta *m, const char *store_path, struct nsset_err *e)
{
	if (m->ns_flags & CLONE_NEWNS) {
		/* Host mounts (automounted homes, new media) still appear;
		 * nothing mounted in here reaches the host. */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			return nsset_fail(e, errno, "making / a slave mount");
		if (nsset_hide_store(store_path, e) < 0)
			return -1;
		if (m->ns_flags & CLONE_NEWPID) {
			/* Mounted by a process inside the new pid namespace, so
			 * it shows that namespace. */
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				return nsset_fail(e, errno, "mounting /proc");
		}
		if (m->tmp_private) {
			if (mount_tmpfs("/tmp", m->tmp_size, e) < 0 ||
			    mount_tmpfs("/var/tmp", m->tmp_size, e) < 0)
				return -1;
		}
		if (m->ns_flags & CLONE_NEWIPC) {
			if (mount_tmpfs("/dev/shm", NULL, e) < 0)
				return -1;
			struct stat st;
			if (stat("/dev/mqueue", &st) == 0 && S_ISDIR(st.st_mode) &&
			    mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				return nsset_fail(e, errno, "mounting /dev/mqueue");
		}
	}
	if ((m->ns_flags & CLONE_NEWNET) && nsset_loopback_up(e) < 0)
		return -1;
	if ((m->ns_flags & CLONE_NEWUTS) && m->hostname[0] &&
	    sethostname(m->hostname, strlen(m->hostname)) < 0)
		return nsset_fail(e, errno, "setting hostname '%s'", m->hostname);
	return 0;
}
