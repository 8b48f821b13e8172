/* tmpl_eval: evaluating a compiled template over jv values, with JavaScript's rules for
 * the cases templates meet: truthiness, == between numbers and numeric strings, null and
 * undefined, || and && returning an operand, + joining text when either side is text.
 *
 * A missing value is undefined, held as jv_invalid(). Two choices differ from plain
 * JavaScript on purpose, so a phone never shows "undefined" or "null": both render as
 * empty text, also inside +; arrays and objects render as compact JSON. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "jsnum.h"
#include "jsondump.h"
#include "tmpl.h"
#include "tmpl_ast.h"

struct eval {
	const struct tmpl *t;
	jv vars, builtins; /* borrowed */
	int failed;
	char *why;
	size_t why_size;
};

static jv eval(struct eval *ev, int n);

static jv undefined(void)
{
	return jv_invalid();
}

/* Records the first evaluation error; the result of the whole template is then empty. */
static jv fail(struct eval *ev, const char *fmt, ...)
{
	va_list ap;

	if (!ev->failed) {
		ev->failed = 1;
		va_start(ap, fmt);
		vsnprintf(ev->why, ev->why_size, fmt, ap);
		va_end(ap);
	}
	return undefined();
}

static const char *kind_name(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID: return "undefined";
	case JV_KIND_NULL: return "null";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE: return "a boolean";
	case JV_KIND_NUMBER: return "a number";
	case JV_KIND_STRING: return "a string";
	case JV_KIND_ARRAY: return "an array";
	case JV_KIND_OBJECT: return "an object";
	}
	return "a value";
}

/* ---- conversions (all borrow their argument) ---- */

static int truthy(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_TRUE:
	case JV_KIND_ARRAY:
	case JV_KIND_OBJECT: return 1;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		return d != 0 && !isnan(d);
	}
	case JV_KIND_STRING: return jv_string_length_bytes(jv_copy(v)) > 0;
	default: return 0;
	}
}

/* The text a value renders as. */
static void append_text(struct buf *out, jv v)
{
	char number[JS_NUMBER_SIZE];

	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID:
	case JV_KIND_NULL: return;
	case JV_KIND_TRUE: buf_append(out, "true", 4); return;
	case JV_KIND_FALSE: buf_append(out, "false", 5); return;
	case JV_KIND_NUMBER:
		js_number_format(jv_number_value(v), number);
		buf_append(out, number, strlen(number));
		return;
	case JV_KIND_STRING:
		buf_append(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
		return;
	default:
		json_dump(v, out);
	}
}

static jv to_string(jv v)
{
	struct buf b = BUF_INIT;
	jv s;

	if (jv_get_kind(v) == JV_KIND_STRING)
		return jv_copy(v);
	append_text(&b, v);
	s = jv_string_sized(b.data ? b.data : "", (int)b.len);
	buf_free(&b);
	return s;
}

static double to_number(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID: return NAN;
	case JV_KIND_NULL:
	case JV_KIND_FALSE: return 0;
	case JV_KIND_TRUE: return 1;
	case JV_KIND_NUMBER: return jv_number_value(v);
	default: {
		jv s = to_string(v);
		double d = js_string_to_number(jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
		return d;
	}
	}
}

static int is_primitive_text(jv v)
{
	jv_kind k = jv_get_kind(v);
	return k == JV_KIND_STRING || k == JV_KIND_ARRAY || k == JV_KIND_OBJECT;
}

static int strings_equal(jv a, jv b)
{
	int la = jv_string_length_bytes(jv_copy(a)), lb = jv_string_length_bytes(jv_copy(b));
	return la == lb && memcmp(jv_string_value(a), jv_string_value(b), (size_t)la) == 0;
}

/* === : same kind, same value (arrays and objects by content, there being no identity). */
static int strict_equal(jv a, jv b)
{
	jv_kind ka = jv_get_kind(a), kb = jv_get_kind(b);

	if (ka != kb)
		return 0;
	switch (ka) {
	case JV_KIND_NUMBER: return jv_number_value(a) == jv_number_value(b);
	case JV_KIND_STRING: return strings_equal(a, b);
	case JV_KIND_ARRAY:
	case JV_KIND_OBJECT: return jv_equal(jv_copy(a), jv_copy(b));
	default: return 1;
	}
}

