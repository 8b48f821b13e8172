/* ascapi_calls: every request ascbell makes to the App Store Connect API.
 * One row a line, in this exact form: tests/helpers/check-api-calls parses them. */
#include "ascapi_calls.h"

#include <string.h>

const struct ascapi_call_spec ascapi_calls[ASC_CALL_COUNT] = {
	/* asc-enrich. An app's name and bundle id (cached for a day). */
	[ASC_APP] = {"GET", "/v1/apps/{id}", "fields[apps]=name,bundleId"},
	/* An App Store version and its app, in one request. */
	[ASC_APP_STORE_VERSION] = {"GET", "/v1/appStoreVersions/{id}", "include=app&fields[apps]=name,bundleId"},
	/* A build's app and marketing version: feedback and uploads reach the app this way
	 * only (the spec gives them no app relationship). Cached for good: they never change. */
	[ASC_BUILD] = {"GET", "/v1/builds/{id}", "include=app,preReleaseVersion&fields[apps]=name,bundleId"},
	/* A TestFlight build state: the build with its app and version, in one request. */
	[ASC_BUILD_OF_BETA_DETAIL] = {"GET", "/v1/buildBetaDetails/{id}/build", "include=app,preReleaseVersion&fields[apps]=name,bundleId"},
	/* An upload: version, platform, Apple's errors; its build when one was made. */
	[ASC_BUILD_UPLOAD] = {"GET", "/v1/buildUploads/{id}", "include=build"},
	[ASC_SCREENSHOT_FEEDBACK] = {"GET", "/v1/betaFeedbackScreenshotSubmissions/{id}", "include=build,tester"},
	[ASC_CRASH_FEEDBACK] = {"GET", "/v1/betaFeedbackCrashSubmissions/{id}", "include=build,tester"},
	/* asc-webhooks. */
	[ASC_APP_WEBHOOKS] = {"GET", "/v1/apps/{id}/webhooks", "limit=200"},
	[ASC_WEBHOOK] = {"GET", "/v1/webhooks/{id}", ""},
	[ASC_WEBHOOK_CREATE] = {"POST", "/v1/webhooks", ""},
	[ASC_WEBHOOK_UPDATE] = {"PATCH", "/v1/webhooks/{id}", ""},
	[ASC_WEBHOOK_DELETE] = {"DELETE", "/v1/webhooks/{id}", ""},
	[ASC_WEBHOOK_PING] = {"POST", "/v1/webhookPings", ""},
	/* Always a created-date window (the live API wants one), never filter[deliveryState]
	 * (the live API refuses it, though the spec has it): states are filtered by us. */
	[ASC_WEBHOOK_DELIVERIES] = {"GET", "/v1/webhooks/{id}/deliveries", "filter[createdDateGreaterThanOrEqualTo]={since}&filter[createdDateLessThan]={until}&limit={limit}"},
	[ASC_WEBHOOK_REDELIVER] = {"POST", "/v1/webhookDeliveries", ""},
	/* apply --all-apps: every app the key can see, ids only (the name for messages). */
	[ASC_APPS] = {"GET", "/v1/apps", "fields[apps]=name&limit=200"},
	/* check and rotate: the deliveries of a short window with each one's event, whose ping
	 * member tells a ping's delivery from an event's. */
	[ASC_PING_DELIVERIES] = {"GET", "/v1/webhooks/{id}/deliveries", "filter[createdDateGreaterThanOrEqualTo]={since}&filter[createdDateLessThan]={until}&include=event&fields[webhookEvents]=ping&limit=200"},
};

/* Appends text to out at *at, percent-encoding what a URL must not carry raw (keep: the
 * characters left as they are besides letters, digits and -._~). */
static int append(char *out, size_t size, size_t *at, const char *text, size_t len, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		int raw = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (c && strchr("-._~", c)) || (c && strchr(keep, c));
		if (*at + (raw ? 1 : 3) >= size)
			return -1;
		if (raw) {
			out[(*at)++] = (char)c;
		} else {
			out[(*at)++] = '%';
			out[(*at)++] = hex[c >> 4];
			out[(*at)++] = hex[c & 15];
		}
	}
	out[*at] = '\0';
	return 0;
}

/* Copies a template, filling each {placeholder} from args; keep as for append. */
static int fill(const char *template, const char *const **args, char *out, size_t size, size_t *at,
		const char *keep)
{
	const char *p = template;

	while (*p) {
		const char *open = strchr(p, '{'), *close;
		size_t fixed = open ? (size_t)(open - p) : strlen(p);

		if (append(out, size, at, p, fixed, keep) != 0)
			return -1;
		if (!open)
			break;
		if (!(close = strchr(open, '}')) || !**args)
			return -1;
		if (append(out, size, at, **args, strlen(**args), ":,") != 0)
			return -1;
		(*args)++;
		p = close + 1;
	}
	return 0;
}

int ascapi_call_path(enum ascapi_call call, const char *const args[], char *out, size_t size)
{
	const struct ascapi_call_spec *spec = &ascapi_calls[call];
	static const char *const none[] = {NULL};
	const char *const *next = args ? args : none;
	size_t at = 0;

	if (size == 0)
		return -1;
	out[0] = '\0';
	if (fill(spec->path, &next, out, size, &at, "/") != 0)
		return -1;
	if (spec->query[0] && (append(out, size, &at, "?", 1, "?") != 0 ||
			       fill(spec->query, &next, out, size, &at, "=&,") != 0))
		return -1;
	return *next ? -1 : 0;
}
