/* nsset-sec-probe: looks at the process it runs in, for the security tests
 * of nsset-enter (tests/security/t_*.sh). Run it as the program that
 * nsset-enter finally starts (`nsset-enter -- nsset-sec-probe WHAT`).
 *
 *   creds        "uid=R,E,S gid=R,E,S groups=G,.. caps=INH,PRM,EFF,AMB bnd=B nnp=N"
 *                then tries to regain root (setuid, setresuid, seteuid,
 *                setgid, setresgid, setgroups, setfsuid) and prints
 *                "regain: none" or "regain: REGAINED <how>"
 *   fds          one line per open fd (not the one used to list them):
 *                "N TARGET"
 *   signals      "blocked=HEX ignored=HEX" from /proc/self/status
 *   ptrace PID   tries PTRACE_ATTACH, PTRACE_SEIZE, opening /proc/PID/mem
 *                and /proc/PID/environ, then sends SIGSTOP, SIGTERM and
 *                SIGKILL (for real), one word per attempt: "attach=EPERM
 *                seize=EPERM mem=EACCES environ=EACCES stop=EPERM term=EPERM
 *                kill=EPERM" (OK where it worked)
 *   limits       "NAME=SOFT:HARD ..." for core fsize nofile nproc as
 *   umask        the umask, octal
 *
 * Exit 0, or 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static void status_field(const char *name, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[512];
	size_t len = strlen(name);
	snprintf(out, size, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			char *v = line + len + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, size, "%s", v);
			break;
		}
	}
	fclose(f);
}

static int creds(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	printf("uid=%u,%u,%u gid=%u,%u,%u groups=", r, e, s, rg, eg, sg);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	char inh[64], prm[64], eff[64], amb[64], bnd[64], nnp[16];
	status_field("CapInh", inh, sizeof(inh));
	status_field("CapPrm", prm, sizeof(prm));
	status_field("CapEff", eff, sizeof(eff));
	status_field("CapAmb", amb, sizeof(amb));
	status_field("CapBnd", bnd, sizeof(bnd));
	status_field("NoNewPrivs", nnp, sizeof(nnp));
	printf(" caps=%s,%s,%s,%s bnd=%s nnp=%s\n", inh, prm, eff, amb, bnd, nnp);

	/* Each attempt on its own: any success is a failure of the drop. */
	const char *how = NULL;
	if (setuid(0) == 0)
		how = "setuid(0)";
	else if (setresuid(0, 0, 0) == 0)
		how = "setresuid(0,0,0)";
	else if (setresuid((uid_t)-1, 0, (uid_t)-1) == 0)
		how = "setresuid(-1,0,-1)";
	else if (seteuid(0) == 0)
		how = "seteuid(0)";
	else if (setreuid(0, 0) == 0)
		how = "setreuid(0,0)";
	else if (setgid(0) == 0)
		how = "setgid(0)";
	else if (setresgid(0, 0, 0) == 0)
		how = "setresgid(0,0,0)";
	else if (setegid(0) == 0)
		how = "setegid(0)";
	else if (setgroups(1, (gid_t[]){ 0 }) == 0)
		how = "setgroups({0})";
	else if (setgroups(0, NULL) == 0 && n > 0)
		how = "setgroups({})";
	else {
		setfsuid(0);
		if ((uid_t)setfsuid((uid_t)-1) == 0)
			how = "setfsuid(0)";
	}
	if (!how && getuid() && (geteuid() == 0 || getegid() == 0))
		how = "ids";
	printf("regain: %s%s\n", how ? "REGAINED " : "none", how ? how : "");
	return 0;
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 1;
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd == self)
			continue;
		char path[64], target[PATH_MAX];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

static int signals(void)
{
	char blk[64], ign[64];
	status_field("SigBlk", blk, sizeof(blk));
	status_field("SigIgn", ign, sizeof(ign));
	printf("blocked=%s ignored=%s\n", blk, ign);
	return 0;
}

static const char *err_word(int rc)
{
	if (rc == 0)
		return "OK";
	switch (errno) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ESRCH: return "ESRCH";
	default: return strerror(errno);
	}
}

static int try_ptrace(pid_t pid)
{
	int rc = (int)ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	printf("attach=%s", err_word(rc));
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	rc = (int)ptrace(PTRACE_SEIZE, pid, NULL, NULL);
	printf(" seize=%s", err_word(rc));
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY);
	printf(" mem=%s", err_word(fd < 0 ? -1 : 0));
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY);
	char c;
	printf(" environ=%s", err_word(fd < 0 ? -1 : (read(fd, &c, 1) < 0 ? -1 : 0)));
	if (fd >= 0)
		close(fd);
	rc = kill(pid, SIGSTOP);
	printf(" stop=%s", err_word(rc));
	if (rc == 0)
		kill(pid, SIGCONT);
	printf(" term=%s", err_word(kill(pid, SIGTERM)));
	printf(" kill=%s", err_word(kill(pid, SIGKILL)));
	printf("\n");
	return 0;
}

static int limits(void)
{
	static const struct { const char *name; int res; } l[] = {
		{ "core", RLIMIT_CORE }, { "fsize", RLIMIT_FSIZE }, { "nofile", RLIMIT_NOFILE },
		{ "nproc", RLIMIT_NPROC }, { "as", RLIMIT_AS }, { "stack", RLIMIT_STACK },
	};
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		struct rlimit r;
		getrlimit(l[i].res, &r);
		printf("%s%s=", i ? " " : "", l[i].name);
		if (r.rlim_cur == RLIM_INFINITY) printf("unlimited"); else printf("%llu", (unsigned long long)r.rlim_cur);
		printf(":");
		if (r.rlim_max == RLIM_INFINITY) printf("unlimited"); else printf("%llu", (unsigned long long)r.rlim_max);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "creds") == 0)
		return creds();
	if (argc >= 2 && strcmp(argv[1], "fds") == 0)
		return fds();
	if (argc >= 2 && strcmp(argv[1], "signals") == 0)
		return signals();
	if (argc >= 3 && strcmp(argv[1], "ptrace") == 0)
		return try_ptrace((pid_t)atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "limits") == 0)
		return limits();
	if (argc >= 2 && strcmp(argv[1], "umask") == 0) {
		mode_t m = umask(0);
		printf("%04o\n", (unsigned)m);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "tsc") == 0) {
		/* PR_TSC_ENABLE (1) or PR_TSC_SIGSEGV (2): kept across fork
		 * and exec, so a hook shows what its holder has. */
		int v = 0;
		if (prctl(PR_GET_TSC, &v) < 0) {
			/* No TSC control on this architecture (UML, arm64). */
			printf("tsc=none\n");
			return errno == EINVAL ? 0 : 1;
		}
		printf("tsc=%d\n", v);
		return 0;
	}
	fprintf(stderr, "usage: nsset-sec-probe creds|fds|signals|ptrace PID|limits|umask|tsc\n");
	return 2;
}
