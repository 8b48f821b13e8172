/* tmpl: the lexer and recursive-descent parser of Echobell's template language.
 *
 * Grammar, lowest precedence first (as in JavaScript):
 *   expr     := or ( "?" expr ":" expr )?
 *   or       := and ( "||" and )*
 *   and      := equality ( "&&" equality )*
 *   equality := relation ( ( "==" | "!=" | "===" | "!==" ) relation )*
 *   relation := sum ( ( "<" | ">" | "<=" | ">=" ) sum )*
 *   sum      := unary ( "+" unary )*
 *   unary    := ( "!" | "-" ) unary | postfix
 *   postfix  := primary ( "." name | "." method "(" args ")" | "[" expr "]" )*
 *   primary  := number | string | true | false | null | undefined | name | "(" expr ")"
 */
#include "tmpl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ast.h"
#include "util.h"
#include "utf8.h"

enum token {
	T_END, T_CLOSE, T_NAME, T_NUMBER, T_STRING, T_DOT, T_LBRACKET, T_RBRACKET, T_LPAREN,
	T_RPAREN, T_COMMA, T_NOT, T_MINUS, T_EQ, T_NE, T_STRICT_EQ, T_STRICT_NE, T_LT, T_GT,
	T_LE, T_GE, T_AND, T_OR, T_PLUS, T_QUESTION, T_COLON
};

struct parser {
	const char *src;
	size_t len, pos;
	enum token tok;
	size_t tok_start;
	struct buf text; /* T_NAME, T_STRING: the decoded text; T_NUMBER: the lexeme */
	struct tmpl *t;
	int depth;
	int failed;
	struct tmpl_error *err;
};

static const struct {
	const char *name;
	enum method method;
	int args;
} methods[] = {
	{"includes", M_INCLUDES, 1},   {"startsWith", M_STARTS_WITH, 1},
	{"endsWith", M_ENDS_WITH, 1},  {"toUpperCase", M_TO_UPPER, 0},
	{"toLowerCase", M_TO_LOWER, 0}, {"trim", M_TRIM, 0},
};

/* Records the first error only: later ones follow from it. Returns -1 for convenience. */
static int fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	if (p->failed)
		return -1;
	p->failed = 1;
	p->err->offset = offset;
	p->err->line = 1;
	p->err->column = 1;
	for (i = 0; i < offset && i < p->len; i++) {
		if (p->src[i] == '\n') {
			p->err->line++;
			p->err->column = 1;
		} else if (((unsigned char)p->src[i] & 0xC0) != 0x80) {
			p->err->column++; /* a character, not a continuation byte */
		}
	}
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- lexer ---- */

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void append_utf8(struct buf *b, unsigned long cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, out, n);
}

