/* event_tables: every App Store Connect event kind and state value ascbell knows, as data.
 * To teach ascbell a new kind or state, add a row here; nothing else needs to change.
 * Sources: reference/app-store-connect.md (Apple's WebhookEventType and state enums). */
#include "event.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define STATES(old, new) DETAIL_STATES, old, new, NULL, NULL, SEVERITY_INFO
#define FIXED(status, message, severity) DETAIL_FIXED, NULL, NULL, status, message, severity
#define SPECIAL(detail) detail, NULL, NULL, NULL, NULL, SEVERITY_INFO

const struct event_kind event_kinds[] = {
	{"appStoreVersionAppVersionStateUpdated", "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED",
	 "appStore", "App Store Version State Changed", STATES("oldValue", "newValue")},
	{"buildUploadStateUpdated", "BUILD_UPLOAD_STATE_UPDATED",
	 "build", "Build Upload State Changed", STATES("oldState", "newState")},
	{"buildBetaDetailExternalBuildStateUpdated", "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED",
	 "testFlight", "TestFlight Build State Changed",
	 STATES("oldExternalBuildState", "newExternalBuildState")},
	{"betaFeedbackScreenshotSubmissionCreated", "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED",
	 "testFlight", "TestFlight Feedback",
	 FIXED("New feedback", "New screenshot feedback from TestFlight", SEVERITY_INFO)},
	{"betaFeedbackCrashSubmissionCreated", "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED",
	 "testFlight", "TestFlight Crash Report",
	 FIXED("Crash reported", "New crash report from TestFlight", SEVERITY_WARNING)},
	{"backgroundAssetVersionStateUpdated", "BACKGROUND_ASSET_VERSION_STATE_UPDATED",
	 "backgroundAsset", "Background Asset Version State Changed", STATES("oldState", "newState")},
	{"backgroundAssetVersionInternalBetaReleaseCreated",
	 "BACKGROUND_ASSET_VERSION_INTERNAL_BETA_RELEASE_CREATED",
	 "backgroundAsset", "Background Asset Internal Beta Release",
	 FIXED("Released to internal testers", "Background asset released to internal testers",
	       SEVERITY_INFO)},
	{"backgroundAssetVersionExternalBetaReleaseStateUpdated",
	 "BACKGROUND_ASSET_VERSION_EXTERNAL_BETA_RELEASE_STATE_UPDATED",
	 "backgroundAsset", "Background Asset External Beta Release State Changed",
	 STATES("oldState", "newState")},
	{"backgroundAssetVersionAppStoreReleaseStateUpdated",
	 "BACKGROUND_ASSET_VERSION_APP_STORE_RELEASE_STATE_UPDATED",
	 "backgroundAsset", "Background Asset App Store Release State Changed",
	 STATES("oldState", "newState")},
	{"alternativeDistributionPackageVersionCreated",
	 "ALTERNATIVE_DISTRIBUTION_PACKAGE_VERSION_CREATED",
	 "alternativeDistribution", "Alternative Distribution Package Version Created",
	 FIXED("Package version created", "New alternative distribution package version", SEVERITY_INFO)},
	{"alternativeDistributionPackageAvailableUpdated",
	 "ALTERNATIVE_DISTRIBUTION_PACKAGE_AVAILABLE_UPDATED",
	 "alternativeDistribution", "Alternative Distribution Package Availability Changed",
	 SPECIAL(DETAIL_AVAILABILITY)},
	{"alternativeDistributionTerritoryAvailabilityUpdated",
	 "ALTERNATIVE_DISTRIBUTION_TERRITORY_AVAILABILITY_UPDATED",
	 "alternativeDistribution", "Alternative Distribution Territory Availability Changed",
	 SPECIAL(DETAIL_TERRITORIES)},
	{"webhookPingCreated", "WEBHOOK_PING",
	 "ping", "Ping", FIXED("Ping received", "Test ping from App Store Connect", SEVERITY_INFO)},
};
const size_t event_kind_count = ARRAY_LEN(event_kinds);

/* One table for every state family: where a value appears in several (PROCESSING,
 * REJECTED, COMPLETE), it means the same thing in each. The severity is what the team does
 * next (ascbell(7), "Severity"): error, something failed or was refused and someone must fix
 * it; warning, the release stopped or waits on the team; success, it reached people (review
 * passed, live, testers have it); info, progress that needs nobody. */
