#!/usr/bin/env bats
# asc-parse: every event kind, every state label, every bad input.

load helpers/common

setup() {
	unset ASC_APP_ID ASC_APP_NAME
}

# The whole output line for a shared fixture, against the expected event checked by hand.
parses_to_expected() {
	run --separate-stderr asc-parse <"$FIXTURES/asc/$1.json"
	assert_success
	assert_output "$(cat "$FIXTURES/events/$1.json")"
}

@test "fixture: app version state" { parses_to_expected app-version-state; [ -z "$stderr" ]; }
@test "fixture: app version rejected" { parses_to_expected app-version-rejected; }
@test "fixture: build upload state (no timestamp, no old state)" { parses_to_expected build-upload-state; }
@test "fixture: TestFlight build beta state" { parses_to_expected build-beta-state; }
@test "fixture: TestFlight screenshot feedback" { parses_to_expected feedback-screenshot; }
@test "fixture: TestFlight crash feedback" { parses_to_expected feedback-crash; }
@test "fixture: background asset state (instance without data wrapper)" { parses_to_expected background-asset-state; }
@test "fixture: alternative distribution availability" { parses_to_expected alt-distribution-available; }
@test "fixture: ping" { parses_to_expected ping; }

@test "fixture: an unknown type is forwarded with generic fields and a warning" {
	parses_to_expected unknown-future-event
	[ "$stderr" = "asc-parse: warning: line 1 (value 1): unknown event type appPriceScheduleUpdated (forwarded with generic fields)" ]
	run jq -r '[.event, .category, .eventType, .status, .message] | join("|")' <<<"$output"
	assert_output 'APP_PRICE_SCHEDULE_UPDATED|other|App Price Schedule Updated|Tier 3|Tier 2 → Tier 3'
}

@test "-q silences the unknown-type warning but still forwards the event" {
	run --separate-stderr asc-parse -q <"$FIXTURES/asc/unknown-future-event.json"
	assert_success
	[ -z "$stderr" ]
	assert_output "$(cat "$FIXTURES/events/unknown-future-event.json")"
}

@test "every event has every field of the contract, in order" {
	expected='["id","type","event","category","eventType","timestamp","eventDate","oldState","newState","oldStatus","status","severity","message","instance","app","attributes","ping"]'
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		run jq -c 'keys_unsorted' < <(asc-parse -q <"$payload")
		assert_output "$expected"
		run jq -c '[(.instance|keys_unsorted), (.app|keys_unsorted)]' < <(asc-parse -q <"$payload")
		assert_output '[["type","id","url"],["id","name","url"]]'
	done
}

