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
#define APP_PAGE "{{app.url || \"" ASC "\"}}"
#define TESTFLIGHT_EXPR "(app.id ? \"" ASC "/\" + app.id + \"/testflight/ios\" : \"" ASC "\")"
#define TESTFLIGHT_PAGE "{{" TESTFLIGHT_EXPR "}}"
#define FEEDBACK_PAGE "{{feedbackUrl || " TESTFLIGHT_EXPR "}}"

const struct default_template default_templates[] = {
	{"default", EMOJI APP "{{status}}", "{{message}}\n" WHEN, APP_PAGE},

	{"appStore", EMOJI APP "{{status}}",
	 "{{message}}\n"
	 "{{newState == \"REJECTED\" || newState == \"METADATA_REJECTED\" ? "
	 "\"Read the review notes in App Store Connect, then reply or resubmit.\\n\" : "
	 "newState == \"INVALID_BINARY\" ? \"Upload a new build: this one cannot be used.\\n\" : "
	 "newState == \"PENDING_DEVELOPER_RELEASE\" ? \"Approved: release it when you are ready.\\n\" : "
	 "newState == \"READY_FOR_SALE\" || newState == \"READY_FOR_DISTRIBUTION\" ? "
	 "\"Live on the App Store.\\n\" : "
	 "newState == \"WAITING_FOR_EXPORT_COMPLIANCE\" ? "
	 "\"Answer the export compliance questions in App Store Connect.\\n\" : "
	 "newState == \"DEVELOPER_REJECTED\" ? \"Removed from review: submit again when ready.\\n\" : \"\"}}"
	 WHEN,
	 APP_PAGE},

	{"testFlight", EMOJI APP "{{status}}",
	 "{{message}}\n"
	 "{{newState == \"BETA_APPROVED\" ? \"External testers can install it now.\\n\" : "
	 "newState == \"BETA_REJECTED\" ? \"Read the review notes in App Store Connect.\\n\" : "
	 "newState == \"MISSING_EXPORT_COMPLIANCE\" ? "
	 "\"Answer the export compliance questions to start testing.\\n\" : "
	 "newState == \"EXPIRED\" ? \"Upload a new build to keep testing.\\n\" : \"\"}}"
	 WHEN,
	 TESTFLIGHT_PAGE},

	{"betaFeedbackScreenshotSubmissionCreated", "💬 " APP "New TestFlight feedback",
	 "{{feedback ? \"“\" + feedback + \"”\\n\" : \"\"}}"
	 "{{tester.name || tester.email ? \"From \" + (tester.name || tester.email) : \"From a tester\"}}"
	 "{{device ? \" on \" + device : \"\"}}{{osVersion ? \" (\" + osVersion + \")\" : \"\"}}\n"
	 "Read it and the screenshot in TestFlight.\n" WHEN,
	 FEEDBACK_PAGE},

	{"betaFeedbackCrashSubmissionCreated", "💥 " APP "TestFlight crash report",
	 "{{feedback ? \"“\" + feedback + \"”\\n\" : \"\"}}"
	 "{{tester.name || tester.email ? \"From \" + (tester.name || tester.email) : \"From a tester\"}}"
	 "{{device ? \" on \" + device : \"\"}}{{osVersion ? \" (\" + osVersion + \")\" : \"\"}}\n"
	 "Open the crash log in TestFlight or Xcode's Organizer.\n" WHEN,
	 FEEDBACK_PAGE},

	{"build", EMOJI APP "Build {{build ? build + \" \" : \"\"}}{{status}}",
	 "{{message}}\n"
	 /* Apple's reasons for a failed upload (asc-enrich: "ITMS-90683: Missing purpose
	  * string in Info.plist"), one a line: what the developer needs to fix. */
	 "{{errorSummary ? errorSummary + \"\\n\" : \"\"}}"
	 "{{newState == \"FAILED\" ? (errorSummary ? \"Fix these and upload again.\\n\" : "
	 "\"Check the email from App Store Connect and upload again.\\n\") : "
	 "newState == \"COMPLETE\" ? \"Ready for TestFlight or for review.\\n\" : \"\"}}"
	 WHEN,
	 TESTFLIGHT_PAGE},

	{"ping", "🔔 " APP "Webhook ping",
	 "App Store Connect reached this receiver: the webhook works.\n" WHEN, APP_PAGE},
};
const size_t default_template_count = sizeof default_templates / sizeof default_templates[0];
