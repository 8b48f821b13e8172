#!/usr/bin/env bats
# asc-route: which routes each event goes to, and why; the routes file, read strictly.

load helpers/common

setup() {
	unset ASCBELL_ROUTES ECHOBELL_ESCALATION_URL_FILE
	T=$BATS_TEST_TMPDIR
	for name in qa releases escalation; do
		printf 'https://hook.echobell.one/t/%s-token\n' "$name" >"$T/$name.url"
	done
	printf '{"default": {"title": "QA {{status}}"}}\n' >"$T/qa.json"
	cat >"$T/routes.json" <<EOF
{"routes": [
  {"name": "qa", "category": "testFlight", "urlFile": "$T/qa.url", "templates": "$T/qa.json"},
  {"name": "releases", "category": ["appStore", "build"], "app": ["6447123456", "MyApp"], "urlFile": "$T/releases.url"},
  {"name": "escalation", "severity": "error", "urlFile": "$T/escalation.url",
   "quiet": {"hours": "22:00-07:00", "zone": "Europe/Berlin", "below": "error"}},
  {"name": "beta", "when": "app.name.includes(\"Beta\") && severity != \"info\"", "urlFile": "$T/qa.url"},
  {"name": "feedback", "event": "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED", "urlFile": "$T/qa.url"},
  {"name": "all", "urlFile": "$T/qa.url"}
]}
EOF
}

events() {
	asc-parse -q --app-id 6447123456 --app-name "${APP_NAME:-MyApp}" "$@"
}

@test "--explain: each event and, for every route, the rules looked at up to the first that failed" {
	run -0 --separate-stderr asc-route -f "$T/routes.json" --explain \
		<(events "$FIXTURES/asc/app-version-rejected.json" "$FIXTURES/asc/build-beta-state.json" "$FIXTURES/asc/feedback-crash.json")
	assert_output - <<'EOF'
event 1 APP_STORE_VERSION_APP_VERSION_STATE_UPDATED 9d4e2b71-0c6a-4f3e-8b15-7a2c9e0d6f43:
  qa: no (category "appStore" is not "testFlight")
  releases: yes (app id "6447123456" is "6447123456"; category "appStore" is "appStore" or "build")
  escalation: yes (severity "error" is "error")
  beta: no (when app.name.includes("Beta") && severity != "info" is false)
  feedback: no (event "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED" is not "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED")
  all: yes (no rules: every event)
event 2 BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED 5e8a1c3f-7b29-4d60-a4e2-0f9b6c3d8e15:
  qa: yes (category "testFlight" is "testFlight")
  releases: no (app id "6447123456" is "6447123456"; category "testFlight" is not "appStore" or "build")
  escalation: no (severity "success" is not "error")
  beta: no (when app.name.includes("Beta") && severity != "info" is false)
  feedback: no (event "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED" is not "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED")
  all: yes (no rules: every event)
event 3 BETA_FEEDBACK_CRASH_SUBMISSION_CREATED 8b2d5f0a-9e71-4c3b-a6d4-1e8c7b9f2a05:
  qa: yes (category "testFlight" is "testFlight")
  releases: no (app id "6447123456" is "6447123456"; category "testFlight" is not "appStore" or "build")
  escalation: no (severity "warning" is not "error")
  beta: no (when app.name.includes("Beta") && severity != "info" is false)
  feedback: yes (event "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED" is "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED")
  all: yes (no rules: every event)
EOF
}