# Every kind, one line each: type|event|category|eventType|status|severity|message.
@test "every kind in the reference gets its own names, status, severity and message" {
	run sh -c 'cat "$1"/asc/*.json "$1"/asc-more/*.json | asc-parse -q |
		jq -r "[.type,.event,.category,.eventType,.status,.severity,.message]|join(\"|\")" | sort' sh "$FIXTURES"
	assert_success
	assert_output - <<'EOF_KINDS'
alternativeDistributionPackageAvailableUpdated|ALTERNATIVE_DISTRIBUTION_PACKAGE_AVAILABLE_UPDATED|alternativeDistribution|Alternative Distribution Package Availability Changed|Available|success|Alternative distribution package is available
alternativeDistributionPackageAvailableUpdated|ALTERNATIVE_DISTRIBUTION_PACKAGE_AVAILABLE_UPDATED|alternativeDistribution|Alternative Distribution Package Availability Changed|Unavailable|warning|Alternative distribution package is no longer available
alternativeDistributionPackageVersionCreated|ALTERNATIVE_DISTRIBUTION_PACKAGE_VERSION_CREATED|alternativeDistribution|Alternative Distribution Package Version Created|Version created|info|New alternative distribution package version
alternativeDistributionTerritoryAvailabilityUpdated|ALTERNATIVE_DISTRIBUTION_TERRITORY_AVAILABILITY_UPDATED|alternativeDistribution|Alternative Distribution Territory Availability Changed|Territories updated|info|Availability changed in 3 territories
appPriceScheduleUpdated|APP_PRICE_SCHEDULE_UPDATED|other|App Price Schedule Updated|Tier 3|info|Tier 2 → Tier 3
appStoreVersionAppVersionStateUpdated|APP_STORE_VERSION_APP_VERSION_STATE_UPDATED|appStore|App Store Version State Changed|Rejected|error|In Review → Rejected
appStoreVersionAppVersionStateUpdated|APP_STORE_VERSION_APP_VERSION_STATE_UPDATED|appStore|App Store Version State Changed|Waiting for Review|info|Prepare for Submission → Waiting for Review
backgroundAssetVersionAppStoreReleaseStateUpdated|BACKGROUND_ASSET_VERSION_APP_STORE_RELEASE_STATE_UPDATED|backgroundAsset|Background Asset App Store Release State Changed|Ready for Distribution|success|Processing for Distribution → Ready for Distribution
backgroundAssetVersionExternalBetaReleaseStateUpdated|BACKGROUND_ASSET_VERSION_EXTERNAL_BETA_RELEASE_STATE_UPDATED|backgroundAsset|Background Asset External Beta Release State Changed|Rejected|error|Waiting for Review → Rejected
backgroundAssetVersionInternalBetaReleaseCreated|BACKGROUND_ASSET_VERSION_INTERNAL_BETA_RELEASE_CREATED|backgroundAsset|Background Asset Internal Beta Release|Released to internal testers|info|Background asset released to internal testers
backgroundAssetVersionStateUpdated|BACKGROUND_ASSET_VERSION_STATE_UPDATED|backgroundAsset|Background Asset Version State Changed|Complete|success|Processing → Complete
betaFeedbackCrashSubmissionCreated|BETA_FEEDBACK_CRASH_SUBMISSION_CREATED|testFlight|TestFlight Crash Report|Crash reported|warning|New crash report from TestFlight
betaFeedbackScreenshotSubmissionCreated|BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED|testFlight|TestFlight Feedback|New feedback|info|New screenshot feedback from TestFlight
buildBetaDetailExternalBuildStateUpdated|BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED|testFlight|TestFlight Build State Changed|Beta Approved|success|In Beta Review → Beta Approved
buildUploadStateUpdated|BUILD_UPLOAD_STATE_UPDATED|build|Build Upload State Changed|Complete|success|Now Complete
webhookPingCreated|WEBHOOK_PING|ping|Ping|Ping received|info|Test ping from App Store Connect
EOF_KINDS
}

# A payload of a state kind with the given new state.
with_state() {
	printf '{"data":{"type":"%s","id":"i","attributes":{"%s":"%s"}}}\n' "$1" "$2" "$3"
}

@test "every state value in the reference has its label and severity" {
	while IFS='|' read -r type key value label severity; do
		run --separate-stderr asc-parse < <(with_state "$type" "$key" "$value")
		assert_success
		run jq -r '"\(.status)|\(.severity)"' <<<"$output"
		assert_output "$label|$severity"
	done <"$FIXTURES/state-labels.txt"
	[ "$(wc -l <"$FIXTURES/state-labels.txt")" -ge 60 ]
}

@test "a state we do not know becomes Title Case, small words lower" {
	run asc-parse < <(with_state appStoreVersionAppVersionStateUpdated newValue WAITING_FOR_THE_MOON_AND_STARS)
	run jq -r '"\(.status)|\(.severity)|\(.message)"' <<<"$output"
	assert_output 'Waiting for the Moon and Stars|info|Now Waiting for the Moon and Stars'
}

@test "the guide's variables are present and non-empty where they can be known" {
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		run asc-parse -q --app-id 6447123456 --app-name 'My App' <"$payload"
		assert_success
		run jq -r '[.eventType, .status, .message, .app.id, .app.name, .app.url] | map(select(type == "string" and length > 0)) | length' <<<"$output"
		assert_output 6
		# eventDate is the payload's timestamp; only the build upload comes without one.
		if grep -q timestamp "$payload"; then
			run jq -r '.eventDate | length > 0' < <(asc-parse -q <"$payload")
			assert_output true
		fi
	done
}

@test "the app comes from --app-id and --app-name" {
	run asc-parse --app-id 123456789 --app-name 'My "App" {{x}}' <"$FIXTURES/asc/ping.json"
	run jq -c .app <<<"$output"
	assert_output '{"id":"123456789","name":"My \"App\" {{x}}","url":"https://appstoreconnect.apple.com/apps/123456789/distribution"}'
}

@test "the app comes from ASC_APP_ID and ASC_APP_NAME; the options win" {
	export ASC_APP_ID=42 ASC_APP_NAME=FromEnv
	run asc-parse <"$FIXTURES/asc/ping.json"
	run jq -c '[.app.id, .app.name]' <<<"$output"
	assert_output '["42","FromEnv"]'
	run asc-parse --app-id 7 --app-name Opt <"$FIXTURES/asc/ping.json"
	run jq -c '[.app.id, .app.name]' <<<"$output"
	assert_output '["7","Opt"]'
}

