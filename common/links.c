/* links: App Store Connect pages for an event. The web pages have no published scheme:
 * apart from the app's page and its TestFlight page (reference/app-store-connect.md), the
 * patterns are what the web app's own addresses show, as other receivers and release
 * scripts link to them. So a link is made only from ids that are certain, and only ids of
 * safe characters go into a path. */
#include "links.h"

#include <string.h>

#include "event.h"
#include "jsonget.h"

#define ASC_APPS "https://appstoreconnect.apple.com/apps/"

static const struct {
	const char *platform, *segment, *name;
} platforms[] = {
	{"IOS", "ios", "iOS"},
	{"MAC_OS", "macos", "macOS"},
	{"TV_OS", "tvos", "tvOS"},
	{"VISION_OS", "visionos", "visionOS"},
};

/* Where the version's page is, by its new state: the version being worked on is the
 * "inflight" one, the one on the store the "deliverable" one. A state that may mean the
 * version is gone from both (replaced, removed) or that we do not know gets no page. */
static const char *const inflight_states[] = {
	"PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "WAITING_FOR_REVIEW", "IN_REVIEW",
	"WAITING_FOR_EXPORT_COMPLIANCE", "PENDING_CONTRACT", "ACCEPTED", "PENDING_APPLE_RELEASE",
	"PENDING_DEVELOPER_RELEASE", "PROCESSING_FOR_APP_STORE", "PROCESSING_FOR_DISTRIBUTION",
	"REJECTED", "METADATA_REJECTED", "INVALID_BINARY", "DEVELOPER_REJECTED",
};
static const char *const deliverable_states[] = {
	"READY_FOR_SALE", "READY_FOR_DISTRIBUTION", "PREORDER_READY_FOR_SALE",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int listed(const char *value, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(list[i], value) == 0)
			return 1;
	return 0;
}

const char *links_platform_segment(const char *platform)
{
	size_t i;
	for (i = 0; i < COUNT(platforms); i++)
		if (strcmp(platforms[i].platform, platform) == 0)
			return platforms[i].segment;
	return NULL;
}

static const char *platform_name(const char *platform)
{
	size_t i;
	for (i = 0; i < COUNT(platforms); i++)
		if (strcmp(platforms[i].platform, platform) == 0)
			return platforms[i].name;
	return NULL;
}

/* An id that can go into a URL path as it is. */
static int id_ok(jv id)
{
	size_t n;
	if (jv_get_kind(id) != JV_KIND_STRING)
		return 0;
	n = strspn(jv_string_value(id), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
	return n > 0 && n <= 128 && jv_string_value(id)[n] == '\0' && strcmp(jv_string_value(id), ".") &&
	       strcmp(jv_string_value(id), "..");
}

/* obj[key] = value when value is a string, else obj without key. Consumes value. */
static jv set_or_drop(jv obj, const char *key, jv value)
{
	if (jv_get_kind(value) == JV_KIND_STRING)
		return jv_object_set(obj, jv_string(key), value);
	jv_free(value);
	if (jv_object_has(jv_copy(obj), jv_string(key)))
		obj = jv_object_delete(obj, jv_string(key));
	return obj;
}

static int is(jv s, const char *text)
{
	return jv_get_kind(s) == JV_KIND_STRING && strcmp(jv_string_value(s), text) == 0;
}

jv links_add(jv event)
{
	jv app_id = json_get_path(event, "app", "id", NULL), type = json_get_string(event, "type");
	jv category = json_get_string(event, "category"), platform = json_get_string(event, "platform");
	jv instance_id = json_get_path(event, "instance", "id", NULL), build_id = json_get_string(event, "buildId");
	jv state = json_get_string(event, "newState");
	const char *segment = jv_get_kind(platform) == JV_KIND_STRING
				      ? links_platform_segment(jv_string_value(platform)) : NULL;
	const char *name = jv_get_kind(platform) == JV_KIND_STRING ? platform_name(jv_string_value(platform)) : NULL;
	int app = jv_get_kind(app_id) == JV_KIND_STRING && app_id_valid(jv_string_value(app_id));
	const char *aid = app ? jv_string_value(app_id) : "";
	jv version_url = jv_null(), build_url = jv_null(), feedback_url = jv_null(), testflight_url = jv_null();

	if (jv_get_kind(event) != JV_KIND_OBJECT)
		goto done;
	event = set_or_drop(event, "platformName", name ? jv_string(name) : jv_null());
	if (app && (is(category, "testFlight") || is(category, "build")))
		testflight_url = segment ? jv_string_fmt(ASC_APPS "%s/testflight/%s", aid, segment)
					 : jv_string_fmt(ASC_APPS "%s/testflight", aid);
	if (app && segment && is(type, "appStoreVersionAppVersionStateUpdated") &&
	    jv_get_kind(state) == JV_KIND_STRING) {
		const char *s = jv_string_value(state);
		if (listed(s, inflight_states, COUNT(inflight_states)))
			version_url = jv_string_fmt(ASC_APPS "%s/distribution/%s/version/inflight", aid, segment);
		else if (listed(s, deliverable_states, COUNT(deliverable_states)))
			version_url = jv_string_fmt(ASC_APPS "%s/distribution/%s/version/deliverable", aid, segment);
	}
	if (app && segment && id_ok(build_id) &&
	    (is(type, "buildBetaDetailExternalBuildStateUpdated") || is(type, "buildUploadStateUpdated")))
		build_url = jv_string_fmt(ASC_APPS "%s/testflight/%s/%s", aid, segment, jv_string_value(build_id));
	if (app && id_ok(instance_id)) {
		if (is(type, "betaFeedbackScreenshotSubmissionCreated"))
			feedback_url = jv_string_fmt(ASC_APPS "%s/testflight/screenshots/%s", aid,
						     jv_string_value(instance_id));
		else if (is(type, "betaFeedbackCrashSubmissionCreated"))
			feedback_url = jv_string_fmt(ASC_APPS "%s/testflight/crashes/%s", aid,
						     jv_string_value(instance_id));
	}
	event = set_or_drop(event, "versionUrl", version_url);
	event = set_or_drop(event, "buildUrl", build_url);
	event = set_or_drop(event, "feedbackUrl", feedback_url);
	event = set_or_drop(event, "testflightUrl", testflight_url);
	version_url = build_url = feedback_url = testflight_url = jv_null();
done:
	jv_free(version_url);
	jv_free(build_url);
	jv_free(feedback_url);
	jv_free(testflight_url);
	jv_free(app_id);
	jv_free(type);
	jv_free(category);
	jv_free(platform);
	jv_free(instance_id);
	jv_free(build_id);
	jv_free(state);
	return event;
}