/* == : JavaScript's loose equality, for the kinds JSON has. */
static int loose_equal(jv a, jv b)
{
	jv_kind ka = jv_get_kind(a), kb = jv_get_kind(b);
	int a_nullish = ka == JV_KIND_INVALID || ka == JV_KIND_NULL;
	int b_nullish = kb == JV_KIND_INVALID || kb == JV_KIND_NULL;
	int result;
	jv converted;

	if (a_nullish || b_nullish)
		return a_nullish && b_nullish;
	if (ka == kb || (ka == JV_KIND_TRUE && kb == JV_KIND_FALSE) ||
	    (ka == JV_KIND_FALSE && kb == JV_KIND_TRUE))
		return strict_equal(a, b);
	if (ka == JV_KIND_NUMBER || kb == JV_KIND_NUMBER || ka == JV_KIND_TRUE ||
	    ka == JV_KIND_FALSE || kb == JV_KIND_TRUE || kb == JV_KIND_FALSE)
		return to_number(a) == to_number(b);
	/* An array against an object: two objects, never the same one in JavaScript. */
	if (ka != JV_KIND_STRING && kb != JV_KIND_STRING)
		return 0;
	/* A string against an array or object: compare as text. */
	converted = to_string(ka == JV_KIND_STRING ? b : a);
	result = strings_equal(converted, ka == JV_KIND_STRING ? a : b);
	jv_free(converted);
	return result;
}

/* < > <= >= : text against text compares bytes (code points), anything else numbers. */
static int compare(enum node_kind op, jv a, jv b)
{
	double x, y;

	if (is_primitive_text(a) && is_primitive_text(b)) {
		jv sa = to_string(a), sb = to_string(b);
		int la = jv_string_length_bytes(jv_copy(sa)), lb = jv_string_length_bytes(jv_copy(sb));
		int c = memcmp(jv_string_value(sa), jv_string_value(sb), (size_t)(la < lb ? la : lb));
		if (c == 0)
			c = (la > lb) - (la < lb);
		jv_free(sa);
		jv_free(sb);
		x = c;
		y = 0;
	} else {
		x = to_number(a);
		y = to_number(b);
	}
	if (isnan(x) || isnan(y))
		return 0;
	switch (op) {
	case N_LT: return x < y;
	case N_GT: return x > y;
	case N_LE: return x <= y;
	default: return x >= y;
	}
}

static jv add(struct eval *ev, jv a, jv b)
{
	struct buf out = BUF_INIT;
	jv result;

	if (!is_primitive_text(a) && !is_primitive_text(b))
		return jv_number(to_number(a) + to_number(b));
	append_text(&out, a);
	append_text(&out, b);
	if (out.len > TMPL_MAX_OUTPUT) {
		buf_free(&out);
		return fail(ev, "text longer than %d bytes", TMPL_MAX_OUTPUT);
	}
	result = jv_string_sized(out.data ? out.data : "", (int)out.len);
	buf_free(&out);
	return result;
}

/* ---- strings as JavaScript sees them ---- */

static unsigned long decode(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned long cp;
	int extra = s[0] < 0x80 ? 0 : s[0] < 0xE0 ? 1 : s[0] < 0xF0 ? 2 : 3;
	int i;

	cp = extra == 0 ? s[0] : s[0] & (0x3F >> extra);
	for (i = 1; i <= extra; i++)
		cp = cp << 6 | (s[i] & 0x3F);
	*p = s + 1 + extra;
	return cp;
}

/* .length counts UTF-16 code units, as JavaScript does: an emoji is 2. */
static double utf16_length(jv s)
{
	const unsigned char *p = (const unsigned char *)jv_string_value(s);
	const unsigned char *end = p + jv_string_length_bytes(jv_copy(s));
	double n = 0;

	while (p < end)
		n += decode(&p) >= 0x10000 ? 2 : 1;
	return n;
}

