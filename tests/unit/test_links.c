/* links_add for every platform App Store Connect names, and for what it does not: asc-enrich
 * reaches only the platform the fake API serves (IOS), so the table is checked here. */
#include <string.h>

#include "links.h"
#include "tap.h"

/* The event's field as a string, or "" when it is absent (the event is borrowed). */
static const char *field(jv event, const char *key, char *out, size_t size)
{
	jv v = jv_object_get(jv_copy(event), jv_string(key));
	snprintf(out, size, "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "");
	jv_free(v);
	return out;
}

static jv event_of(const char *type, const char *category, const char *platform, const char *state)
{
	jv app = jv_object_set(jv_object(), jv_string("id"), jv_string("42"));
	jv e = jv_object();
	e = jv_object_set(e, jv_string("type"), jv_string(type));
	e = jv_object_set(e, jv_string("category"), jv_string(category));
	e = jv_object_set(e, jv_string("app"), app);
	e = jv_object_set(e, jv_string("instance"),
			  jv_object_set(jv_object(), jv_string("id"), jv_string("inst-1")));
	e = jv_object_set(e, jv_string("buildId"), jv_string("b-1"));
	if (platform)
		e = jv_object_set(e, jv_string("platform"), jv_string(platform));
	if (state)
		e = jv_object_set(e, jv_string("newState"), jv_string(state));
	return e;
}

static void check(jv event, const char *key, const char *expected, const char *what)
{
	char got[512];
	TAP_CHECK(strcmp(field(event, key, got, sizeof got), expected) == 0, what);
	if (strcmp(got, expected) != 0)
		printf("#   %s: got \"%s\", expected \"%s\"\n", key, got, expected);
}

int main(void)
{
	static const char *const platforms[][3] = {
		{"IOS", "ios", "iOS"},
		{"MAC_OS", "macos", "macOS"},
		{"TV_OS", "tvos", "tvOS"},
		{"VISION_OS", "visionos", "visionOS"},
	};
	char url[256];
	size_t i;
	jv e;

	for (i = 0; i < 4; i++) {
		e = links_add(event_of("buildBetaDetailExternalBuildStateUpdated", "testFlight", platforms[i][0], NULL));
		snprintf(url, sizeof url, "https://appstoreconnect.apple.com/apps/42/testflight/%s", platforms[i][1]);
		check(e, "testflightUrl", url, platforms[i][0]);
		snprintf(url, sizeof url, "https://appstoreconnect.apple.com/apps/42/testflight/%s/b-1", platforms[i][1]);
		check(e, "buildUrl", url, "the build's page");
		check(e, "platformName", platforms[i][2], "the platform as people write it");
		jv_free(e);
		e = links_add(event_of("appStoreVersionAppVersionStateUpdated", "appStore", platforms[i][0], "IN_REVIEW"));
		snprintf(url, sizeof url, "https://appstoreconnect.apple.com/apps/42/distribution/%s/version/inflight",
			 platforms[i][1]);
		check(e, "versionUrl", url, "the version's page");
		jv_free(e);
	}

	/* A platform we do not know (WATCH_OS is not an App Store Connect platform) or none:
	 * TestFlight without the segment, no build page, no platform name. */
	e = links_add(event_of("buildUploadStateUpdated", "build", "WATCH_OS", NULL));
	check(e, "testflightUrl", "https://appstoreconnect.apple.com/apps/42/testflight", "unknown platform: no segment");
	check(e, "buildUrl", "", "unknown platform: no build page");
	check(e, "platformName", "", "unknown platform: no name");
	jv_free(e);
	e = links_add(event_of("appStoreVersionAppVersionStateUpdated", "appStore", NULL, "IN_REVIEW"));
	check(e, "versionUrl", "", "no platform: no version page");
	check(e, "testflightUrl", "", "an App Store event has no TestFlight link");
	jv_free(e);

	/* A state that may mean the version has no page of its own, or one we do not know. */
	e = links_add(event_of("appStoreVersionAppVersionStateUpdated", "appStore", "IOS", "SOMETHING_NEW"));
	check(e, "versionUrl", "", "unknown state: no version page");
	jv_free(e);

	/* Links that no longer hold are taken away, and no app id means no link at all. */
	e = event_of("buildUploadStateUpdated", "build", NULL, NULL);
	e = jv_object_set(e, jv_string("buildUrl"), jv_string("https://stale.example/"));
	e = jv_object_set(e, jv_string("app"), jv_object_set(jv_object(), jv_string("id"), jv_string("4/2")));
	e = links_add(e);
	check(e, "buildUrl", "", "a stale link is removed");
	check(e, "testflightUrl", "", "an app id that is not digits makes no link");
	jv_free(e);

	/* Not an object: given back as it is. */
	e = links_add(jv_string("x"));
	TAP_CHECK(jv_get_kind(e) == JV_KIND_STRING, "not an object");
	jv_free(e);
	return tap_done();
}
