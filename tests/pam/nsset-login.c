/*
 * nsset-login — a tiny "login" for the PAM tests.
 *
 *   nsset-login [-c CONFDIR] [-s SERVICE] [-n] [-q] USER [CMD ARGS...]
 *
 * Runs the PAM account and session stacks of SERVICE (default "nsset-test",
 * read from CONFDIR, default /etc/pam.d) for USER, then forks a child that
 * becomes USER the way login(1) does (initgroups, setgid, setuid, verified;
 * -n keeps root), changes to the home directory and execs CMD (default
 * /bin/sh) with a minimal environment plus the PAM environment.  The parent
 * waits for that child only, closes the session and exits with the child's
 * status (128+N when it was killed by signal N).
 *
 * No authentication and no pam_setcred: the tests exercise account/session.
 * A missing CONFDIR/SERVICE file is an error here (libpam would silently fall
 * back to CONFDIR/other, which would make a forgotten service file pass).
 *
 * Exit status: the child's; 2 usage; 1 pam_start or another internal error;
 * 10 account refused; 11 open_session failed; 12 close_session failed;
 * 126 the child could not become USER; 127 CMD could not be executed.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define EXIT_INTERNAL 1
#define EXIT_USAGE 2
#define EXIT_ACCOUNT 10
#define EXIT_OPEN 11
#define EXIT_CLOSE 12
#define EXIT_DROP 126
#define EXIT_EXEC 127

static int conv(int num_msg, const struct pam_message **msg,
		struct pam_response **resp, void *appdata)
{
	struct pam_response *r;
	int i;

	(void)appdata;
	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		switch (msg[i]->msg_style) {
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			fprintf(stderr, "%s\n", msg[i]->msg ? msg[i]->msg : "");
			break;
		default:
			/* No prompts: this driver does no authentication. */
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nsset-login [-c CONFDIR] [-s SERVICE] [-n] [-q] USER [CMD ARGS...]\n"
		"  -c CONFDIR  PAM service directory (default /etc/pam.d)\n"
		"  -s SERVICE  PAM service name (default nsset-test)\n"
		"  -n          do not drop to USER: run CMD as root\n"
		"  -q          pass PAM_SILENT to the stacks\n");
	exit(EXIT_USAGE);
}