static long hex4(const char *s)
{
	long v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A \u escape, with a following low surrogate joined to a high one. Returns the bytes
 * used after the backslash, or 0 when malformed. Lone surrogates become U+FFFD. */
static size_t unicode_escape(struct parser *p, size_t at, struct buf *out)
{
	long hi, lo;

	if (at + 5 > p->len || (hi = hex4(p->src + at + 1)) < 0)
		return 0;
	if (hi >= 0xD800 && hi <= 0xDBFF && at + 11 <= p->len && p->src[at + 5] == '\\' &&
	    p->src[at + 6] == 'u' && (lo = hex4(p->src + at + 7)) >= 0xDC00 && lo <= 0xDFFF) {
		append_utf8(out, 0x10000 + ((unsigned long)(hi - 0xD800) << 10) + (unsigned long)(lo - 0xDC00));
		return 11;
	}
	append_utf8(out, hi >= 0xD800 && hi <= 0xDFFF ? 0xFFFD : (unsigned long)hi);
	return 5;
}

static int lex_string(struct parser *p)
{
	char quote = p->src[p->pos++];

	buf_clear(&p->text);
	for (;;) {
		char c;
		if (p->pos >= p->len || p->src[p->pos] == '\n')
			return fail_at(p, p->tok_start, "unterminated string");
		c = p->src[p->pos];
		if (c == quote) {
			p->pos++;
			return 0;
		}
		if (c != '\\') {
			buf_append(&p->text, &c, 1);
			p->pos++;
			continue;
		}
		if (p->pos + 1 >= p->len)
			return fail_at(p, p->tok_start, "unterminated string");
		c = p->src[p->pos + 1];
		switch (c) {
		case 'n': buf_append(&p->text, "\n", 1); break;
		case 't': buf_append(&p->text, "\t", 1); break;
		case 'r': buf_append(&p->text, "\r", 1); break;
		case 'b': buf_append(&p->text, "\b", 1); break;
		case 'f': buf_append(&p->text, "\f", 1); break;
		case 'u': {
			size_t used = unicode_escape(p, p->pos + 1, &p->text);
			if (!used)
				return fail_at(p, p->pos, "bad \\u escape (four hex digits)");
			p->pos += 1 + used;
			continue;
		}
		case '\n': return fail_at(p, p->pos, "unterminated string");
		default: buf_append(&p->text, &c, 1); /* \" \' \\ and, as in JavaScript, any other */
		}
		p->pos += 2;
	}
}

static void lex_number(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && is_digit(p->src[p->pos]))
		p->pos++;
	if (p->pos + 1 < p->len && p->src[p->pos] == '.' && is_digit(p->src[p->pos + 1]))
		for (p->pos++; p->pos < p->len && is_digit(p->src[p->pos]); p->pos++)
			;
	if (p->pos < p->len && (p->src[p->pos] == 'e' || p->src[p->pos] == 'E')) {
		size_t e = p->pos + 1;
		if (e < p->len && (p->src[e] == '+' || p->src[e] == '-'))
			e++;
		if (e < p->len && is_digit(p->src[e]))
			for (p->pos = e; p->pos < p->len && is_digit(p->src[p->pos]); p->pos++)
				;
	}
	buf_clear(&p->text);
	buf_append(&p->text, p->src + start, p->pos - start);
}

/* The length of the UTF-8 character that starts with lead (the source is valid UTF-8). */
static int char_length(char lead)
{
	unsigned char c = (unsigned char)lead;
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* An operator of one to three characters, longest first. */
static int lex_operator(struct parser *p)
{
	static const struct {
		const char *text;
		enum token tok;
	} ops[] = {
		{"===", T_STRICT_EQ}, {"!==", T_STRICT_NE}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE},
		{">=", T_GE}, {"&&", T_AND}, {"||", T_OR}, {"}}", T_CLOSE}, {".", T_DOT},
		{"[", T_LBRACKET}, {"]", T_RBRACKET}, {"(", T_LPAREN}, {")", T_RPAREN}, {",", T_COMMA},
		{"!", T_NOT}, {"-", T_MINUS}, {"<", T_LT}, {">", T_GT}, {"+", T_PLUS},
		{"?", T_QUESTION}, {":", T_COLON},
	};
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].text);
		if (p->pos + n <= p->len && memcmp(p->src + p->pos, ops[i].text, n) == 0) {
			p->tok = ops[i].tok;
			p->pos += n;
			return 0;
		}
	}
	if (p->src[p->pos] == '=')
		return fail_at(p, p->pos, "'=' is not an operator here (compare with ==)");
	if (p->src[p->pos] == '&' || p->src[p->pos] == '|')
		return fail_at(p, p->pos, "'%c' alone is not an operator (use %c%c)", p->src[p->pos],
			       p->src[p->pos], p->src[p->pos]);
	return fail_at(p, p->pos, "unexpected character '%.*s'", char_length(p->src[p->pos]),
		       p->src + p->pos);
}

