// nsenter.c: joins namespaces before the Go runtime starts.
//
// A Go program is multithreaded from its first instruction, and the kernel
// refuses setns(2) into a mount or user namespace for a process with more
// than one thread (EINVAL). A constructor runs in the new program image
// before the Go runtime creates any thread, so this is the one place where a
// Go binary can still join those namespaces. runc does the same in
// libcontainer/nsenter/nsexec.c.
//
// The constructor does nothing unless _DEFERIO_NSENTER is set. Its value is
// a comma separated list of TYPE:PATH pairs, joined in order (the runtime
// puts the user namespace first). Other variables:
//
//   _DEFERIO_NSENTER_SYNC=FD    read one byte from FD before joining (the
//                               parent puts the process in its cgroup
//                               first); EOF means "give up" and exits 1.
//   _DEFERIO_NSENTER_REPORT=FD  where to report: "pid N\n" after the fork,
//                               or "error TEXT\n" before exiting 1.
//   _DEFERIO_NSENTER_FORK=1     fork after joining. setns into a PID
//                               namespace only moves future children, so
//                               the child continues into the Go runtime
//                               inside every namespace, while this process
//                               stays outside, forwards signals to the
//                               child and exits with the child's status.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_NS 16

static int report_fd = -1;
static volatile pid_t child_pid = 0;

static void bail(const char *fmt, ...)
{
	char msg[512];
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char line[700];
	int n;
	if (saved != 0)
		n = snprintf(line, sizeof(line), "error nsenter: %s: %s\n", msg, strerror(saved));
	else
		n = snprintf(line, sizeof(line), "error nsenter: %s\n", msg);
	if (n > (int)sizeof(line))
		n = sizeof(line);
	if (report_fd >= 0 && write(report_fd, line, n) < 0) {
		/* nothing more can be done */
	}
	if (write(2, line + 6, n - 6) < 0) {
		/* nothing more can be done */
	}
	_exit(1);
}

static int env_fd(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return -1;
	char *end;
	long fd = strtol(v, &end, 10);
	if (*end != '\0' || fd < 0 || fd > 1 << 20) {
		errno = 0;
		bail("%s=%s is not a file descriptor", name, v);
	}
	return (int)fd;
}

static int ns_flag(const char *type)
{
	static const struct {
		const char *name;
		int flag;
	} types[] = {
		{"user", CLONE_NEWUSER}, {"mount", CLONE_NEWNS}, {"pid", CLONE_NEWPID},
		{"network", CLONE_NEWNET}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
		{"cgroup", CLONE_NEWCGROUP},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			return types[i].flag;
	return -1;
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void wait_and_exit(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	for (int sig = 1; sig < 32; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
			continue;
		sigaction(sig, &sa, NULL);
	}
	int status;
	for (;;) {
		pid_t got = waitpid(child_pid, &status, 0);
		if (got == child_pid)
			break;
		if (got < 0 && errno != EINTR)
			_exit(1);
	}
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(1);
}

void deferio_nsenter(void)
{
	const char *spec = getenv("_DEFERIO_NSENTER");
	if (spec == NULL)
		return;
	report_fd = env_fd("_DEFERIO_NSENTER_REPORT");
	int sync_fd = env_fd("_DEFERIO_NSENTER_SYNC");
	const char *fork_env = getenv("_DEFERIO_NSENTER_FORK");
	int do_fork = fork_env != NULL && strcmp(fork_env, "1") == 0;

	if (sync_fd >= 0) {
		char b;
		ssize_t n;
		do {
			n = read(sync_fd, &b, 1);
		} while (n < 0 && errno == EINTR);
		if (n != 1) {
			errno = n < 0 ? errno : 0;
			bail("the runtime went away before letting this process join its namespaces");
		}
	}

	/* Open every namespace first: once the mount namespace changes, host
	 * paths such as /proc/PID/ns/net may no longer resolve. */
	char buf[4096];
	if (strlen(spec) >= sizeof(buf)) {
		errno = 0;
		bail("_DEFERIO_NSENTER is too long");
	}
	strcpy(buf, spec);
	int fds[MAX_NS], flags[MAX_NS], n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		if (colon == NULL) {
			errno = 0;
			bail("namespace %s is not TYPE:PATH", tok);
		}
		*colon = '\0';
		if (n == MAX_NS) {
			errno = 0;
			bail("more than %d namespaces to join", MAX_NS);
		}
		flags[n] = ns_flag(tok);
		if (flags[n] < 0) {
			errno = 0;
			bail("unknown namespace type %s", tok);
		}
		fds[n] = open(colon + 1, O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			bail("unable to open %s namespace %s", tok, colon + 1);
		n++;
	}
	for (int i = 0; i < n; i++) {
		if (setns(fds[i], flags[i]) < 0)
			bail("unable to join namespace %d of %d (flag %#x)", i + 1, n, flags[i]);
		close(fds[i]);
	}
	if (!do_fork) {
		if (report_fd >= 0)
			close(report_fd);
		return;
	}
	pid_t pid = fork();
	if (pid < 0)
		bail("unable to fork into the joined PID namespace");
	if (pid == 0) {
		/* The child: continue into the Go runtime. */
		if (report_fd >= 0)
			close(report_fd);
		return;
	}
	child_pid = pid;
	if (report_fd >= 0) {
		char line[64];
		int len = snprintf(line, sizeof(line), "pid %d\n", (int)pid);
		if (write(report_fd, line, len) < 0) {
			/* the runtime reads the pid from the process tree then */
		}
		close(report_fd);
	}
	wait_and_exit();
}
