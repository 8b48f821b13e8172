#!/usr/bin/env bats
# asc-enrich against a fake App Store Connect API that checks every JWT with the public half
# of a key the test makes.

load helpers/common

setup() {
	unset ASC_KEY_ID ASC_ISSUER_ID ASC_PRIVATE_KEY_PATH ASC_PRIVATE_KEY ASC_API_BASE ASC_APP_ID ASC_APP_NAME
	CACHE="$BATS_TEST_TMPDIR/cache"
}

teardown() {
	stop_fake
}

enriched() {
	asc-parse -q <"$FIXTURES/asc/$1.json" | asc-enrich -q --cache "$CACHE" "${@:2}"
}

@test "every fixture event gets what the API knows about it" {
	start_fake_api
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{app, version, platform}"' sh "$FIXTURES/asc/app-version-rejected.json" "$CACHE"
	assert_output '{"app":{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution","bundleId":"com.example.myapp"},"version":"2.3","platform":"IOS"}'
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{feedback, tester, device, osVersion, screenshots, build, feedbackUrl, app: .app.name}"' sh "$FIXTURES/asc/feedback-screenshot.json" "$CACHE"
	assert_output '{"feedback":"The \"Buy\" button\nis cut off 😀","tester":{"name":"Kim Lee","email":"kim@example.com"},"device":"iPhone15,2","osVersion":"18.1","screenshots":["https://example.com/s1.png"],"build":"142","feedbackUrl":"https://appstoreconnect.apple.com/apps/6447123456/testflight/ios","app":"MyApp"}'
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{feedback, device, build}"' sh "$FIXTURES/asc/feedback-crash.json" "$CACHE"
	assert_output '{"feedback":"It crashed when I tapped Buy","device":"iPhone15,2","build":"142"}'
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{build, app: .app.name}"' sh "$FIXTURES/asc/build-beta-state.json" "$CACHE"
	assert_output '{"build":"142","app":"MyApp"}'
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{version, build}"' sh "$FIXTURES/asc/build-upload-state.json" "$CACHE"
	assert_output '{"version":"2.3","build":"143"}'
	# An event with nothing to fetch, and no app, comes out as it went in.
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2"' sh "$FIXTURES/asc/ping.json" "$CACHE"
	assert_output "$(cat "$FIXTURES/events/ping.json")"
	# The original fields are all still there.
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c "{id, status, message, attributes}"' sh "$FIXTURES/asc/app-version-rejected.json" "$CACHE"
	assert_output "$(jq -c '{id, status, message, attributes}' "$FIXTURES/events/app-version-rejected.json")"
}

@test "the guide's feedback template has no empty variable but rating after asc-enrich" {
	start_fake_api
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | asc-render --only -t "[{{app.name}}] New TestFlight Feedback" -b "📱 App: {{app.name}}|👤 Tester: {{tester.name}}|⭐ Rating: {{rating}}/5|💬 Feedback: {{feedback}}|📱 Device: {{device}}" -l "{{feedbackUrl}}"' sh "$FIXTURES/asc/feedback-screenshot.json" "$CACHE"
	assert_output '{"title":"[MyApp] New TestFlight Feedback","body":"📱 App: MyApp|👤 Tester: Kim Lee|⭐ Rating: /5|💬 Feedback: The \"Buy\" button\nis cut off 😀|📱 Device: iPhone15,2","externalLink":"https://appstoreconnect.apple.com/apps/6447123456/testflight/ios"}'
}

@test "one JWT, accepted by the fake, serves every request of a run" {
	start_fake_api
	cat "$FIXTURES/asc/app-version-rejected.json" "$FIXTURES/asc/feedback-screenshot.json" "$FIXTURES/asc/build-upload-state.json" |
		asc-parse -q | asc-enrich -q --cache "$CACHE" >/dev/null
	[ "$(api_requests)" -ge 3 ]
	assert_equal "$(cut -d' ' -f3 "$API_DIR/log" | sort -u | wc -l)" 1
	run grep -c NOT_AUTHORIZED "$API_DIR/log"
	assert_output 0
}

@test "an alternative-distribution event names its app from attributes.appId" {
	start_fake_api
	run sh -c 'asc-parse -q <"$1" | asc-enrich --cache "$2" | jq -c .app' sh "$FIXTURES/asc/alt-distribution-available.json" "$CACHE"
	assert_output '{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution","bundleId":"com.example.myapp"}'
}

@test "the token: ES256 with the key id, the issuer, aud appstoreconnect-v1, 20 minutes" {
	start_fake_api
	enriched app-version-rejected >/dev/null
	token=$(head -n 1 "$API_DIR/log" | cut -d' ' -f3)
	run python3 -c 'import base64, json, sys
def part(p): return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
h, c, _ = sys.argv[1].split(".")
h, c = part(h), part(c)
print(h["alg"], h["kid"], h["typ"], c["iss"], c["aud"], c["exp"] - c["iat"])' "$token"
	assert_output 'ES256 ABC123DEFG JWT 57246542-96fe-1a63-e053-0824d011072a appstoreconnect-v1 1200'
}