@test "the lines: route, URL file, templates (- for none), the event; in the order of events, then routes" {
	events "$FIXTURES/asc/app-version-rejected.json" "$FIXTURES/asc/build-beta-state.json" >"$T/events"
	run -0 --separate-stderr asc-route -f "$T/routes.json" "$T/events"
	local rejected beta
	rejected=$(sed -n 1p "$T/events") beta=$(sed -n 2p "$T/events")
	assert_output "$(printf 'releases\t%s\t-\t%s\nescalation\t%s\t-\t%s\nall\t%s\t-\t%s\nqa\t%s\t%s\t%s\nall\t%s\t-\t%s' \
		"$T/releases.url" "$rejected" "$T/escalation.url" "$rejected" "$T/qa.url" "$rejected" \
		"$T/qa.url" "$T/qa.json" "$beta" "$T/qa.url" "$beta")"
	# The fields a shell loop reads give back the event as asc-parse wrote it.
	printf '%s\n' "$output" | head -n 1 | cut -f4 | cmp - <(sed -n 1p "$T/events")
}

@test "when: any condition of the template language, on the event's fields" {
	APP_NAME="My Beta" events "$FIXTURES/asc/build-beta-state.json" "$FIXTURES/asc/feedback-screenshot.json" >"$T/events"
	run -0 asc-route -f "$T/routes.json" --explain "$T/events"
	assert_line '  beta: yes (when app.name.includes("Beta") && severity != "info" is true)'
	assert_line '  beta: no (when app.name.includes("Beta") && severity != "info" is false)'
	# The app rule by name, when the id is not listed.
	printf '{"routes": [{"name": "n", "app": "My Beta", "urlFile": "%s"}]}\n' "$T/qa.url" >"$T/byname.json"
	run -0 asc-route -f "$T/byname.json" --explain <(sed -n 1p "$T/events")
	assert_line '  n: yes (app name "My Beta" is "My Beta")'
}

@test "ECHOBELL_ESCALATION_URL_FILE adds the route escalation (severity error) after the file's" {
	printf '{"routes": [{"name": "qa", "category": "testFlight", "urlFile": "%s"}]}\n' "$T/qa.url" >"$T/one.json"
	ECHOBELL_ESCALATION_URL_FILE="$T/escalation.url" run -0 asc-route -f "$T/one.json" --explain \
		<(events "$FIXTURES/asc/app-version-rejected.json")
	assert_line '  escalation: yes (severity "error" is "error")'
	# A file with its own route escalation and the shorthand: which one is meant is not clear.
	ECHOBELL_ESCALATION_URL_FILE="$T/escalation.url" run -78 asc-route -f "$T/routes.json" </dev/null
	assert_output "asc-route: error: $T/routes.json: two routes named escalation (ECHOBELL_ESCALATION_URL_FILE adds the route escalation)"
}

@test "input that is not an event: 65, the rest is routed" {
	{ echo '[1]'; events "$FIXTURES/asc/app-version-rejected.json"; } >"$T/in"
	run -65 --separate-stderr asc-route -f "$T/routes.json" "$T/in"
	assert_equal "$(printf '%s\n' "$output" | cut -f1 | tr '\n' ' ')" 'releases escalation all '
	assert_equal "$stderr" "asc-route: error: $T/in: line 1 (value 1): not an event (a JSON object); skipped"
}

@test "bad input: oversized, invalid UTF-8, cut short: each skipped with 65 and its place; the next event still routed" {
	{ printf '{"event":"X","pad":"%s"}\n' "$(head -c 2000 /dev/zero | tr '\0' a)"; echo '{"event":"Y","id":"2"}'; } >"$T/big"
	run -65 --separate-stderr asc-route -f "$T/routes.json" --max-body 1K "$T/big"
	assert_equal "$(printf '%s\n' "$output" | cut -f1,4 | tr '\t\n' '| ')" 'all|{"event":"Y","id":"2"} '
	assert_equal "$stderr" "asc-route: error: $T/big: line 1: JSON value larger than 1024 bytes; skipped"
	run -65 --separate-stderr asc-route -f "$T/routes.json" < <(printf '{"event":"\xff"}\n{"event":"Z"}\n')
	assert_equal "$(printf '%s\n' "$output" | cut -f1,4 | tr '\t\n' '| ')" 'all|{"event":"Z"} '
	assert_equal "$stderr" "asc-route: error: line 1, column 11: invalid UTF-8; skipped"
	run -65 --separate-stderr asc-route -f "$T/routes.json" < <(printf '{"event":"Z"')
	assert_output ''
	assert_equal "$stderr" "asc-route: error: at end of input: Unfinished JSON term at EOF; skipped"
	for size in 0 2x -1 ''; do
		run -64 --separate-stderr asc-route -f "$T/routes.json" --max-body "$size" </dev/null
		assert_equal "$stderr" "asc-route: error: --max-body: not a size: $size (bytes, or with K, M, G)"
	done
}