static void next(struct parser *p)
{
	if (p->failed)
		return;
	while (p->pos < p->len && strchr(" \t\r\n", p->src[p->pos]))
		p->pos++;
	p->tok_start = p->pos;
	if (p->pos >= p->len) {
		p->tok = T_END;
		return;
	}
	if (is_name_start(p->src[p->pos])) {
		size_t start = p->pos;
		while (p->pos < p->len && (is_name_start(p->src[p->pos]) || is_digit(p->src[p->pos])))
			p->pos++;
		buf_clear(&p->text);
		buf_append(&p->text, p->src + start, p->pos - start);
		p->tok = T_NAME;
	} else if (is_digit(p->src[p->pos])) {
		lex_number(p);
		p->tok = T_NUMBER;
	} else if (p->src[p->pos] == '"' || p->src[p->pos] == '\'') {
		if (lex_string(p) == 0)
			p->tok = T_STRING;
	} else {
		lex_operator(p);
	}
}

/* ---- parser ---- */

static int add_node(struct parser *p, enum node_kind kind, int a, int b, int c)
{
	struct tmpl *t = p->t;
	struct node *n;

	if (p->failed)
		return -1;
	t->nodes = xrealloc(t->nodes, (t->node_count + 1) * sizeof *t->nodes);
	n = &t->nodes[t->node_count];
	*n = (struct node){kind, a, b, c, jv_null(), NULL, M_INCLUDES};
	return (int)t->node_count++;
}

static int parse_expr(struct parser *p);

static const char *token_name(enum token tok)
{
	switch (tok) {
	case T_END: return "the end";
	case T_CLOSE: return "'}}'";
	case T_RPAREN: return "')'";
	case T_RBRACKET: return "']'";
	case T_COLON: return "':'";
	case T_COMMA: return "','";
	default: return "an operator";
	}
}

static int expect(struct parser *p, enum token tok, const char *what)
{
	if (p->failed)
		return -1;
	if (p->tok != tok)
		return fail_at(p, p->tok_start, "expected %s", what);
	next(p);
	return 0;
}

static int parse_primary(struct parser *p)
{
	int n;

	if (p->failed)
		return -1;
	switch (p->tok) {
	case T_NUMBER:
		n = add_node(p, N_LITERAL, -1, -1, -1);
		p->t->nodes[n].value = jv_number(strtod(p->text.data, NULL));
		next(p);
		return n;
	case T_STRING:
		n = add_node(p, N_LITERAL, -1, -1, -1);
		p->t->nodes[n].value = jv_string_sized(p->text.data ? p->text.data : "", (int)p->text.len);
		next(p);
		return n;
	case T_NAME:
		n = add_node(p, N_LITERAL, -1, -1, -1);
		if (strcmp(p->text.data, "true") == 0)
			p->t->nodes[n].value = jv_true();
		else if (strcmp(p->text.data, "false") == 0)
			p->t->nodes[n].value = jv_false();
		else if (strcmp(p->text.data, "null") == 0)
			p->t->nodes[n].value = jv_null();
		else if (strcmp(p->text.data, "undefined") == 0)
			p->t->nodes[n].value = jv_invalid();
		else {
			p->t->nodes[n].kind = N_VAR;
			p->t->nodes[n].name = xstrdup(p->text.data);
		}
		next(p);
		return n;
	case T_LPAREN:
		next(p);
		n = parse_expr(p);
		expect(p, T_RPAREN, "')'");
		return n;
	case T_END:
	case T_CLOSE:
		return fail_at(p, p->tok_start, "expected an expression");
	default:
		return fail_at(p, p->tok_start, "expected an expression, not %s",
			       token_name(p->tok));
	}
}

static int parse_call(struct parser *p, int object, size_t name_at)
{
	size_t i;
	int arg = -1, n;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, p->text.data) == 0)
			break;
	if (i == sizeof methods / sizeof methods[0])
		return fail_at(p, name_at, "unknown method %s() (includes, startsWith, endsWith, "
					   "toUpperCase, toLowerCase, trim)", p->text.data);
	next(p); /* the name */
	next(p); /* ( */
	if (methods[i].args) {
		arg = parse_expr(p);
	}
	if (!p->failed && p->tok != T_RPAREN)
		return fail_at(p, p->tok_start, "%s() takes %s", methods[i].name,
			       methods[i].args ? "one argument" : "no argument");
	next(p);
	n = add_node(p, N_CALL, object, arg, -1);
	if (n >= 0)
		p->t->nodes[n].method = methods[i].method;
	return n;
}