@test "feedback and uploads reach their app through the build, as the spec has it; fewest requests" {
	start_fake_api
	# The spec gives feedback and uploads no app relationship: the build's app it is.
	for fixture in feedback-screenshot feedback-crash build-beta-state build-upload-state app-version-rejected; do
		enriched "$fixture" >/dev/null
	done
	run cut -d' ' -f1,2 "$API_DIR/log"
	assert_output 'GET /v1/betaFeedbackScreenshotSubmissions/AQz7Hk2pL9vXb3Tn0eWm5Rc?include=build,tester
GET /v1/builds/build-1?include=app,preReleaseVersion&fields%5Bapps%5D=name,bundleId
GET /v1/betaFeedbackCrashSubmissions/AJk4Wd8sQ1mYr6Gv2bNz7Tx?include=build,tester
GET /v1/buildBetaDetails/c7d2a9e4-1f36-4b8d-95e0-3a6f2c8b1d07/build?include=app,preReleaseVersion&fields%5Bapps%5D=name,bundleId
GET /v1/buildUploads/e0b4c8a2-6d13-4f79-a2c5-9b1e4d7f3a60?include=build
GET /v1/builds/build-2?include=app,preReleaseVersion&fields%5Bapps%5D=name,bundleId
GET /v1/appStoreVersions/b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58?include=app&fields%5Bapps%5D=name,bundleId'
	# The crash report's build was known from the screenshot's: its app and version come
	# from the cache, where a build's never change.
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | jq -c "{app: .app.name, version, build, platform, feedbackUrl}"' sh "$FIXTURES/asc/feedback-crash.json" "$CACHE"
	assert_output '{"app":"MyApp","version":"2.3","build":"142","platform":"IOS","feedbackUrl":"https://appstoreconnect.apple.com/apps/6447123456/testflight/ios"}'
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | jq -c "{app: .app.name, version, build, platform}"' sh "$FIXTURES/asc/build-beta-state.json" "$CACHE"
	assert_output '{"app":"MyApp","version":"2.3","build":"142","platform":"IOS"}'
	[ -f "$CACHE/apps/6447123456.json" ] && [ -f "$CACHE/builds/build-1.json" ]
}

@test "an app known only by id is asked for once a day, then cached" {
	start_fake_api
	enriched alt-distribution-available >/dev/null
	enriched alt-distribution-available >/dev/null
	run cut -d' ' -f1,2 "$API_DIR/log"
	assert_output 'GET /v1/apps/6447123456?fields%5Bapps%5D=name,bundleId'
}

@test "a FAILED upload: Apple's reasons in the event and on the phone, exactly" {
	start_fake_api
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | jq -c "{version, build, platform, errors, errorSummary, warnings, enrichError}"' sh "$FIXTURES/api/build-upload-failed.json" "$CACHE"
	assert_output '{"version":"2.4","build":"150","platform":"IOS","errors":[{"code":"ITMS-90683","description":"Missing purpose string in Info.plist"},{"code":"ITMS-90725","description":"SDK version issue"}],"errorSummary":"ITMS-90683: Missing purpose string in Info.plist\nITMS-90725: SDK version issue","warnings":[{"code":"ITMS-90078","description":"Missing push notification entitlement"}],"enrichError":null}'
	# No build was made of it: one request, and no app to name.
	assert_equal "$(api_requests)" 1
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | asc-render --text' sh "$FIXTURES/api/build-upload-failed.json" "$CACHE"
	assert_output 'Title: ❌ Build 150 Failed
Body:  Processing → Failed
       ITMS-90683: Missing purpose string in Info.plist
       ITMS-90725: SDK version issue
       Fix these and upload again.
       Build Upload State Changed · 2026-03-07T10:02:11.5Z
Link:  https://appstoreconnect.apple.com/apps'
	# With the app known (from the webhook's URL), the title names it.
	run sh -c 'asc-parse -q --app-id 6447123456 <"$1" | asc-enrich -q --cache "$2" | asc-render --only | jq -r .title' sh "$FIXTURES/api/build-upload-failed.json" "$CACHE"
	assert_output '❌ MyApp 2.4: Build 150 Failed'
}