@test "hostile strings in an event: tabs, newlines, quotes and {{ stay inside the line's JSON; one line per route" {
	cat >"$T/hostile" <<'EOF'
{"event":"E\t1\n2","id":"\"{{x}}\"","app":{"name":"Beta\tApp\n{{id}}"},"severity":"warning"}
EOF
	run --separate-stderr asc-route -f "$T/routes.json" "$T/hostile"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$(printf '%s\n' "$output" | cut -f1 | tr '\n' ' ')" 'beta all '
	assert_equal "$(printf '%s\n' "$output" | head -n 1 | cut -f4 | jq -c .)" '{"event":"E\t1\n2","id":"\"{{x}}\"","app":{"name":"Beta\tApp\n{{id}}"},"severity":"warning"}'
	assert_equal "$(printf '%s\n' "$output" | awk -F '\t' '{print NF}' | tr '\n' ' ')" '4 4 '
	run --separate-stderr asc-route -f "$T/routes.json" --explain "$T/hostile"
	assert_line --index 0 'event 1 "E\t1\n2" "{{x}}":'
	assert_equal "${#lines[@]}" 7
}

@test "no routes file: 64; ASCBELL_ROUTES names it" {
	run -64 asc-route </dev/null
	assert_output 'asc-route: error: no routes file: give -f FILE or set ASCBELL_ROUTES'
	ASCBELL_ROUTES="$T/routes.json" run -0 asc-route </dev/null
	assert_output ''
}

# Each way a routes file can be wrong: 78, and a message that says where.
bad() {
	printf '%s' "$1" >"$T/bad.json"
	run -78 asc-route -f "$T/bad.json" </dev/null
	assert_output "asc-route: error: $2"
}

