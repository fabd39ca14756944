/* nsset-holder: the per-set root process started by pam_nsset.so and
 * nsset-enter (never by users). argv: STORE_PATH SET_DESCRIPTION; fd 3: the
 * status pipe back to the starter. See lib/holder.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "holder.h"

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
	if (argc != 3 || geteuid() != 0 || getuid() != 0 || fstat(3, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "nsset-holder: internal program of nsset, started by pam_nsset.so "
				"and nsset-enter only\n");
		return 2;
	}
	struct nsset_log log = { .write = log_syslog };
	return nsset_holder_main(argv[1], argv[2], 3, &log);
}
