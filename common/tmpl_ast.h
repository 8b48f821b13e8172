/* tmpl_ast: the compiled form of a template, shared by the parser and the evaluator. */
#ifndef ASCBELL_TMPL_AST_H
#define ASCBELL_TMPL_AST_H

#include <jv.h>
#include <stddef.h>

enum node_kind {
	N_LITERAL, /* value */
	N_VAR,     /* name */
	N_MEMBER,  /* a.name */
	N_INDEX,   /* a[b] */
	N_CALL,    /* a.method(b) */
	N_NOT,     /* !a */
	N_NEGATE,  /* -a */
	N_AND,     /* a && b */
	N_OR,      /* a || b */
	N_TERNARY, /* a ? b : c */
	N_EQ, N_NE, N_STRICT_EQ, N_STRICT_NE,
	N_LT, N_GT, N_LE, N_GE,
	N_ADD      /* a + b */
};

enum method { M_INCLUDES, M_STARTS_WITH, M_ENDS_WITH, M_TO_UPPER, M_TO_LOWER, M_TRIM };

struct node {
	enum node_kind kind;
	int a, b, c;   /* children, as indexes into tmpl.nodes; -1 when absent */
	jv value;      /* N_LITERAL */
	char *name;    /* N_VAR, N_MEMBER */
	enum method method;
};

/* Literal text, or an expression to render in its place. */
struct part {
	char *text;
	size_t len;
	int expr; /* node index, or -1 for text */
};

struct tmpl {
	enum { T_TEXT, T_CONDITION } mode;
	struct node *nodes;
	size_t node_count;
	struct part *parts; /* T_TEXT */
	size_t part_count;
	int root;           /* T_CONDITION: the expression, -1 when empty */
};

#endif