@test "a bad routes file: each error, 78 with what and where" {
	local u="\"urlFile\": \"$T/qa.url\""
	bad '' "$T/bad.json: not JSON: Expected JSON value"
	bad '{"routes": [' "$T/bad.json: not JSON: Unfinished JSON term at EOF at line 1, column 12"
	bad '[]' "$T/bad.json: not an object with \"routes\""
	bad '{"routes": []}' "$T/bad.json: \"routes\" must be a non-empty array"
	bad '{"routes": {}}' "$T/bad.json: \"routes\" must be a non-empty array"
	bad '{"routes": [{"name": "a", '"$u"'}], "route": 1}' "$T/bad.json: unknown key \"route\" (only \"routes\")"
	bad '{"routes": [1]}' "$T/bad.json: route 1: not an object"
	bad '{"routes": [{'"$u"'}]}' "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad '{"routes": [{"name": "a b", '"$u"'}]}' "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad '{"routes": [{"name": "..", '"$u"'}]}' "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad '{"routes": [{"name": "a/b", '"$u"'}]}' "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad '{"routes": [{"name": 7, '"$u"'}]}' "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad "{\"routes\": [{\"name\": \"$(printf 'a%.0s' $(seq 65))\", $u}]}" "$T/bad.json: route 1: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'"
	bad '{"routes": [{"name": "a", '"$u"'}, {"name": "a", '"$u"'}]}' "$T/bad.json: two routes named a"
	bad '{"routes": [{"name": "a"}]}' "$T/bad.json: route a: no \"urlFile\""
	bad '{"routes": [{"name": "a", "urlFile": "'"$T"'/nope.url"}]}' "$T/bad.json: route a: urlFile $T/nope.url cannot be read: No such file or directory"
	bad '{"routes": [{"name": "a", "urlFile": 1}]}' "$T/bad.json: route a: \"urlFile\" must be a file name (a string, no control characters)"
	bad '{"routes": [{"name": "a", "urlFile": "a\tb"}]}' "$T/bad.json: route a: \"urlFile\" must be a file name (a string, no control characters)"
	bad '{"routes": [{"name": "a", '"$u"', "templates": "'"$T"'/nope.json"}]}' "$T/bad.json: route a: templates $T/nope.json cannot be read: No such file or directory"
	bad '{"routes": [{"name": "a", '"$u"', "colour": "red"}]}' "$T/bad.json: route a: unknown key \"colour\" (name, urlFile, templates, app, category, event, severity, when, quiet)"
	bad '{"routes": [{"name": "a", '"$u"', "category": 1}]}' "$T/bad.json: route a: \"category\" must be a string or a non-empty array of strings"
	bad '{"routes": [{"name": "a", '"$u"', "app": []}]}' "$T/bad.json: route a: \"app\" must be a string or a non-empty array of strings"
	bad '{"routes": [{"name": "a", '"$u"', "event": ["X", 2]}]}' "$T/bad.json: route a: \"event\" must be a string or a non-empty array of strings"
	bad '{"routes": [{"name": "a", '"$u"', "severity": "fatal"}]}' "$T/bad.json: route a: severity fatal is not info, success, warning or error"
	bad '{"routes": [{"name": "a", '"$u"', "when": true}]}' "$T/bad.json: route a: \"when\" must be a string (a condition)"
	bad '{"routes": [{"name": "a", '"$u"', "when": "{{ severity == \"error\" }}"}]}' "$T/bad.json: route a: \"when\" is a condition, not a template: write it without {{ }}"
	bad '{"routes": [{"name": "a", '"$u"', "when": "severity =="}]}' "$T/bad.json: route a: \"when\", column 12: expected an expression"
	bad '{"routes": [{"name": "a", '"$u"', "quiet": "22:00-07:00"}]}' "$T/bad.json: route a: \"quiet\" must be an object"
	# Not UTF-8, and too large to be a routes file.
	printf '{"routes": [{"name": "a\xff", %s}]}' "$u" >"$T/bad.json"
	run -78 asc-route -f "$T/bad.json" </dev/null
	assert_output "asc-route: error: $T/bad.json: not UTF-8 (byte 24)"
	{ printf '{"routes": [{"name": "a", %s, "when": "' "$u"; head -c 300000 /dev/zero | tr '\0' ' '; printf 'true"}]}'; } >"$T/bad.json"
	run -78 asc-route -f "$T/bad.json" </dev/null
	assert_output "asc-route: error: $T/bad.json: larger than 256 KiB: not a routes file"
	run -78 asc-route -f "$T/none.json" </dev/null
	assert_output "asc-route: error: cannot read the routes file $T/none.json: No such file or directory"
}

@test "an event without the fields a rule looks at: null, no match; its name and id shown as ?" {
	run -0 asc-route -f "$T/routes.json" --explain <<<'{}'
	assert_output - <<'EOF'
event 1 ? ?:
  qa: no (category null is not "testFlight")
  releases: no (app id null is not "6447123456"; app name null is not "MyApp")
  escalation: no (severity null is not "error")
  beta: no (when app.name.includes("Beta") && severity != "info" is false)
  feedback: no (event null is not "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED")
  all: yes (no rules: every event)
EOF
}

@test "a when with a method the template language does not have: 78 when the file is read" {
	printf '{"routes": [{"name": "w", "when": "app.name.nosuch()", "urlFile": "%s"}]}\n' "$T/qa.url" >"$T/w.json"
	run -78 asc-route -f "$T/w.json" </dev/null
	assert_output "asc-route: error: $T/w.json: route w: \"when\", column 10: unknown method nosuch() (includes, startsWith, endsWith, toUpperCase, toLowerCase, trim)"
}