@test "a FAILED upload whose reasons hold template syntax, quotes and line breaks: text, one line each" {
	start_fake_api
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | asc-render --text' sh "$FIXTURES/api/build-upload-hostile.json" "$CACHE"
	assert_output 'Title: ❌ Build 151 Failed
Body:  Processing → Failed
       ITMS-90000: Bad "{{app.name}}" value in {{ 1 + 1 }}\n '"'here'"'
       No code at all
       Fix these and upload again.
       Build Upload State Changed · 2026-03-07T10:02:11.5Z
Link:  https://appstoreconnect.apple.com/apps'
	run sh -c 'asc-parse -q <"$1" | asc-enrich -q --cache "$2" | jq -c .errors' sh "$FIXTURES/api/build-upload-hostile.json" "$CACHE"
	assert_output '[{"code":"ITMS-90000","description":"Bad \"{{app.name}}\" value\nin {{ 1 + 1 }}\\n '"'here'"'"},{"description":"No code at all"}]'
}

@test "sparse answers (no attributes: the spec requires none): what is there passes, nothing is cached empty" {
	start_fake_api
	echo sparse >"$API_DIR/mode"
	for fixture in app-version-rejected feedback-screenshot feedback-crash build-beta-state build-upload-state alt-distribution-available; do
		run --separate-stderr enriched "$fixture"
		assert_success
		assert_equal "$(jq -c '[.version, .feedback, .app.name, .enrichError]' <<<"$output")" '[null,null,null,null]'
	done
	assert_equal "$(jq -c '{app: .app.id, tester}' <<<"$(enriched feedback-screenshot)")" '{"app":"6447123456","tester":{}}'
	[ ! -e "$CACHE/apps/6447123456.json" ]
	rm "$API_DIR/mode"
	assert_equal "$(enriched feedback-screenshot | jq -r .app.name)" MyApp
}

@test "a key the fake does not know: 401, the event passes with enrichError, exit 0" {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$BATS_TEST_TMPDIR/other.p8" 2>/dev/null
	openssl pkey -in "$BATS_TEST_TMPDIR/other.p8" -pubout -out "$BATS_TEST_TMPDIR/other.pem"
	start_fake_api "$BATS_TEST_TMPDIR/other.pem"
	run --separate-stderr enriched app-version-rejected
	assert_success
	run jq -r .enrichError <<<"$output"
	assert_output '/v1/appStoreVersions/b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58?include=app&fields%5Bapps%5D=name,bundleId: HTTP 401: NOT_AUTHORIZED: Authentication credentials are missing or invalid.: the signature does not verify'
}

@test "404, 500, a stalled API and no API at all: the event passes on time with enrichError" {
	start_fake_api
	echo 404 >"$API_DIR/mode"
	run --separate-stderr enriched app-version-rejected
	assert_success
	[[ "$(jq -r .enrichError <<<"$output")" == *"HTTP 404: FAKE: told to fail"* ]]
	assert_equal "$(jq -r .status <<<"$output")" Rejected
	echo 500 >"$API_DIR/mode"
	run --separate-stderr enriched app-version-rejected
	assert_success
	[[ "$(jq -r .enrichError <<<"$output")" == *"HTTP 500"* ]]
	echo stall >"$API_DIR/mode"
	start=$(date +%s%N)
	run --separate-stderr enriched app-version-rejected --timeout 1
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_success
	[[ "$(jq -r .enrichError <<<"$output")" == *"Timeout was reached"* || "$(jq -r .enrichError <<<"$output")" == *"timed out"* || "$(jq -r .enrichError <<<"$output")" == *"timeout"* ]]
	# Well before the fake's 30 s stall ends: the timeout, not the API, decided.
	[ "$elapsed_ms" -lt 10000 ]
	export ASC_API_BASE=http://127.0.0.1:1
	run --separate-stderr enriched app-version-rejected
	assert_success
	[[ "$(jq -r .enrichError <<<"$output")" == *"Failed to connect"* ]]
}

@test "an API answer cut short, or with members of the wrong kinds: no crash, the event passes" {
	start_fake_api
	echo garbage >"$API_DIR/mode"
	run --separate-stderr enriched app-version-rejected
	assert_success
	[[ "$(jq -r .enrichError <<<"$output")" == "/v1/appStoreVersions/b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58?include=app&fields%5Bapps%5D=name,bundleId: "* ]]
	assert_equal "$(jq -r .status <<<"$output")" Rejected
	echo wrongtypes >"$API_DIR/mode"
	for fixture in app-version-rejected feedback-screenshot build-beta-state build-upload-state; do
		run --separate-stderr enriched "$fixture"
		assert_success
		assert_equal "$(jq -r '[.version, .feedback, .tester.name, .enrichError] | map(. // "") | join("")' <<<"$output")" ''
	done
}

