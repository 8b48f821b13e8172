/* The UTF-8 validator at the edges of each range (RFC 3629, table 3-7 of Unicode). */
#include <string.h>

#include "tap.h"
#include "utf8.h"

static void check(const char *bytes, size_t expected, const char *what)
{
	TAP_CHECK(utf8_invalid_offset(bytes, strlen(bytes)) == expected, what);
}

int main(void)
{
	check("", 0, "empty");
	check("plain ascii", 11, "ASCII");
	check("\x7f", 1, "DEL is valid");
	check("\xc2\x80", 2, "U+0080, the first two-byte");
	check("\xdf\xbf", 2, "U+07FF, the last two-byte");
	check("\xc1\xbf", 0, "overlong two-byte (C1)");
	check("\xe0\xa0\x80", 3, "U+0800, the first three-byte");
	check("\xe0\x9f\xbf", 0, "overlong three-byte");
	check("\xed\x9f\xbf", 3, "U+D7FF, just below the surrogates");
	check("\xed\xa0\x80", 0, "U+D800, a surrogate");
	check("\xed\xbf\xbf", 0, "U+DFFF, a surrogate");
	check("\xee\x80\x80", 3, "U+E000, just above the surrogates");
	check("\xef\xbf\xbf", 3, "U+FFFF");
	check("\xf0\x90\x80\x80", 4, "U+10000, the first four-byte");
	check("\xf0\x8f\xbf\xbf", 0, "overlong four-byte");
	check("\xf4\x8f\xbf\xbf", 4, "U+10FFFF, the last code point");
	check("\xf4\x90\x80\x80", 0, "past U+10FFFF");
	check("\xf5\x80\x80\x80", 0, "F5 never starts a sequence");
	check("\xff", 0, "FF never appears");
	check("ab\x80", 2, "a stray continuation byte, at its offset");
	check("ab\xe2\x82", 2, "a sequence cut off by the end");
	check("\xe2\x82x", 0, "a sequence cut off by ASCII");
	check("\xe2\x82\xac\xe2\x82\xac!", 7, "two euro signs and a bang");
	TAP_CHECK(utf8_invalid_offset("a\0b", 3) == 3, "NUL is valid UTF-8 (JSON rejects it later)");
	return tap_done();
}
