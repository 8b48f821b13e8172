/* uri_resolve against RFC 3986's own examples (5.4.1, 5.4.2) and the links.next forms the
 * App Store Connect API may send. */
#include <string.h>

#include "tap.h"
#include "uri.h"

static void check(const char *base, const char *ref, const char *expected)
{
	char out[512];
	int ok = uri_resolve(base, ref, out, sizeof out) == 0 && strcmp(out, expected) == 0;
	TAP_CHECK(ok, ref);
}

int main(void)
{
	const char *b = "http://a/b/c/d;p?q";
	char small[8];

	check(b, "g", "http://a/b/c/g");
	check(b, "./g", "http://a/b/c/g");
	check(b, "g/", "http://a/b/c/g/");
	check(b, "/g", "http://a/g");
	check(b, "//g", "http://g");
	check(b, "?y", "http://a/b/c/d;p?y");
	check(b, "g?y", "http://a/b/c/g?y");
	check(b, "#s", "http://a/b/c/d;p?q");
	check(b, "g#s", "http://a/b/c/g");
	check(b, ";x", "http://a/b/c/;x");
	check(b, "", "http://a/b/c/d;p?q");
	check(b, ".", "http://a/b/c/");
	check(b, "./", "http://a/b/c/");
	check(b, "..", "http://a/b/");
	check(b, "../", "http://a/b/");
	check(b, "../g", "http://a/b/g");
	check(b, "../..", "http://a/");
	check(b, "../../g", "http://a/g");
	check(b, "../../../g", "http://a/g");
	check(b, "/./g", "http://a/g");
	check(b, "/../g", "http://a/g");
	check(b, "g.", "http://a/b/c/g.");
	check(b, "..g", "http://a/b/c/..g");
	check(b, "./../g", "http://a/b/g");
	check(b, "g/./h", "http://a/b/c/g/h");
	check(b, "g/../h", "http://a/b/c/h");
	check(b, "g;x=1/../y", "http://a/b/c/y");
	check(b, "http://x.example/p/../q?r", "http://x.example/q?r");

	b = "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?limit=200";
	check(b, "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?cursor=Mg&limit=200",
	      "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?cursor=Mg&limit=200");
	check(b, "/v1/apps/6447123456/webhooks?cursor=Mg", "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?cursor=Mg");
	check(b, "?cursor=Mg", "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?cursor=Mg");
	check(b, "webhooks?cursor=Mg", "https://api.appstoreconnect.apple.com/v1/apps/6447123456/webhooks?cursor=Mg");
	check("http://127.0.0.1:8080", "v1/x", "http://127.0.0.1:8080/v1/x");

	TAP_CHECK(uri_resolve("/v1/relative-base", "g", small, sizeof small) == -1, "a base without scheme is refused");
	TAP_CHECK(uri_resolve(b, "/a-path-longer-than-the-buffer", small, sizeof small) == -1, "too long for the buffer");
	TAP_CHECK(uri_origin_length("https://h.example:8443/v1?x") == 22, "the origin's length");
	TAP_CHECK(uri_origin_length("/v1/apps") == 0, "no origin in a path");
	return tap_done();
}