@test "the app id comes from attributes.appId when nothing else gives it" {
	run asc-parse <"$FIXTURES/asc/alt-distribution-available.json"
	run jq -c .app <<<"$output"
	assert_output '{"id":"6447123456","name":null,"url":"https://appstoreconnect.apple.com/apps/6447123456/distribution"}'
}

@test "an attributes.appId that is not digits is not turned into a link" {
	run --separate-stderr asc-parse < <(printf '{"data":{"type":"alternativeDistributionPackageVersionCreated","attributes":{"appId":"1/../../evil\\"\\n{{x}}"}}}')
	assert_success
	run jq -c .app <<<"$output"
	assert_output '{"id":null,"name":null,"url":null}'
}

@test "a bad --app-id is 64, a bad ASC_APP_ID is 78" {
	run --separate-stderr asc-parse --app-id 12ab <"$FIXTURES/asc/ping.json"
	assert_failure 64
	[ "$stderr" = "asc-parse: error: --app-id: not an App Store Connect app id (digits): 12ab" ]
	ASC_APP_ID='1 2' run --separate-stderr asc-parse <"$FIXTURES/asc/ping.json"
	assert_failure 78
	assert_output ''
}

@test "hostile strings come out as literal text in one valid JSON line" {
	printf '%s\n' '{"data":{"type":"x\"y{{z}}\nw","id":"a\"b\n{{c}}","attributes":{"newValue":"{{evil}}\"\n\u0007","oldValue":"\u2028"}}}' >"$BATS_TEST_TMPDIR/hostile.json"
	run --separate-stderr asc-parse <"$BATS_TEST_TMPDIR/hostile.json"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	run jq -r '.id' <<<"$output"
	assert_output "$(printf 'a"b\n{{c}}')"
	run jq -r '.newState' < <(asc-parse -q <"$BATS_TEST_TMPDIR/hostile.json")
	assert_output "$(printf '{{evil}}"\n\a')"
	run jq -r '[.type, .event, .eventType] | join("|")' < <(asc-parse -q <"$BATS_TEST_TMPDIR/hostile.json")
	assert_output "$(printf 'x"y{{z}}\nw|X_Y_Z_W|X Y Z W')"
}

bad_then_good() {
	# The bad input, a newline, then a good payload that must still come out.
	{ printf '%s\n' "$1"; cat "$FIXTURES/asc/ping.json"; } >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr asc-parse <"$BATS_TEST_TMPDIR/in"
	assert_failure 65
	assert_output "$(cat "$FIXTURES/events/ping.json")"
}

@test "not JSON: position, skipped, the next payload still parsed, exit 65" {
	bad_then_good 'hello world'
	[ "$stderr" = "asc-parse: error: line 1, column 6: Invalid numeric literal; skipped" ]
}

@test "a JSON value that is not an object" {
	bad_then_good '[1,2,3]'
	[ "$stderr" = "asc-parse: error: line 1 (value 1): not an App Store Connect payload (not a JSON object); skipped" ]
	bad_then_good '"just a string"'
	bad_then_good '12'
	bad_then_good 'null'
}

@test "objects that are not payloads: no data, data not an object, type missing, wrong type, empty" {
	bad_then_good '{"type":"webhookPingCreated"}'
	[ "$stderr" = "asc-parse: error: line 1 (value 1): not an App Store Connect payload (no \"data\" object); skipped" ]
	bad_then_good '{"data":"webhookPingCreated"}'
	bad_then_good '{"data":{"id":"x"}}'
	[ "$stderr" = "asc-parse: error: line 1 (value 1): not an App Store Connect payload (data.type is not a non-empty string); skipped" ]
	bad_then_good '{"data":{"type":12}}'
	bad_then_good '{"data":{"type":""}}'
	bad_then_good '{"data":{"type":"webhookPingCreated","attributes":"x"}}'
	[ "$stderr" = "asc-parse: error: line 1 (value 1): not an App Store Connect payload (data.attributes is not an object); skipped" ]
}

