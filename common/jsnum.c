/* jsnum: numbers as JavaScript writes and reads them. */
#include "jsnum.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest "%.*e" that round-trips: its digits (no point) and decimal exponent. */
static void shortest_digits(double d, char digits[20], int *exponent)
{
	char text[40];
	int precision;

	for (precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof text, "%.*e", precision - 1, d);
		if (strtod(text, NULL) == d)
			break;
	}
	/* text is "D.DDDDe+XX" or "De+XX" */
	{
		char *e = strchr(text, 'e');
		size_t n = 0;
		const char *p;
		for (p = text; p < e; p++)
			if (*p != '.')
				digits[n++] = *p;
		/* Trailing zeros carry no information: 1.50 is 1.5. */
		while (n > 1 && digits[n - 1] == '0')
			n--;
		digits[n] = '\0';
		*exponent = atoi(e + 1);
	}
}

void js_number_format(double d, char out[JS_NUMBER_SIZE])
{
	char digits[20];
	int exponent, k, n;
	size_t room = JS_NUMBER_SIZE;

	if (isnan(d)) {
		strcpy(out, "NaN");
		return;
	}
	if (isinf(d)) {
		strcpy(out, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		strcpy(out, "0"); /* -0 too */
		return;
	}
	if (d < 0) {
		*out++ = '-';
		room--;
		d = -d;
	}
	shortest_digits(d, digits, &exponent);
	k = (int)strlen(digits);
	n = exponent + 1; /* where the decimal point goes, counted in digits */

	/* ECMAScript Number::toString, step by step. */
	if (k <= n && n <= 21) {
		snprintf(out, room, "%s%0*d", digits, n - k, 0);
		if (n == k)
			out[k] = '\0';
	} else if (0 < n && n <= 21) {
		snprintf(out, room, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		snprintf(out, room, "0.%0*d%s", -n, 0, digits);
		if (n == 0)
			snprintf(out, room, "0.%s", digits);
	} else if (k == 1) {
		snprintf(out, room, "%se%c%d", digits, n - 1 < 0 ? '-' : '+', abs(n - 1));
	} else {
		snprintf(out, room, "%c.%se%c%d", digits[0], digits + 1, n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

static int is_js_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

double js_string_to_number(const char *s, size_t len)
{
	char text[64];
	const char *end = s + len;
	size_t i;
	int sign = 1;
	char *stop;
	double value;

	while (s < end && is_js_space(*s))
		s++;
	while (end > s && is_js_space(end[-1]))
		end--;
	len = (size_t)(end - s);
	if (len == 0)
		return 0;
	if (len >= sizeof text)
		return NAN;
	memcpy(text, s, len);
	text[len] = '\0';
	i = 0;
	if (text[0] == '+' || text[0] == '-') {
		sign = text[0] == '-' ? -1 : 1;
		i = 1;
	}
	if (strcmp(text + i, "Infinity") == 0)
		return sign * INFINITY;
	/* strtod would also take hex, "inf" and "nan", which JavaScript's Number() reads
	 * differently or not at all: only digits, a point and an exponent get through. */
	if (text[i + strspn(text + i, "0123456789.eE+-")] != '\0' || !strpbrk(text + i, "0123456789"))
		return NAN;
	value = strtod(text, &stop);
	return *stop == '\0' ? value : NAN;
}
