/* nsset-holder: the per-set root process started by pam_nsset.so and
 * nsset-enter (never by users). argv: STORE_PATH [SETNAME]; stdin: the set
 * description (meta format); fd 3: the status pipe back to the starter. See
 * lib/holder.h. SETNAME is only room for the process title (proctitle.h):
 * the name comes from the description. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "cleanroom.h"
#include "holder.h"
#include "proctitle.h"
#include "util.h"

static void log_syslog(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

int main(int argc, char **argv)
{
	/* Before anything reads the clock: the kernel keeps a starter's
	 * PR_TSC_SIGSEGV across exec. The rest of the clean room follows. */
	prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
	openlog("nsset-holder", LOG_PID, LOG_AUTHPRIV);
	/* Started with a fixed environment by a root process; refuse to be
	 * anything else's tool. */
	struct stat st;
	if (argc < 2 || argc > 3 || geteuid() != 0 || getuid() != 0 || fstat(3, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "nsset-holder: internal program of nsset, started by pam_nsset.so "
				"and nsset-enter only\n");
		return 2;
	}
	/* Our own copy of the store path: the holder writes its title
	 * ("nsset-holder user/1000") over argv's strings once it knows the
	 * set (proctitle.h). */
	char store[PATH_MAX];
	if (strlen(argv[1]) >= sizeof(store))
		return 2;
	snprintf(store, sizeof(store), "%s", argv[1]);
	nsset_proctitle_init(argc, argv);
	/* The clean room (lib/cleanroom.h): our own credentials, limits,
	 * scheduling and the rest, then the host's namespaces. A failure is
	 * reported through the status pipe by the holder proper below, so
	 * that the login learns why. */
	struct nsset_err early = { 0 };
	int clean = nsset_cleanroom_enter(store, &early);
	/* Leave the starter: the process it started exits now, so that the
	 * holder is not its child (lib/spawn.c starts us by posix_spawn),
	 * and lead a session of our own, as when the starter forked twice.
	 * The fork also puts us in the host's pid and time namespaces, which
	 * setns() gives only to children. */
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return 2;
	if (clean == 0)
		clean = nsset_cleanroom_settle(store, &early);
	/* The set description: stdin, up to EOF. */
	char meta[4096];
	ssize_t n = read_full(0, meta, sizeof(meta) - 1);
	if (n <= 0 || n == (ssize_t)sizeof(meta) - 1) {
		fprintf(stderr, "nsset-holder: no or oversized set description on stdin\n");
		return 2;
	}
	meta[n] = '\0';
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0)
		return 2;
	close(null);
	struct nsset_log log = { .write = log_syslog };
	return nsset_holder_main(store, meta, 3, &log, clean < 0 ? &early : NULL);
}