@test "fields of the wrong type become null instead of breaking the event" {
	run --separate-stderr asc-parse < <(printf '{"data":{"type":"appStoreVersionAppVersionStateUpdated","id":5,"attributes":{"newValue":["x"],"oldValue":7,"timestamp":{}},"relationships":{"instance":"x"}}}')
	assert_success
	run jq -c '[.id, .newState, .oldState, .timestamp, .status, .message, .instance]' <<<"$output"
	assert_output '[null,null,null,null,"Updated","App Store Version State Changed",{"type":null,"id":null,"url":null}]'
}

@test "10,000 nested brackets: a message, no crash" {
	bad_then_good "$(printf '%.0s[' {1..10000})$(printf '%.0s]' {1..10000})"
	[ "$stderr" = "asc-parse: error: line 1, column 257: Exceeds depth limit for parsing; skipped" ]
}

@test "a 2 MiB string and a 2 MiB number are refused without being kept" {
	bad_then_good "{\"data\":{\"type\":\"webhookPingCreated\",\"id\":\"$(head -c 2097152 /dev/zero | tr '\0' a)\"}}"
	[ "$stderr" = "asc-parse: error: line 1: JSON value larger than 1048576 bytes; skipped" ]
	bad_then_good "{\"data\":{\"type\":\"webhookPingCreated\",\"id\":$(head -c 2097152 /dev/zero | tr '\0' 9)}}"
	[ "$stderr" = "asc-parse: error: line 1: JSON value larger than 1048576 bytes; skipped" ]
}

@test "a value spread over many lines is limited as a whole" {
	{
		printf '{"data":{"type":"webhookPingCreated","id":[\n'
		for _ in $(seq 40); do printf '"%s",\n' "$(head -c 30000 /dev/zero | tr '\0' b)"; done
		printf '1]}}\n'
	} >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr asc-parse --max-body 100000 <"$BATS_TEST_TMPDIR/in"
	assert_failure 65
	# One message: the rest of the skipped value is not reported line by line.
	[ "$stderr" = "asc-parse: error: line 5: JSON value larger than 100000 bytes; skipped" ]
}

@test "an absurd number inside a payload does not crash" {
	run --separate-stderr asc-parse < <(printf '{"data":{"type":"webhookPingCreated","attributes":{"n":1e999999,"m":-1e-999999}}}')
	assert_success
	run jq -c .attributes <<<"$output"
	assert_output '{"n":1.7976931348623157e+308,"m":-0}'
}

@test "invalid UTF-8 is refused with its column: stray continuation, overlong, surrogate, past U+10FFFF, cut short" {
	for bytes in '\x80' '\xc0\x80' '\xed\xa0\x80' '\xf5\x80\x80\x80' '\xe2\x82'; do
		bad_then_good "$(printf '{"data":{"type":"webhookPingCreated","id":"ab%b"}}' "$bytes")"
		[ "$stderr" = "asc-parse: error: line 1, column 46: invalid UTF-8; skipped" ]
	done
}

@test "ASCII RS (0x1e) anywhere is refused with its column, never an abort (libjq would assert)" {
	# Alone, before, after and inside a value, doubled, inside a string, between two values.
	for line in '\x1e' '\x1e{}' '{}\x1e' '{"data":\x1e{}}' '\x1e\x1e{}' '"a\x1eb"' '{} \x1e {}'; do
		bad_then_good "$(printf "$line")"
		column=$(printf "$line" | grep -bo $'\x1e' | head -1 | cut -d: -f1)
		[ "$stderr" = "asc-parse: error: line 1, column $((column + 1)): control character RS (0x1e) is not JSON; skipped" ]
	done
	# On a later line of a value spread over lines: the value is skipped, the next one read.
	bad_then_good "$(printf '{"data":\n\x1e{"type":"x"}}')"
	[ "$stderr" = "asc-parse: error: line 2, column 1: control character RS (0x1e) is not JSON; skipped" ]
	# At the very end of input, with no newline after it.
	{ cat "$FIXTURES/asc/ping.json"; printf '\x1e'; } >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr asc-parse <"$BATS_TEST_TMPDIR/in"
	assert_failure 65
	assert_output "$(cat "$FIXTURES/events/ping.json")"
}

@test "valid UTF-8 of every length passes through unchanged" {
	run --separate-stderr asc-parse < <(printf '{"data":{"type":"webhookPingCreated","id":"é€𝄞\xf4\x8f\xbf\xbf"}}')
	assert_success
	run jq -r .id <<<"$output"
	assert_output "$(printf 'é€𝄞\xf4\x8f\xbf\xbf')"
}

