/* reqenv: per-request environment variables that can be taken back. glibc's setenv keeps
 * every distinct "NAME=value" it ever made (a later setenv may hand out the same string),
 * so a process that serves request after request (asc-http --listen) would grow with each
 * signature, port and spool name it sets for its handler. Here the strings are our own,
 * given to putenv, and reqenv_restore() puts back what was there before and frees them. */
#ifndef ASCBELL_REQENV_H
#define ASCBELL_REQENV_H

/* Sets name=value until the next reqenv_restore(). Returns 0, or -1 (out of memory). */
int reqenv_set(const char *name, const char *value);

/* Removes name until the next reqenv_restore(). */
void reqenv_unset(const char *name);

/* Puts back every variable set or removed since the last call, newest first, and frees the
 * strings made for them. */
void reqenv_restore(void);

#endif
