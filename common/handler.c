/* handler: running the program that handles a request. */
#include "handler.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define HANDLER_OUTCOME_FD_TEXT STRINGIFY(HANDLER_OUTCOME_FD)
#define HANDLER_EVENT_FD_TEXT STRINGIFY(HANDLER_EVENT_FD)

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

/* The first line of the outcome file, when it is one lowercase word. */
static void read_outcome(int fd, char out[HANDLER_OUTCOME_SIZE])
{
	char text[HANDLER_OUTCOME_SIZE + 1];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	size_t len;

	out[0] = '\0';
	if (n <= 0)
		return;
	text[n] = '\0';
	len = strspn(text, "abcdefghijklmnopqrstuvwxyz");
	if (len == 0 || len >= HANDLER_OUTCOME_SIZE || (text[len] != '\n' && text[len] != '\0'))
		return;
	memcpy(out, text, len);
	out[len] = '\0';
}

/* The first line of the event file, or NULL. */
static char *read_event(int fd)
{
	struct stat st;
	size_t used = 0, size;
	char *text, *nl;

	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return NULL;
	size = (size_t)st.st_size < HANDLER_EVENT_MAX ? (size_t)st.st_size : HANDLER_EVENT_MAX;
	text = xmalloc(size + 1);
	while (used < size) {
		ssize_t n = pread(fd, text + used, size - used, (off_t)used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	text[used] = '\0';
	if ((nl = memchr(text, '\n', used)))
		*nl = '\0';
	if (!text[0]) {
		free(text);
		return NULL;
	}
	return xrealloc(text, strlen(text) + 1);
}

/* Puts fd on target in the child, without close-on-exec (dup2 onto itself would keep it). */
static int hand_over(int fd, int target)
{
	return fd == target ? fcntl(fd, F_SETFD, 0) : dup2(fd, target);
}

int handler_run(char *const argv[], const char *body, size_t len, double timeout, int want_event,
		struct handler_result *result)
{
	sigset_t chld, old;
	double deadline;
	int input = body_file(body, len), status, outcome, event = -1;
	pid_t pid;

	memset(result, 0, sizeof *result);
	if (input < 0)
		return -1;
	/* A file, not a pipe, for the same reason as the body: nothing the handler writes
	 * there can block it, and it is read once the handler is done. */
	outcome = memfd_create("ascbell-outcome", MFD_CLOEXEC);
	if (outcome < 0) {
		close(input);
		return -1;
	}
	setenv("ASCBELL_OUTCOME_FD", HANDLER_OUTCOME_FD_TEXT, 1);
	if (want_event && (event = memfd_create("ascbell-event", MFD_CLOEXEC)) < 0) {
		close(input);
		close(outcome);
		return -1;
	}
	if (event >= 0)
		setenv("ASCBELL_EVENT_FD", HANDLER_EVENT_FD_TEXT, 1);
	else
		unsetenv("ASCBELL_EVENT_FD");
	/* SIGCHLD stays blocked so sigtimedwait can wait for it with a timeout. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = fork();
	if (pid < 0) {
		close(input);
		close(outcome);
		if (event >= 0)
			close(event);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		if (dup2(input, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(71);
		/* Neither may sit on the other's number when it is put in place. */
		if (outcome == HANDLER_EVENT_FD && (outcome = fcntl(outcome, F_DUPFD_CLOEXEC, 10)) < 0)
			_exit(71);
		if (event == HANDLER_OUTCOME_FD && (event = fcntl(event, F_DUPFD_CLOEXEC, 10)) < 0)
			_exit(71);
		if (hand_over(outcome, HANDLER_OUTCOME_FD) < 0 ||
		    (event >= 0 && hand_over(event, HANDLER_EVENT_FD) < 0))
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
	read_outcome(outcome, result->outcome);
	close(outcome);
	if (event >= 0) {
		result->event = read_event(event);
		close(event);
	}
	if (WIFEXITED(status))
		result->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		result->signal = WTERMSIG(status);
	return 0;
}