@test "a payload cut short at the end of input" {
	head -c 100 "$FIXTURES/asc/app-version-state.json" >"$BATS_TEST_TMPDIR/cut.json"
	run --separate-stderr asc-parse <"$BATS_TEST_TMPDIR/cut.json"
	assert_failure 65
	assert_output ''
	[ "$stderr" = "asc-parse: error: at end of input: Unfinished string at EOF; skipped" ]
}

@test "empty input is nothing to do" {
	run --separate-stderr asc-parse </dev/null
	assert_success
	assert_output ''
	[ -z "$stderr" ]
}

@test "after a bad value, the rest of it is skipped quietly up to the next value" {
	{
		printf '{\n  "data": {\n    "type": nope,\n    "id": "x"\n  }\n}\n'
		cat "$FIXTURES/asc/ping.json"
	} >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr asc-parse <"$BATS_TEST_TMPDIR/in"
	assert_failure 65
	assert_output "$(cat "$FIXTURES/events/ping.json")"
	[ "$stderr" = "asc-parse: error: line 3, column 17: Invalid literal; skipped" ]
}

@test "a stream of 1,000 payloads, pretty and compact, gives 1,000 lines" {
	for _ in $(seq 100); do cat "$FIXTURES"/asc/*.json; done >"$BATS_TEST_TMPDIR/stream"
	run --separate-stderr asc-parse -q <"$BATS_TEST_TMPDIR/stream"
	assert_success
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .id | sort -u | wc -l)" -eq 10 ]
}

@test "several values on one line, and values split across lines" {
	run --separate-stderr asc-parse < <(printf '{"data":{"type":"webhookPingCreated","id":"a"}} {"data":{"type":"webhookPingCreated","id":"b"}}{"data":\n{"type":"webhookPingCreated",\n"id":"c"}}')
	assert_success
	run jq -r .id <<<"$output"
	assert_output "$(printf 'a\nb\nc')"
}

@test "each event is written and flushed as soon as its payload arrives" {
	mkfifo "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	asc-parse <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	exec {writer}>"$BATS_TEST_TMPDIR/in"
	exec {reader}<"$BATS_TEST_TMPDIR/out"
	cat "$FIXTURES/asc/ping.json" >&$writer
	# The input stays open: the line can only come now if it was flushed.
	read -r -t 10 line <&$reader
	exec {writer}>&-
	wait $pid
	exec {reader}<&-
	assert_equal "$line" "$(cat "$FIXTURES/events/ping.json")"
}

@test "--events keeps subscription names, data.type names and categories, in any case" {
	all() { cat "$FIXTURES"/asc/*.json; }
	run sh -c 'cat "$1"/asc/*.json | asc-parse -q --events APP_STORE_VERSION_APP_VERSION_STATE_UPDATED | jq -r .type | sort -u' sh "$FIXTURES"
	assert_output appStoreVersionAppVersionStateUpdated
	run sh -c 'cat "$1"/asc/*.json | asc-parse -q --events "buildUploadStateUpdated, webhookPingCreated" | jq -r .type' sh "$FIXTURES"
	assert_output "$(printf 'buildUploadStateUpdated\nwebhookPingCreated')"
	run sh -c 'cat "$1"/asc/*.json | asc-parse -q --events testflight | jq -r .type | sort' sh "$FIXTURES"
	assert_output "$(printf 'betaFeedbackCrashSubmissionCreated\nbetaFeedbackScreenshotSubmissionCreated\nbuildBetaDetailExternalBuildStateUpdated')"
	run sh -c 'cat "$1"/asc/*.json | asc-parse -q --events other | jq -r .type' sh "$FIXTURES"
	assert_output appPriceScheduleUpdated
}

@test "--events: an event filtered out is nothing to do (exit 0, no output)" {
	run --separate-stderr asc-parse --events ping <"$FIXTURES/asc/app-version-state.json"
	assert_success
	assert_output ''
	[ -z "$stderr" ]
}

@test "--events: an unknown name is warned about, an empty list is 64" {
	run --separate-stderr asc-parse --events APP_STORE_VERSON <"$FIXTURES/asc/ping.json"
	assert_success
	assert_output ''
	[ "$stderr" = "asc-parse: warning: --events: APP_STORE_VERSON is not a known event, type or category" ]
	run --separate-stderr asc-parse --events ' , ' </dev/null
	assert_failure 64
	[ "$stderr" = "asc-parse: error: --events: the list is empty" ]
}

@test "--jq select keeps only what it selects" {
	run --separate-stderr sh -c 'cat "$1"/asc/*.json | asc-parse -q --jq '\''select(.severity == "error")'\' sh "$FIXTURES"
	assert_success
	assert_output "$(cat "$FIXTURES/events/app-version-rejected.json")"
}

@test "--jq transforms, and each output is its own line" {
	run --separate-stderr asc-parse --jq '{title: "\(.eventType): \(.status)"}, .severity' <"$FIXTURES/asc/app-version-rejected.json"
	assert_success
	assert_output "$(printf '{"title":"App Store Version State Changed: Rejected"}\n"error"')"
}

@test "--jq-file reads the program from a file" {
	printf '.message\n' >"$BATS_TEST_TMPDIR/prog.jq"
	run --separate-stderr asc-parse --jq-file "$BATS_TEST_TMPDIR/prog.jq" <"$FIXTURES/asc/app-version-state.json"
	assert_success
	assert_output '"Prepare for Submission → Waiting for Review"'
	run --separate-stderr asc-parse --jq-file "$BATS_TEST_TMPDIR/none.jq" </dev/null
	assert_failure 66
}

@test "--jq: a program that does not compile is 64 with jq's own message" {
	run --separate-stderr asc-parse --jq '.foo |||' <"$FIXTURES/asc/ping.json"
	assert_failure 64
	assert_output ''
	[[ "$stderr" == *"asc-parse: jq: error: syntax error, unexpected '|'"* ]]
	[[ "$stderr" == *"asc-parse: error: the jq program does not compile (see jq's message above)" ]]
}

@test "--jq: an error at run time skips that event with jq's message, exit 65" {
	run --separate-stderr sh -c 'cat "$1"/asc/ping.json "$1"/asc/app-version-state.json | asc-parse --jq '\''if .ping then error("no pings") else .type end'\' sh "$FIXTURES"
	assert_failure 65
	assert_output '"appStoreVersionAppVersionStateUpdated"'
	[ "$stderr" = "asc-parse: error: jq: error: no pings" ]
}

@test "--jq and --jq-file together are 64" {
	run --separate-stderr asc-parse --jq . --jq-file /dev/null </dev/null
	assert_failure 64
}

@test "--raw keeps the whole payload" {
	run --separate-stderr asc-parse --raw <"$FIXTURES/asc/ping.json"
	assert_success
	run jq -c .raw <<<"$output"
	assert_output "$(jq -c . "$FIXTURES/asc/ping.json")"
}

@test "FILE arguments are read in turn; a missing one is 66" {
	run --separate-stderr asc-parse "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/none.json" - <"$FIXTURES/asc/app-version-state.json"
	assert_failure 66
	assert_output "$(cat "$FIXTURES/events/ping.json" "$FIXTURES/events/app-version-state.json")"
	[ "$stderr" = "asc-parse: error: cannot open $BATS_TEST_TMPDIR/none.json: No such file or directory" ]
}

@test "messages about a file name it" {
	printf 'nope\n' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr asc-parse "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 65
	[ "$stderr" = "asc-parse: error: $BATS_TEST_TMPDIR/bad.json: line 1, column 0: Invalid literal; skipped" ]
}

@test "--max-body: a smaller limit, and a bad value" {
	run --separate-stderr asc-parse --max-body 100 <"$FIXTURES/asc/app-version-state.json"
	assert_failure 65
	run --separate-stderr asc-parse --max-body 0 </dev/null
	assert_failure 64
}

@test "a failed write is 74" {
	run sh -c 'asc-parse <"$1" >/dev/full' sh "$FIXTURES/asc/ping.json"
	assert_failure 74
}

@test "valgrind: bad and good input together leave no error and no leak" {
	[ -z "${ASCBELL_SANITIZE:-}" ] || skip "the ASan build checks memory in this run"
	{
		cat "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json
		printf 'garbage\n[1]\n{"data":{"type":7}}\n{"data":{"type":"x","id":"\xff"}}\n'
		printf '%.0s[' {1..10000}; printf '\n'
		printf '{"data":{"type":"webhookPingCreated","id":"%s"}}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"
		head -c 50 "$FIXTURES/asc/ping.json"
	} >"$BATS_TEST_TMPDIR/mixed"
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-parse" -q --events 'appStore,ping,other,build' <"$BATS_TEST_TMPDIR/mixed"
	assert_failure 65
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-parse" -q --raw --jq 'select(.severity != "info") | .message' <"$BATS_TEST_TMPDIR/mixed"
	assert_failure 65
}
