/* logsink: fd 2 away from the connection. */
#include "logsink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

static int same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* systemd names the journal stream it connected fd 2 to in $JOURNAL_STREAM ("DEVICE:INODE").
 * With StandardOutput= and StandardError= both the journal (a long-running asc-http's
 * service), fds 1 and 2 are one and the same socket, which would look like a connection. */
static int is_journal_stream(const struct stat *st)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char extra;

	if (!v || sscanf(v, "%llu:%llu%c", &dev, &ino, &extra) != 2)
		return 0;
	return (unsigned long long)st->st_dev == dev && (unsigned long long)st->st_ino == ino;
}

int logsink_stderr_is_connection(void)
{
	struct stat st;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (fstat(STDERR_FILENO, &st) != 0 || !S_ISSOCK(st.st_mode) || is_journal_stream(&st))
		return 0;
	if (same_file(STDERR_FILENO, STDIN_FILENO) || same_file(STDERR_FILENO, STDOUT_FILENO))
		return 1;
	return getsockname(STDERR_FILENO, (struct sockaddr *)&ss, &len) == 0 &&
	       (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
}

int logsink_to_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDERR_FILENO) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

static void send_line(char *line, size_t len)
{
	static const char own_prefix[] = "asc-http: ";
	int priority = LOG_INFO;

	line[len] = '\0';
	if (len == 0)
		return;
	if (strstr(line, ": error: "))
		priority = LOG_ERR;
	else if (strstr(line, ": warning: "))
		priority = LOG_WARNING;
	/* syslog puts the ident in front already. */
	if (strncmp(line, own_prefix, sizeof own_prefix - 1) == 0)
		line += sizeof own_prefix - 1;
	syslog(priority, "%s", line);
}

/* Reads lines until every writer has closed; a line longer than the buffer is sent in
 * pieces rather than held. */
static void relay(int input)
{
	char buffer[1024];
	size_t used = 0;

	for (;;) {
		ssize_t n = read(input, buffer + used, sizeof buffer - 1 - used);
		char *newline;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		while ((newline = memchr(buffer, '\n', used)) != NULL) {
			size_t len = (size_t)(newline - buffer);
			send_line(buffer, len);
			memmove(buffer, newline + 1, used - len - 1);
			used -= len + 1;
		}
		if (used == sizeof buffer - 1) {
			send_line(buffer, used);
			used = 0;
		}
	}
	send_line(buffer, used);
}

int logsink_to_syslog(const char *ident)
{
	int fds[2], null;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* The relay keeps nothing but its pipe: holding the connection would keep the
		 * client waiting after the answer. */
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(fds[0], STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0)
			_exit(71);
		close_range(3, ~0U, 0);
		openlog(ident, LOG_NDELAY, LOG_DAEMON);
		relay(STDIN_FILENO);
		closelog();
		_exit(0);
	}
	close(fds[0]);
	if (dup2(fds[1], STDERR_FILENO) < 0) {
		int saved = errno;
		close(fds[1]);
		errno = saved;
		return -1;
	}
	close(fds[1]);
	return 0;
}
