/* logsink_stderr_is_connection: fd 2 shared with fd 1 is the connection (inetd), unless it
 * is the journal stream systemd names in $JOURNAL_STREAM (a service whose standard output
 * and error both go to the journal). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logsink.h"
#include "tap.h"

int main(void)
{
	int sv[2], out, err, plain, named, other, garbage;
	struct stat st;
	char value[64];

	fflush(stdout);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	if (out < 0 || err < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || fstat(sv[0], &st) != 0)
		return 99;
	/* fds 1 and 2 the same Unix socket, as inetd's connection or systemd's journal stream. */
	dup2(sv[0], STDOUT_FILENO);
	dup2(sv[0], STDERR_FILENO);
	unsetenv("JOURNAL_STREAM");
	plain = logsink_stderr_is_connection();
	snprintf(value, sizeof value, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", value, 1);
	named = logsink_stderr_is_connection();
	snprintf(value, sizeof value, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", value, 1);
	other = logsink_stderr_is_connection();
	snprintf(value, sizeof value, "%llu:%llux", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", value, 1);
	garbage = logsink_stderr_is_connection();
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);

	TAP_CHECK(plain == 1, "fd 2 the same socket as fd 1: the connection");
	TAP_CHECK(named == 0, "that socket named by JOURNAL_STREAM: the journal, a log");
	TAP_CHECK(other == 1, "JOURNAL_STREAM naming another inode: still the connection");
	TAP_CHECK(garbage == 1, "JOURNAL_STREAM with trailing bytes: not trusted");
	return tap_done();
}
