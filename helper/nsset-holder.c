/* nsset-holder: the per-set root process started by pam_nsset.so and
 * nsset-enter (never by users). argv: STORE_PATH; stdin: the set description
 * (meta format); fd 3: the status pipe back to the starter. See lib/holder.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <fcntl.h>
#include <unistd.h>

#include "holder.h"
#include "util.h"

static void log_syslog(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

int main(int argc, char **argv)
{
	openlog("nsset-holder", LOG_PID, LOG_AUTHPRIV);
	/* Started with a fixed environment by a root process; refuse to be
	 * anything else's tool. */
	struct stat st;
	if (argc != 2 || geteuid() != 0 || getuid() != 0 || fstat(3, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "nsset-holder: internal program of nsset, started by pam_nsset.so "
				"and nsset-enter only\n");
		return 2;
	}
	/* Leave the starter: the process it started exits now, so that the
	 * holder is not its child (lib/spawn.c starts us by posix_spawn),
	 * and lead a session of our own, as when the starter forked twice. */
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return 2;
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
	return nsset_holder_main(argv[1], meta, 3, &log);
}