static int is_js_space(unsigned long cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

static jv trim(jv s)
{
	const unsigned char *start = (const unsigned char *)jv_string_value(s);
	const unsigned char *end = start + jv_string_length_bytes(jv_copy(s));
	const unsigned char *p = start, *first = NULL, *last = start;

	while (p < end) {
		const unsigned char *at = p;
		if (!is_js_space(decode(&p))) {
			if (!first)
				first = at;
			last = p;
		}
	}
	if (!first)
		return jv_string("");
	return jv_string_sized((const char *)first, (int)(last - first));
}

static locale_t utf8_locale(void)
{
	static locale_t loc;
	static int tried;
	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Case mapping by code point; without a UTF-8 locale, ASCII only. */
static jv change_case(jv s, int upper)
{
	const unsigned char *p = (const unsigned char *)jv_string_value(s);
	const unsigned char *end = p + jv_string_length_bytes(jv_copy(s));
	locale_t loc = utf8_locale();
	jv out = jv_string("");

	while (p < end) {
		unsigned long cp = decode(&p);
		if (loc)
			cp = (unsigned long)(upper ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc));
		else if (cp < 0x80)
			cp = (unsigned long)(upper ? toupper((int)cp) : tolower((int)cp));
		out = jv_string_append_codepoint(out, (uint32_t)cp);
	}
	return out;
}

static int contains(jv hay, jv needle, enum method m)
{
	int hl = jv_string_length_bytes(jv_copy(hay)), nl = jv_string_length_bytes(jv_copy(needle));
	const char *h = jv_string_value(hay), *n = jv_string_value(needle);

	if (nl > hl)
		return 0;
	switch (m) {
	case M_STARTS_WITH: return memcmp(h, n, (size_t)nl) == 0;
	case M_ENDS_WITH: return memcmp(h + hl - nl, n, (size_t)nl) == 0;
	default: return nl == 0 || memmem(h, (size_t)hl, n, (size_t)nl) != NULL;
	}
}

static const char *method_name(enum method m)
{
	static const char *const names[] = {"includes", "startsWith", "endsWith", "toUpperCase",
					    "toLowerCase", "trim"};
	return names[m];
}

static jv call(struct eval *ev, const struct node *node, jv self, jv arg)
{
	jv_kind kind = jv_get_kind(self);
	jv result;

	/* A method of something missing is missing too, so a condition on an optional field
	 * reads as false instead of failing. */
	if (kind == JV_KIND_INVALID || kind == JV_KIND_NULL)
		return undefined();
	if (kind == JV_KIND_ARRAY && node->method == M_INCLUDES) {
		int i, n = jv_array_length(jv_copy(self)), found = 0;
		for (i = 0; i < n && !found; i++) {
			jv item = jv_array_get(jv_copy(self), i);
			found = strict_equal(item, arg);
			jv_free(item);
		}
		return jv_bool(found);
	}
	if (kind != JV_KIND_STRING)
		return fail(ev, "%s() called on %s", method_name(node->method), kind_name(self));
	switch (node->method) {
	case M_TO_UPPER: return change_case(self, 1);
	case M_TO_LOWER: return change_case(self, 0);
	case M_TRIM: return trim(self);
	default: break;
	}
	/* Searching for nothing known finds nothing. */
	if (jv_get_kind(arg) == JV_KIND_INVALID || jv_get_kind(arg) == JV_KIND_NULL)
		return jv_false();
	arg = to_string(arg);
	result = jv_bool(contains(self, arg, node->method));
	jv_free(arg);
	return result;
}

static jv member(jv self, const char *name)
{
	jv_kind kind = jv_get_kind(self);

	if (kind == JV_KIND_OBJECT)
		return jv_object_get(jv_copy(self), jv_string(name));
	if (strcmp(name, "length") == 0) {
		if (kind == JV_KIND_STRING)
			return jv_number(utf16_length(self));
		if (kind == JV_KIND_ARRAY)
			return jv_number(jv_array_length(jv_copy(self)));
	}
	return undefined();
}

/* The n-th character of a string (by code point). */
static jv character_at(jv s, double index)
{
	const unsigned char *p = (const unsigned char *)jv_string_value(s);
	const unsigned char *end = p + jv_string_length_bytes(jv_copy(s));
	double i;

	for (i = 0; p < end; i++) {
		const unsigned char *at = p;
		decode(&p);
		if (i == index)
			return jv_string_sized((const char *)at, (int)(p - at));
	}
	return undefined();
}

static jv index_into(jv self, jv key)
{
	jv_kind kind = jv_get_kind(self);
	double n;
	jv name, result;

	if (kind == JV_KIND_OBJECT || jv_get_kind(key) == JV_KIND_STRING) {
		if (kind != JV_KIND_OBJECT && jv_get_kind(key) == JV_KIND_STRING &&
		    !isnan(js_string_to_number(jv_string_value(key), strlen(jv_string_value(key)))) &&
		    jv_string_value(key)[0] != '\0')
			return index_into(self, jv_number(js_string_to_number(jv_string_value(key),
									      strlen(jv_string_value(key)))));
		name = to_string(key);
		result = member(self, jv_string_value(name));
		jv_free(name);
		return result;
	}
	n = to_number(key);
	if (isnan(n) || n < 0 || n != floor(n) || n > 1e9)
		return undefined();
	if (kind == JV_KIND_ARRAY)
		return jv_array_get(jv_copy(self), (int)n);
	if (kind == JV_KIND_STRING)
		return character_at(self, n);
	return undefined();
}

static jv lookup(struct eval *ev, const char *name)
{
	jv v = jv_get_kind(ev->vars) == JV_KIND_OBJECT
		       ? jv_object_get(jv_copy(ev->vars), jv_string(name))
		       : undefined();
	if (jv_is_valid(v) || jv_get_kind(ev->builtins) != JV_KIND_OBJECT)
		return v;
	return jv_object_get(jv_copy(ev->builtins), jv_string(name));
}

static jv eval(struct eval *ev, int n)
{
	const struct node *node = &ev->t->nodes[n];
	jv a, b, result;

	if (ev->failed)
		return undefined();
	switch (node->kind) {
	case N_LITERAL: return jv_copy(node->value);
	case N_VAR: return lookup(ev, node->name);
	case N_MEMBER:
		a = eval(ev, node->a);
		result = member(a, node->name);
		jv_free(a);
		return result;
	case N_INDEX:
		a = eval(ev, node->a);
		b = eval(ev, node->b);
		result = index_into(a, b);
		jv_free(a);
		jv_free(b);
		return result;
	case N_CALL:
		a = eval(ev, node->a);
		b = node->b >= 0 ? eval(ev, node->b) : undefined();
		result = call(ev, node, a, b);
		jv_free(a);
		jv_free(b);
		return result;
	case N_NOT:
		a = eval(ev, node->a);
		result = jv_bool(!truthy(a));
		jv_free(a);
		return result;
	case N_NEGATE:
		a = eval(ev, node->a);
		result = jv_number(-to_number(a));
		jv_free(a);
		return result;
	case N_AND:
	case N_OR:
		/* The operand itself, not a boolean: a || "default" is the default text. */
		a = eval(ev, node->a);
		if (truthy(a) == (node->kind == N_OR))
			return a;
		jv_free(a);
		return eval(ev, node->b);
	case N_TERNARY:
		a = eval(ev, node->a);
		result = eval(ev, truthy(a) ? node->b : node->c);
		jv_free(a);
		return result;
	default:
		break;
	}
	a = eval(ev, node->a);
	b = eval(ev, node->b);
	switch (node->kind) {
	case N_EQ: result = jv_bool(loose_equal(a, b)); break;
	case N_NE: result = jv_bool(!loose_equal(a, b)); break;
	case N_STRICT_EQ: result = jv_bool(strict_equal(a, b)); break;
	case N_STRICT_NE: result = jv_bool(!strict_equal(a, b)); break;
	case N_ADD: result = add(ev, a, b); break;
	default: result = jv_bool(compare(node->kind, a, b)); break;
	}
	jv_free(a);
	jv_free(b);
	return result;
}

int tmpl_render(const struct tmpl *t, jv vars, jv builtins, struct buf *out, char *why,
		size_t why_size)
{
	struct eval ev = {t, vars, builtins, 0, why, why_size};
	size_t i;

	buf_clear(out);
	for (i = 0; i < t->part_count && !ev.failed; i++) {
		const struct part *part = &t->parts[i];
		if (part->expr < 0) {
			buf_append(out, part->text, part->len);
		} else {
			jv v = eval(&ev, part->expr);
			append_text(out, v);
			jv_free(v);
		}
		if (out->len > TMPL_MAX_OUTPUT)
			fail(&ev, "text longer than %d bytes", TMPL_MAX_OUTPUT);
	}
	if (ev.failed) {
		buf_clear(out);
		return -1;
	}
	return 0;
}

int tmpl_test(const struct tmpl *t, jv vars, jv builtins, char *why, size_t why_size)
{
	struct eval ev = {t, vars, builtins, 0, why, why_size};
	jv v;
	int result;

	if (t->root < 0)
		return 1;
	v = eval(&ev, t->root);
	result = truthy(v);
	jv_free(v);
	return ev.failed ? -1 : result;
}
