/* jqprog: a user's jq program (--jq, --jq-file), compiled once, run on each value.
 * Compiling costs libjq 1.6 about 25 ms, so nothing here runs unless a program is given. */
#ifndef ASCBELL_JQPROG_H
#define ASCBELL_JQPROG_H

#include <jq.h>
#include <stdio.h>

/* Compiles program; on a syntax error prints jq's own messages and exits EX_USAGE. */
jq_state *jqprog_compile(const char *program);

/* Compiles the program in a file (at most 1 MiB); EX_NOINPUT when it cannot be read. */
jq_state *jqprog_compile_file(const char *path);

/* Runs the program on input (consumed), writing each output as a JSON line.
 * Returns 0, EX_DATAERR when the program raised an error, EX_IOERR on a write error. */
int jqprog_run(jq_state *jq, jv input, FILE *out);

void jqprog_free(jq_state *jq);

#endif