@test "the Test button's ping with ASC_APP_ID set (an app id, no instance): the app's name, no crash" {
	start_fake_api
	run --separate-stderr sh -c 'asc-parse -q --app-id 6447123456 <"$1" | asc-enrich --cache "$2" | jq -c "{status, instance, app}"' sh "$FIXTURES/asc/ping.json" "$CACHE"
	assert_success
	assert_output '{"status":"Ping received","instance":{"type":null,"id":null,"url":null},"app":{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution","bundleId":"com.example.myapp"}}'
	# Instances of odd shapes beside an app id.
	run --separate-stderr asc-enrich --cache "$CACHE" <<<'{"app":{"id":"6447123456"}} {"app":{"id":"6447123456"},"instance":null} {"app":{"id":"6447123456"},"instance":{"type":5,"id":[]}} {"app":"6447123456","instance":"x"}'
	assert_success
	assert_equal "$(jq -c 'if (.app | type) == "object" then .app.name else .app end' <<<"$output" | tr '\n' ' ')" '"MyApp" "MyApp" "MyApp" "6447123456" '
}

@test "hostile answers (not the spec): empty 2xx, not an object, no id, ids not strings, data null: every event passes" {
	start_fake_api
	for mode in empty array noid numberid nulldata; do
		echo "$mode" >"$API_DIR/mode"
		for fixture in "$FIXTURES"/asc/*.json; do
			rm -rf "$CACHE"
			run --separate-stderr sh -c 'asc-parse -q --app-id 6447123456 <"$1" | asc-enrich -q --cache "$2"' sh "$fixture" "$CACHE"
			assert_success
			assert_equal "$(jq -c '[.id, .status]' <<<"$output")" "$(asc-parse -q <"$fixture" | jq -c '[.id, .status]')"
		done
	done
	# Nothing unusable was cached as the app's name.
	assert_equal "$(cat "$CACHE"/apps/* 2>/dev/null)" ''
}

@test "429 with Retry-After is tried again" {
	start_fake_api
	echo 429:1 >"$API_DIR/mode"
	( sleep 0.5; rm -f "$API_DIR/mode" ) &
	run --separate-stderr enriched app-version-rejected
	assert_success
	assert_equal "$(jq -r .version <<<"$output")" 2.3
	assert_equal "$(jq -r .enrichError <<<"$output")" null
}

@test "no credentials: events pass through untouched, one warning" {
	run --separate-stderr sh -c 'cat "$1"/asc/ping.json "$1"/asc/app-version-rejected.json | asc-parse -q | asc-enrich' sh "$FIXTURES"
	assert_success
	assert_output "$(cat "$FIXTURES/events/ping.json" "$FIXTURES/events/app-version-rejected.json")"
	[ "$stderr" = "asc-enrich: warning: no App Store Connect API credentials (ASC_KEY_ID, ASC_ISSUER_ID, ASC_PRIVATE_KEY_PATH): events pass through as they are" ]
}

@test "a bad key file is 78 with a clear message; odd ids too" {
	export ASC_KEY_ID=ABC123DEFG ASC_ISSUER_ID=x ASC_PRIVATE_KEY_PATH="$BATS_TEST_TMPDIR/bad.p8"
	printf 'not a key\n' >"$ASC_PRIVATE_KEY_PATH"
	run --separate-stderr asc-enrich </dev/null
	assert_failure 78
	[ "$stderr" = "asc-enrich: error: $ASC_PRIVATE_KEY_PATH is not an ES256 private key in PEM (AuthKey_<KEYID>.p8)" ]
	ASC_PRIVATE_KEY_PATH="$BATS_TEST_TMPDIR/none.p8" run --separate-stderr asc-enrich </dev/null
	assert_failure 78
	ASC_KEY_ID='AB"C' run --separate-stderr asc-enrich </dev/null
	assert_failure 78
	[ "$stderr" = "asc-enrich: error: ASC_KEY_ID and ASC_ISSUER_ID take letters, digits and dashes" ]
}

@test "ASC_API_BASE in plain http off this machine is 78: the JWT never travels in clear text" {
	start_fake_api
	ASC_API_BASE=http://127.attacker.example run --separate-stderr asc-enrich </dev/null
	assert_failure 78
	[ "$stderr" = "asc-enrich: error: ASC_API_BASE http://127.attacker.example refused: plain http only to a loopback host; use https" ]
	ASC_API_BASE=http://127.attacker.example run --separate-stderr asc-webhooks list
	assert_failure 78
	assert_equal "$(api_requests)" 0
}

@test "input that is not an object is 65; the rest still comes out" {
	run --separate-stderr asc-enrich <<<'[1] {"a":1}'
	assert_failure 65
	assert_output '{"a":1}'
}

@test "ASCII RS (0x1e) in the input: 65, the next event still comes out" {
	for line in '\x1e{"a":1}' '{"a":1}\x1e' '{"a":\x1e1}'; do
		run --separate-stderr asc-enrich -q < <(printf "$line"'\n{"a":2}\n')
		assert_failure 65
		assert_output '{"a":2}'
		[[ "$stderr" == "asc-enrich: error: line 1, column "*": control character RS (0x1e) is not JSON; skipped" ]]
	done
}
