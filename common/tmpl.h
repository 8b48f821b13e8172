/* tmpl: Echobell's template language. A template is text with {{ expression }} parts; a
 * condition is one bare expression. Both are compiled once (tmpl.c: lexer and parser) and
 * evaluated per event over jv values (tmpl_eval.c), never by substituting strings, so
 * nothing inside an event's values is ever read as a template. */
#ifndef ASCBELL_TMPL_H
#define ASCBELL_TMPL_H

#include <jv.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* Limits on what a template may ask of us. */
#define TMPL_MAX_SOURCE (64 * 1024)   /* bytes of one template */
#define TMPL_MAX_DEPTH 64             /* nesting of one expression */
#define TMPL_MAX_OUTPUT (1024 * 1024) /* bytes one rendering may produce */

struct tmpl;

struct tmpl_error {
	size_t offset;     /* byte offset of the problem in the source */
	int line, column;  /* 1-based; column counts characters */
	char message[160];
};

enum tmpl_mode { TMPL_TEXT, TMPL_CONDITION };

/* Compiles source; NULL with *err filled in on a syntax error. */
struct tmpl *tmpl_compile(const char *source, size_t len, enum tmpl_mode mode,
			  struct tmpl_error *err);
void tmpl_free(struct tmpl *t);

/* Whether the template names a variable for which `is_builtin` says yes (so the caller
 * knows whether to build the time variables at all). */
int tmpl_uses(const struct tmpl *t, int (*is_builtin)(const char *name));

/* Renders a TMPL_TEXT template. vars and builtins are borrowed: a name is looked up in
 * vars first, then builtins. Returns 0, or -1 with a reason in why (out is then empty). */
int tmpl_render(const struct tmpl *t, jv vars, jv builtins, struct buf *out, char *why,
		size_t why_size);

/* Evaluates a TMPL_CONDITION: 1 true, 0 false, -1 with a reason in why. An empty
 * condition is true. */
int tmpl_test(const struct tmpl *t, jv vars, jv builtins, char *why, size_t why_size);

/* Prints the source line of an error with a caret under the spot, indented, on f. */
void tmpl_print_caret(FILE *f, const char *source, size_t len, const struct tmpl_error *err);

#endif
