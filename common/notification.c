/* notification: Echobell's notification types. */
#include "notification.h"

#include <stdio.h>
#include <string.h>

int notification_type_valid(const char *s, size_t len)
{
	static const char *const types[] = {"active", "time-sensitive", "calling"};
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (len == strlen(types[i]) && memcmp(s, types[i], len) == 0)
			return 1;
	return 0;
}

void notification_type_quote(const char *s, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	if (size < 8) {
		if (size)
			out[0] = '\0';
		return;
	}
	out[n++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = c == '"' || c == '\\' ? 2 : c < 0x20 || c == 0x7F ? 6 : 1;
		if (n + need + 4 > size - 1) /* room left for the closing quote or "..." */
			break;
		if (need == 2) {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (need == 6) {
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hex[c >> 4];
			out[n + 5] = hex[c & 15];
			n += 6;
		} else {
			out[n++] = (char)c;
		}
	}
	if (i < len) {
		/* Cut: no half character, and "..." rather than a value that looks whole. */
		while (n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	} else {
		out[n++] = '"';
	}
	out[n] = '\0';
}