static int set_env(const char *name, const char *value)
{
	if (setenv(name, value, 1) != 0) {
		fprintf(stderr, "nsset-login: setenv %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* In the child: become the user, set up the environment, exec CMD.
 * Never returns. */
static void run_child(pam_handle_t *pamh, const struct passwd *pw,
		      int keep_root, char **cmd)
{
	static char *default_cmd[] = { "/bin/sh", NULL };
	char **pam_env;
	char **e;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);

	if (!keep_root) {
		/* Order as login does: supplementary groups and gid while we are
		 * still root, uid last; then check that root cannot come back. */
		if (initgroups(pw->pw_name, pw->pw_gid) != 0) {
			fprintf(stderr, "nsset-login: initgroups: %s\n", strerror(errno));
			_exit(EXIT_DROP);
		}
		if (setgid(pw->pw_gid) != 0) {
			fprintf(stderr, "nsset-login: setgid: %s\n", strerror(errno));
			_exit(EXIT_DROP);
		}
		if (setuid(pw->pw_uid) != 0) {
			fprintf(stderr, "nsset-login: setuid: %s\n", strerror(errno));
			_exit(EXIT_DROP);
		}
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
		    getgid() != pw->pw_gid || getegid() != pw->pw_gid ||
		    (pw->pw_uid != 0 && setuid(0) == 0)) {
			fprintf(stderr, "nsset-login: could not drop privileges to %s\n",
				pw->pw_name);
			_exit(EXIT_DROP);
		}
	}

	if (pw->pw_dir == NULL || chdir(pw->pw_dir) != 0) {
		if (chdir("/") != 0) {
			fprintf(stderr, "nsset-login: chdir /: %s\n", strerror(errno));
			_exit(EXIT_DROP);
		}
	}

	/* Minimal environment, then what the PAM stack exported (as login and
	 * sshd do: pam_env, pam_systemd, ... put their variables there). */
	pam_env = pam_getenvlist(pamh);
	if (clearenv() != 0 ||
	    set_env("HOME", pw->pw_dir ? pw->pw_dir : "/") != 0 ||
	    set_env("USER", pw->pw_name) != 0 ||
	    set_env("LOGNAME", pw->pw_name) != 0 ||
	    set_env("SHELL", pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh") != 0 ||
	    set_env("PATH", "/usr/bin:/bin") != 0)
		_exit(EXIT_INTERNAL);
	for (e = pam_env; e != NULL && *e != NULL; e++) {
		if (putenv(*e) != 0) {
			fprintf(stderr, "nsset-login: putenv: %s\n", strerror(errno));
			_exit(EXIT_INTERNAL);
		}
	}

	if (cmd == NULL || cmd[0] == NULL)
		cmd = default_cmd;
	execvp(cmd[0], cmd);
	fprintf(stderr, "nsset-login: exec %s: %s\n", cmd[0], strerror(errno));
	_exit(EXIT_EXEC);
}

int main(int argc, char **argv)
{
	const char *confdir = "/etc/pam.d";
	const char *service = "nsset-test";
	const struct pam_conv pconv = { conv, NULL };
	pam_handle_t *pamh = NULL;
	const void *item = NULL;
	struct passwd *pw;
	char path[PATH_MAX];
	struct stat st;
	int keep_root = 0;
	int flags = 0;
	int status = 0;
	int rc;
	pid_t pid;
	int c;

	while ((c = getopt(argc, argv, "+c:s:nqh")) != -1) {
		switch (c) {
		case 'c':
			confdir = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'n':
			keep_root = 1;
			break;
		case 'q':
			flags |= PAM_SILENT;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", confdir, service) >= sizeof(path) ||
	    stat(path, &st) != 0) {
		fprintf(stderr, "nsset-login: no PAM service file %s/%s\n", confdir, service);
		return EXIT_USAGE;
	}

	rc = pam_start_confdir(service, argv[optind], &pconv, confdir, &pamh);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "nsset-login: pam_start: %s\n", pam_strerror(pamh, rc));
		return EXIT_INTERNAL;
	}

	rc = pam_acct_mgmt(pamh, flags);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "nsset-login: account: %s\n", pam_strerror(pamh, rc));
		pam_end(pamh, rc);
		return EXIT_ACCOUNT;
	}

	rc = pam_open_session(pamh, flags);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "nsset-login: open_session: %s\n", pam_strerror(pamh, rc));
		pam_end(pamh, rc);
		return EXIT_OPEN;
	}

	/* A module may have changed PAM_USER: become the user PAM settled on. */
	rc = pam_get_item(pamh, PAM_USER, &item);
	if (rc != PAM_SUCCESS || item == NULL) {
		fprintf(stderr, "nsset-login: no PAM_USER after open_session\n");
		status = EXIT_INTERNAL;
		goto close;
	}
	pw = getpwnam((const char *)item);
	if (pw == NULL) {
		fprintf(stderr, "nsset-login: unknown user %s\n", (const char *)item);
		status = EXIT_INTERNAL;
		goto close;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "nsset-login: fork: %s\n", strerror(errno));
		status = EXIT_INTERNAL;
		goto close;
	}
	if (pid == 0)
		run_child(pamh, pw, keep_root, argv + optind + 1);

	for (;;) {
		pid_t w = waitpid(pid, &status, 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "nsset-login: waitpid: %s\n", strerror(errno));
			status = EXIT_INTERNAL << 8;
			break;
		}
	}
	if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	else
		status = EXIT_INTERNAL;

close:
	rc = pam_close_session(pamh, flags);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "nsset-login: close_session: %s\n", pam_strerror(pamh, rc));
		pam_end(pamh, rc);
		return EXIT_CLOSE;
	}
	pam_end(pamh, PAM_SUCCESS);
	return status;
}