static int parse_postfix(struct parser *p)
{
	int n = parse_primary(p);

	while (!p->failed) {
		if (p->tok == T_DOT) {
			size_t name_at;
			next(p);
			name_at = p->tok_start;
			if (p->tok != T_NAME)
				return fail_at(p, p->tok_start, "expected a name after '.'");
			/* A name followed by "(" is a method call. */
			{
				size_t after = p->pos;
				while (after < p->len && strchr(" \t\r\n", p->src[after]))
					after++;
				if (after < p->len && p->src[after] == '(') {
					n = parse_call(p, n, name_at);
					continue;
				}
			}
			n = add_node(p, N_MEMBER, n, -1, -1);
			if (n >= 0)
				p->t->nodes[n].name = xstrdup(p->text.data);
			next(p);
		} else if (p->tok == T_LBRACKET) {
			int index;
			next(p);
			index = parse_expr(p);
			expect(p, T_RBRACKET, "']'");
			n = add_node(p, N_INDEX, n, index, -1);
		} else {
			break;
		}
	}
	return n;
}

static int parse_unary(struct parser *p)
{
	enum token op = p->tok;
	int n;

	if (op != T_NOT && op != T_MINUS)
		return parse_postfix(p);
	if (++p->depth > TMPL_MAX_DEPTH)
		return fail_at(p, p->tok_start, "expression nested too deeply (limit %d)", TMPL_MAX_DEPTH);
	next(p);
	n = parse_unary(p);
	p->depth--;
	return add_node(p, op == T_NOT ? N_NOT : N_NEGATE, n, -1, -1);
}

/* One level of left-associative binary operators. */
struct level {
	enum token tokens[4];
	enum node_kind kinds[4];
	size_t count;
};

static const struct level levels[] = {
	{{T_OR}, {N_OR}, 1},
	{{T_AND}, {N_AND}, 1},
	{{T_EQ, T_NE, T_STRICT_EQ, T_STRICT_NE}, {N_EQ, N_NE, N_STRICT_EQ, N_STRICT_NE}, 4},
	{{T_LT, T_GT, T_LE, T_GE}, {N_LT, N_GT, N_LE, N_GE}, 4},
	{{T_PLUS}, {N_ADD}, 1},
};
#define LEVEL_COUNT (sizeof levels / sizeof levels[0])

static int parse_level(struct parser *p, size_t level)
{
	int left;

	if (level == LEVEL_COUNT)
		return parse_unary(p);
	left = parse_level(p, level + 1);
	while (!p->failed) {
		size_t i;
		for (i = 0; i < levels[level].count && levels[level].tokens[i] != p->tok; i++)
			;
		if (i == levels[level].count)
			break;
		next(p);
		left = add_node(p, levels[level].kinds[i], left, parse_level(p, level + 1), -1);
	}
	return left;
}

static int parse_expr(struct parser *p)
{
	int cond, yes, no;

	if (++p->depth > TMPL_MAX_DEPTH)
		return fail_at(p, p->tok_start, "expression nested too deeply (limit %d)", TMPL_MAX_DEPTH);
	cond = parse_level(p, 0);
	if (!p->failed && p->tok == T_QUESTION) {
		next(p);
		yes = parse_expr(p);
		expect(p, T_COLON, "':' of the ?: operator");
		no = parse_expr(p);
		cond = add_node(p, N_TERNARY, cond, yes, no);
	}
	p->depth--;
	return cond;
}

static void add_part(struct tmpl *t, const char *text, size_t len, int expr)
{
	struct part *part;

	t->parts = xrealloc(t->parts, (t->part_count + 1) * sizeof *t->parts);
	part = &t->parts[t->part_count++];
	part->text = NULL;
	part->len = len;
	part->expr = expr;
	if (expr < 0) {
		part->text = xmalloc(len + 1);
		memcpy(part->text, text, len);
		part->text[len] = '\0';
	}
}

