/* handler: running the program that handles a request. */
#include "handler.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* The body goes through an anonymous file, not a pipe: a handler that does not read its
 * input can never block us, and the size is known to it. */
static int body_file(const char *body, size_t len)
{
	int fd = memfd_create("ascbell-body", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, body + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int handler_run(char *const argv[], const char *body, size_t len, double timeout,
		struct handler_result *result)
{
	sigset_t chld, old;
	double deadline;
	int input = body_file(body, len), status;
	pid_t pid;

	memset(result, 0, sizeof *result);
	if (input < 0)
		return -1;
	/* SIGCHLD stays blocked so sigtimedwait can wait for it with a timeout. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = fork();
	if (pid < 0) {
		close(input);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		if (dup2(input, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(71);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid); /* also here, so the kill below cannot miss it */
	close(input);

	deadline = monotonic_seconds() + timeout;
	for (;;) {
		double left;
		struct timespec wait;
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid)
			break;
		left = deadline - monotonic_seconds();
		if (left <= 0) {
			/* The whole group: the handler's own children (a pipeline) too. */
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			result->timed_out = 1;
			break;
		}
		wait.tv_sec = (time_t)left;
		wait.tv_nsec = (long)((left - (double)wait.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &wait);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFEXITED(status))
		result->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		result->signal = WTERMSIG(status);
	return 0;
}