const struct state_label state_labels[] = {
	/* App Store version (and the older appStoreState values) */
	{"ACCEPTED", "Accepted", SEVERITY_SUCCESS},
	{"DEVELOPER_REJECTED", "Developer Rejected", SEVERITY_WARNING},
	{"DEVELOPER_REMOVED_FROM_SALE", "Developer Removed from Sale", SEVERITY_WARNING},
	{"IN_REVIEW", "In Review", SEVERITY_INFO},
	{"INVALID_BINARY", "Invalid Binary", SEVERITY_ERROR},
	{"METADATA_REJECTED", "Metadata Rejected", SEVERITY_ERROR},
	{"NOT_APPLICABLE", "Not Applicable", SEVERITY_INFO},
	{"PENDING_APPLE_RELEASE", "Pending Apple Release", SEVERITY_SUCCESS},
	{"PENDING_CONTRACT", "Pending Contract", SEVERITY_WARNING},
	{"PENDING_DEVELOPER_RELEASE", "Pending Developer Release", SEVERITY_SUCCESS},
	{"PREORDER_READY_FOR_SALE", "Pre-Order Ready for Sale", SEVERITY_SUCCESS},
	{"PREPARE_FOR_SUBMISSION", "Prepare for Submission", SEVERITY_INFO},
	{"PROCESSING_FOR_APP_STORE", "Processing for App Store", SEVERITY_INFO},
	{"PROCESSING_FOR_DISTRIBUTION", "Processing for Distribution", SEVERITY_INFO},
	{"READY_FOR_DISTRIBUTION", "Ready for Distribution", SEVERITY_SUCCESS},
	{"READY_FOR_REVIEW", "Ready for Review", SEVERITY_INFO},
	{"READY_FOR_SALE", "Ready for Sale", SEVERITY_SUCCESS},
	{"REJECTED", "Rejected", SEVERITY_ERROR},
	{"REMOVED_FROM_SALE", "Removed from Sale", SEVERITY_ERROR},
	{"REPLACED_WITH_NEW_VERSION", "Replaced with New Version", SEVERITY_INFO},
	{"WAITING_FOR_EXPORT_COMPLIANCE", "Waiting for Export Compliance", SEVERITY_WARNING},
	{"WAITING_FOR_REVIEW", "Waiting for Review", SEVERITY_INFO},
	/* TestFlight external build */
	{"BETA_APPROVED", "Beta Approved", SEVERITY_SUCCESS},
	{"BETA_REJECTED", "Beta Rejected", SEVERITY_ERROR},
	{"EXPIRED", "Expired", SEVERITY_WARNING},
	{"IN_BETA_REVIEW", "In Beta Review", SEVERITY_INFO},
	{"IN_BETA_TESTING", "In Beta Testing", SEVERITY_SUCCESS},
	{"IN_EXPORT_COMPLIANCE_REVIEW", "In Export Compliance Review", SEVERITY_INFO},
	{"MISSING_EXPORT_COMPLIANCE", "Missing Export Compliance", SEVERITY_WARNING},
	{"PROCESSING", "Processing", SEVERITY_INFO},
	{"PROCESSING_EXCEPTION", "Processing Exception", SEVERITY_ERROR},
	{"READY_FOR_BETA_SUBMISSION", "Ready for Beta Submission", SEVERITY_INFO},
	{"READY_FOR_BETA_TESTING", "Ready for Beta Testing", SEVERITY_SUCCESS},
	{"WAITING_FOR_BETA_REVIEW", "Waiting for Beta Review", SEVERITY_INFO},
	/* Build upload and background asset version */
	{"AWAITING_UPLOAD", "Awaiting Upload", SEVERITY_INFO},
	{"COMPLETE", "Complete", SEVERITY_SUCCESS},
	{"FAILED", "Failed", SEVERITY_ERROR},
	/* Background asset releases */
	{"PROCESSING_FOR_TESTING", "Processing for Testing", SEVERITY_INFO},
	{"READY_FOR_TESTING", "Ready for Testing", SEVERITY_SUCCESS},
	{"SUPERSEDED", "Superseded", SEVERITY_INFO},
};
const size_t state_label_count = ARRAY_LEN(state_labels);

const char *const severity_names[] = {"info", "success", "warning", "error"};

const char *const generic_state_keys[][2] = {
	{"oldValue", "newValue"},
	{"oldState", "newState"},
	{"oldExternalBuildState", "newExternalBuildState"},
};
const size_t generic_state_key_count = ARRAY_LEN(generic_state_keys);