static void parse_text(struct parser *p)
{
	size_t text_start = 0;

	while (!p->failed) {
		const char *open = NULL;
		size_t i;
		int expr;

		for (i = text_start; i + 1 < p->len; i++)
			if (p->src[i] == '{' && p->src[i + 1] == '{') {
				open = p->src + i;
				break;
			}
		if (!open) {
			if (text_start < p->len)
				add_part(p->t, p->src + text_start, p->len - text_start, -1);
			return;
		}
		if (i > text_start)
			add_part(p->t, p->src + text_start, i - text_start, -1);
		p->pos = i + 2;
		next(p);
		if (p->tok == T_CLOSE) {
			fail_at(p, i, "empty {{ }}");
			return;
		}
		expr = parse_expr(p);
		if (!p->failed && p->tok != T_CLOSE) {
			if (p->tok == T_END)
				fail_at(p, i, "'{{' without its '}}'");
			else
				fail_at(p, p->tok_start, "expected '}}' or an operator");
		}
		if (p->failed)
			return;
		add_part(p->t, NULL, 0, expr);
		text_start = p->pos;
	}
}

struct tmpl *tmpl_compile(const char *source, size_t len, enum tmpl_mode mode,
			  struct tmpl_error *err)
{
	struct parser p = {0};
	struct tmpl *t = xmalloc(sizeof *t);
	size_t bad;

	*t = (struct tmpl){mode == TMPL_TEXT ? T_TEXT : T_CONDITION, NULL, 0, NULL, 0, -1};
	p.src = source;
	p.len = len;
	p.t = t;
	p.err = err;
	if (len > TMPL_MAX_SOURCE)
		fail_at(&p, TMPL_MAX_SOURCE, "template longer than %d bytes", TMPL_MAX_SOURCE);
	else if ((bad = utf8_invalid_offset(source, len)) < len)
		fail_at(&p, bad, "not UTF-8");
	else if (memchr(source, '\0', len))
		fail_at(&p, (size_t)((const char *)memchr(source, '\0', len) - source), "NUL byte");
	else if (mode == TMPL_TEXT)
		parse_text(&p);
	else {
		next(&p);
		if (p.tok != T_END) {
			t->root = parse_expr(&p);
			if (!p.failed && p.tok != T_END)
				fail_at(&p, p.tok_start, p.tok == T_CLOSE
								 ? "a condition is written without {{ }}"
								 : "expected an operator or the end");
		}
	}
	buf_free(&p.text);
	if (p.failed) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

void tmpl_free(struct tmpl *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->node_count; i++) {
		jv_free(t->nodes[i].value);
		free(t->nodes[i].name);
	}
	for (i = 0; i < t->part_count; i++)
		free(t->parts[i].text);
	free(t->nodes);
	free(t->parts);
	free(t);
}

int tmpl_uses(const struct tmpl *t, int (*is_builtin)(const char *name))
{
	size_t i;
	for (i = 0; i < t->node_count; i++)
		if (t->nodes[i].kind == N_VAR && is_builtin(t->nodes[i].name))
			return 1;
	return 0;
}

void tmpl_print_caret(FILE *f, const char *source, size_t len, const struct tmpl_error *err)
{
	size_t start = err->offset < len ? err->offset : len, end, k;
	int column = 1;

	while (start > 0 && source[start - 1] != '\n')
		start--;
	end = start;
	while (end < len && source[end] != '\n')
		end++;
	fprintf(f, "    %.*s\n    ", (int)(end - start), source + start);
	/* One blank per character before the spot; tabs stay tabs so the caret lines up. */
	for (k = start; k < end && column < err->column; k++) {
		if (((unsigned char)source[k] & 0xC0) == 0x80)
			continue;
		fputc(source[k] == '\t' ? '\t' : ' ', f);
		column++;
	}
	fputs("^\n", f);
}
