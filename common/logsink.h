/* logsink: where a program's messages go when standard error cannot take them. Under
 * xinetd (and inetd, and systemd's StandardError=socket) fd 2 is the client's connection:
 * a log line written there reaches the client before or after the answer and breaks it.
 * Such a program points fd 2 somewhere else once, at start, and everything that writes to
 * fd 2 (its own messages, the programs it runs) follows. */
#ifndef ASCBELL_LOGSINK_H
#define ASCBELL_LOGSINK_H

/* Whether fd 2 is the connection: the same socket as fd 0 or fd 1, or any internet socket
 * (a log is never one; journald's stream is a Unix socket and stays a log, and so does the
 * one $JOURNAL_STREAM names, even when fd 1 is the same stream). */
int logsink_stderr_is_connection(void);

/* Appends fd 2's lines to path (O_APPEND, made with mode 0640 when missing). Returns 0, or
 * -1 with errno set, fd 2 untouched. */
int logsink_to_file(const char *path);

/* Sends fd 2's lines to syslog (facility daemon, the given ident), through a small relay
 * process that holds nothing of the connection and ends when the last writer closes:
 * the handler's lines arrive too, one message per line, at priority err for "error:"
 * lines, warning for "warning:" lines, info otherwise. Returns 0, or -1 with errno set. */
int logsink_to_syslog(const char *ident);

#endif
