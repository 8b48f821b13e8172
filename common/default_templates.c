/* default_templates: what a notification says when the team writes no template of its own.
 * Short titles with the app's name and an emoji for the severity; a body with the change,
 * what to do next, and when; a link to the App Store Connect page that deals with it.
 * They are ordinary templates in the same language a team writes, so anyone can copy one
 * into a file and change it. */
#include "templates.h"

#define EMOJI "{{severity == \"error\" ? \"❌\" : severity == \"warning\" ? \"⚠️\" : " \
	      "severity == \"success\" ? \"✅\" : \"🔔\"}} "
#define APP "{{app.name ? app.name + (version ? \" \" + version : \"\") + \": \" : \"\"}}"
#define WHEN "{{eventType}} · {{eventDate || iso}}"
#define ASC "https://appstoreconnect.apple.com/apps"
/* The page of the thing itself when asc-parse or asc-enrich could name it (links.h), else
 * the next page up: TestFlight's, the app's, App Store Connect's list of apps. */
#define APP_PAGE "{{app.url || \"" ASC "\"}}"
#define VERSION_PAGE "{{versionUrl || app.url || \"" ASC "\"}}"
#define BUILD_PAGE "{{buildUrl || testflightUrl || app.url || \"" ASC "\"}}"
#define FEEDBACK_PAGE "{{feedbackUrl || testflightUrl || app.url || \"" ASC "\"}}"
/* "iOS 2.3: " before what happened to a version or a build, when the API said. */
#define WHICH(prefix) "{{version ? (platformName ? platformName + \" \" : \"" prefix "\") + version + " \
		      "(build ? \" (\" + build + \")\" : \"\") + \": \" : \"\"}}"
/* How long App Review took, when the history knew (review.h): said after the change, so
 * a team without ASCBELL_HISTORY reads exactly what it read before. */
#define REVIEW \
	"{{review.inReviewText ? \"Review took \" + review.inReviewText + " \
	"(review.waitedText ? \" after \" + review.waitedText + \" waiting\" : \"\") + \".\\n\" : " \
	"review.totalText ? \"Decided \" + review.totalText + \" after submission.\\n\" : " \
	"review.waitedText ? \"In review after \" + review.waitedText + \" waiting.\\n\" : \"\"}}"
#define FROM_TESTER \
	"{{feedback ? \"“\" + feedback + \"”\\n\" : \"\"}}" \
	"{{tester.name || tester.email ? \"From \" + (tester.name || tester.email) : \"From a tester\"}}" \
	"{{device ? \" on \" + device : \"\"}}{{osVersion ? \" (\" + osVersion + \")\" : \"\"}}\n"

const struct default_template default_templates[] = {
	{"default", EMOJI APP "{{status}}", "{{message}}\n" WHEN, APP_PAGE},

	/* A kind ascbell does not know yet: its name says what happened, the states (if any)
	 * how; the date line does not repeat the name. */
	{"other", EMOJI APP "{{eventType}}", "{{message}}\n{{eventDate || iso}}", APP_PAGE},

	{"appStore", EMOJI APP "{{status}}",
	 WHICH("Version ") "{{message}}\n" REVIEW
	 "{{newState == \"REJECTED\" || newState == \"METADATA_REJECTED\" ? "
	 "\"Read the review notes in App Store Connect, then reply or resubmit.\\n\" : "
	 "newState == \"INVALID_BINARY\" ? \"Upload a new build: this one cannot be used.\\n\" : "
	 "newState == \"PENDING_DEVELOPER_RELEASE\" ? \"Approved: release it when you are ready.\\n\" : "
	 "newState == \"READY_FOR_SALE\" || newState == \"READY_FOR_DISTRIBUTION\" ? "
	 "\"Live on the App Store.\\n\" : "
	 "newState == \"WAITING_FOR_EXPORT_COMPLIANCE\" ? "
	 "\"Answer the export compliance questions in App Store Connect.\\n\" : "
	 "newState == \"PENDING_CONTRACT\" ? "
	 "\"Sign the pending agreement in App Store Connect (Business).\\n\" : "
	 "newState == \"REMOVED_FROM_SALE\" ? "
	 "\"Apple took it off the App Store: read the messages in App Store Connect.\\n\" : "
	 "newState == \"DEVELOPER_REJECTED\" ? \"Removed from review: submit again when ready.\\n\" : \"\"}}"
	 WHEN,
	 VERSION_PAGE},

	{"testFlight", EMOJI APP "{{status}}",
	 "{{build ? \"Build \" + build + \": \" : \"\"}}{{message}}\n" REVIEW
	 "{{newState == \"BETA_APPROVED\" ? \"External testers can install it now.\\n\" : "
	 "newState == \"BETA_REJECTED\" ? \"Read the review notes in App Store Connect.\\n\" : "
	 "newState == \"MISSING_EXPORT_COMPLIANCE\" ? "
	 "\"Answer the export compliance questions to start testing.\\n\" : "
	 "newState == \"PROCESSING_EXCEPTION\" ? \"Processing failed: upload a new build.\\n\" : "
	 "newState == \"EXPIRED\" ? \"Upload a new build to keep testing.\\n\" : \"\"}}"
	 WHEN,
	 BUILD_PAGE},

	{"betaFeedbackScreenshotSubmissionCreated", "💬 " APP "New TestFlight feedback",
	 FROM_TESTER "Read it and the screenshot in TestFlight.\n" WHEN, FEEDBACK_PAGE},

	{"betaFeedbackCrashSubmissionCreated", "💥 " APP "TestFlight crash report",
	 FROM_TESTER "Open the crash log in TestFlight or Xcode's Organizer.\n" WHEN, FEEDBACK_PAGE},

	/* The title says the state; the body adds the change only when there was an old state
	 * ("Now Complete" under "Build 143 Complete" says nothing new). */
	{"build", EMOJI APP "Build {{build ? build + \" \" : \"\"}}{{status}}",
	 "{{oldStatus ? message + \"\\n\" : \"\"}}"
	 /* Apple's reasons for a failed upload (asc-enrich: "ITMS-90683: Missing purpose
	  * string in Info.plist"), one a line: what the developer needs to fix. */
	 "{{errorSummary ? errorSummary + \"\\n\" : \"\"}}"
	 "{{newState == \"FAILED\" ? (errorSummary ? \"Fix these and upload again.\\n\" : "
	 "\"Check the email from App Store Connect and upload again.\\n\") : "
	 "newState == \"COMPLETE\" ? \"Ready for TestFlight or for review.\\n\" : \"\"}}"
	 WHEN,
	 BUILD_PAGE},

	/* asc-report's digests: the period's figures, a line each (the message), then when. */
	{"report", "📊 {{app.name ? app.name + \": \" : report.scope == \"portfolio\" ? \"All apps: \" : \"\"}}"
		   "{{eventType}}",
	 "{{message}}\n{{eventDate}}", APP_PAGE},

	{"ping", "🔔 " APP "Webhook ping",
	 "App Store Connect reached this receiver: the webhook works.\n" WHEN, APP_PAGE},
};
const size_t default_template_count = sizeof default_templates / sizeof default_templates[0];
