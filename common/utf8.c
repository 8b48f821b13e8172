/* utf8: strict UTF-8 validation. */
#include "utf8.h"

/* The length of the valid sequence at s (1 to 4), or 0 when it is not valid. */
static size_t sequence_length(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* past U+10FFFF */
	} else
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */

	if (left < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

size_t utf8_invalid_offset(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n;
		/* Most of a payload is ASCII: skip it a byte at a time without the call. */
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = sequence_length(p + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}
