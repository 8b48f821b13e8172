#!/usr/bin/env bats
# asc-render: the template language as Echobell documents it, template sets, defaults,
# and what hostile values and broken templates do.

load helpers/common

setup() {
	export ASCBELL_NOW=2026-03-02T14:05:19.412Z
	unset ASC_APP_ID ASC_APP_NAME ASCBELL_TZ
}

# The title rendered from template $2 with the event $1.
title() {
	printf '%s' "$1" | asc-render --only -t "$2" | jq -r .title
}

@test "Echobell's documented examples render as Echobell would" {
	assert_equal "$(title '{"user":{"name":"Ann"}}' '{{user.name}}')" Ann
	assert_equal "$(title '{"data":{"value":"v"}}' '{{data["value"]}}')" v
	assert_equal "$(title '{"items":[{"name":"first"}]}' '{{items[0].name}}')" first
	assert_equal "$(title '{"alerts":[{"labels":{"instance":"db1"}}]}' '{{alerts[0].labels["instance"]}}')" db1
	assert_equal "$(title '{"amount":1500}' '{{amount > 1000 ? "large" : "standard"}}')" large
	assert_equal "$(title '{"amount":10}' '{{amount > 1000 ? "large" : "standard"}}')" standard
	assert_equal "$(title '{"count":3}' '{{count > 1 ? count + " errors" : "1 error"}}')" '3 errors'
	assert_equal "$(title '{"count":1}' '{{count > 1 ? count + " errors" : "1 error"}}')" '1 error'
	assert_equal "$(title '{}' '{{username || "Anonymous User"}}')" 'Anonymous User'
	assert_equal "$(title '{"username":"kim"}' '{{username || "Anonymous User"}}')" kim
	assert_equal "$(title '{"otherVar":"other"}' '{{a.b || otherVar}}')" other
	assert_equal "$(title '{"header":{"user-agent":"Mozilla/5.0"}}' '{{header["user-agent"].includes("Mozilla")}}')" true
	assert_equal "$(title '{"amount":100}' 'You have received ${{amount}}')" 'You have received $100'
	assert_equal "$(title '{"status":"active"}' "{{status == 'active'}}")" true
	assert_equal "$(title '{"age":20}' '{{age > 18}}')" true
	assert_equal "$(title '{"isSubscribed":true,"isPaused":false}' '{{isSubscribed && !isPaused}}')" true
	assert_equal "$(title '{"isUrgent":false,"isHighPriority":true}' '{{isUrgent || isHighPriority}}')" true
	assert_equal "$(title '{}' '{{missing}}|{{missing.deeper[3]}}|')" '||'
}

@test "Echobell's UTC time variables, pinned by ASCBELL_NOW" {
	run --separate-stderr title '{}' '{{now}}|{{iso}}|{{epochMs}}|{{epochSeconds}}|{{year}}|{{month}}|{{monthName}}|{{dayOfMonth}}|{{dayOfWeek}}|{{dayOfWeekName}}|{{hour}}|{{minute}}|{{second}}|{{date}}|{{time}}|{{timezone}}'
	assert_output '2026-03-02T14:05:19.412Z|2026-03-02T14:05:19.412Z|1772460319412|1772460319|2026|3|March|2|1|Monday|14|5|19|2026-03-02|14:05:19|UTC'
}

@test "time variables work in conditions: weekdays during business hours" {
	run --separate-stderr asc-render --only -c 'hour >= 9 && hour < 17 && dayOfWeek >= 1 && dayOfWeek <= 5' -t x -b '' -l '' <<<'{}'
	assert_output '{"title":"x","body":"","externalLink":""}'
	ASCBELL_NOW=2026-03-01T10:00:00Z run --separate-stderr asc-render --only -c 'dayOfWeek >= 1 && dayOfWeek <= 5' -t x -b '' -l '' <<<'{}'
	assert_success
	assert_output ''
}

@test "an event's own field wins over a time variable of the same name" {
	assert_equal "$(title '{"date":"mine"}' '{{date}}')" mine
}

@test "a bad ASCBELL_NOW is 78" {
	ASCBELL_NOW=yesterday run --separate-stderr asc-render </dev/null
	assert_failure 78
	[ "$stderr" = "asc-render: error: ASCBELL_NOW: not a UTC time like 2026-03-02T14:05:19Z" ]
}

@test "operator precedence and JavaScript's rules, table by table" {
	vars='{"a":1,"b":2,"s":"x","z":0,"e":"","t":true,"f":false,"n":null}'
	while IFS= read -r line; do
		[[ "$line" == '#'* ]] && continue
		run title "$vars" "{{${line% ⇒ *}}}"
		assert_output "${line##* ⇒ }"
	done <"$FIXTURES/render/precedence.txt"
}

@test "== between an array and an object is false, as in JavaScript (fuzz-tmpl found it made libjq assert)" {
	vars='{"a":1,"b":{"c":"deep"},"arr":[1,"two"],"obj":{"k":"v"}}'
	run --separate-stderr title "$vars" "$(cat "$FIXTURES/render/object-equals-array.tmpl")"
	assert_success
	assert_output not
	assert_equal "$(title "$vars" '{{obj == arr}}|{{arr == obj}}|{{obj != arr}}|{{arr == arr}}|{{obj === arr}}')" 'false|false|true|true|false'
}

@test "truthiness: as JavaScript's, in conditions and with !" {
	while IFS='|' read -r value expected; do
		[[ "$value" == '#'* ]] && continue
		run title "{\"v\":$value}" '{{!!v}}|{{v ? "yes" : "no"}}'
		assert_output "$expected|$( [ "$expected" = true ] && echo yes || echo no)"
		run sh -c 'printf "%s" "$1" | asc-render --only -c v -t kept | wc -l' sh "{\"v\":$value}"
		assert_output "$( [ "$expected" = true ] && echo 1 || echo 0)"
	done <"$FIXTURES/render/truthiness.txt"
}

@test "values render as JavaScript prints them; missing and null as empty; arrays and objects as JSON" {
	run title '{"i":1,"f":1.5,"big":1e21,"neg":-0,"t":true,"n":null,"arr":[1,"a",null],"obj":{"k":"v"}}' \
		'{{i}}|{{f}}|{{big}}|{{neg}}|{{t}}|{{n}}|{{nothing}}|{{arr}}|{{obj}}|{{arr.length}}|{{"😀".length}}'
	assert_output '1|1.5|1e+21|0|true|||[1,"a",null]|{"k":"v"}|3|2'
}

@test "string methods" {
	run title '{"s":"  Hello World  ","x":"TestFlight"}' \
		'{{s.trim()}}|{{x.toUpperCase()}}|{{x.toLowerCase()}}|{{x.startsWith("Test")}}|{{x.endsWith("Flight")}}|{{x.includes("stF")}}|{{x.includes("nope")}}|{{"é".toUpperCase()}}'
	assert_output 'Hello World|TESTFLIGHT|testflight|true|true|true|false|É'
}

@test "includes on an array, indexes on strings and arrays" {
	run title '{"tags":["beta","ios"],"s":"abc"}' '{{tags.includes("ios")}}|{{tags.includes("x")}}|{{tags[1]}}|{{tags[9]}}|{{s[1]}}|{{tags["0"]}}'
	assert_output 'true|false|ios||b|beta'
}

@test "a method on a number is an evaluation error: empty text and one warning, never a crash" {
	printf '{"n":5}\n{"n":6}\n{"n":7}\n' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr asc-render --only -t 'T{{n.includes("x")}}' -b 'body {{n}}' -l '' <"$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output "$(printf '{"title":"","body":"body 5","externalLink":""}\n{"title":"","body":"body 6","externalLink":""}\n{"title":"","body":"body 7","externalLink":""}')"
	[ "$stderr" = "asc-render: warning: title template: includes() called on a number (rendered empty; warned once)" ]
}

@test "a method of something missing is missing, not an error" {
	run --separate-stderr title '{}' '{{header["user-agent"].includes("Mozilla") ? "browser" : "other"}}'
	assert_output other
	[ -z "$stderr" ]
}

# The syntax error message and the caret line that follow it.
syntax_error() {
	run --separate-stderr asc-render -t "$1" </dev/null
	assert_failure 64
	assert_output ''
	[ "$stderr" = "$2" ] || { printf 'got:\n%s\n' "$stderr"; return 1; }
}

@test "syntax errors: exit 64 with line, column and a caret under the spot" {
	syntax_error '{{ a && }}' "$(printf 'asc-render: error: title template: line 1, column 9: expected an expression\n    {{ a && }}\n            ^')"
	syntax_error 'Hi {{name' "$(printf "asc-render: error: title template: line 1, column 4: '{{' without its '}}'\n    Hi {{name\n       ^")"
	syntax_error '{{ "open }}' "$(printf 'asc-render: error: title template: line 1, column 4: unterminated string\n    {{ "open }}\n       ^')"
	syntax_error $'line one\nline {{ a = 1 }}' "$(printf "asc-render: error: title template: line 2, column 11: '=' is not an operator here (compare with ==)\n    line {{ a = 1 }}\n              ^")"
	syntax_error '{{ a & b }}' "$(printf "asc-render: error: title template: line 1, column 6: '&' alone is not an operator (use &&)\n    {{ a & b }}\n         ^")"
	syntax_error '{{}}' "$(printf 'asc-render: error: title template: line 1, column 1: empty {{ }}\n    {{}}\n    ^')"
	syntax_error '{{ s.shout() }}' "$(printf 'asc-render: error: title template: line 1, column 6: unknown method shout() (includes, startsWith, endsWith, toUpperCase, toLowerCase, trim)\n    {{ s.shout() }}\n         ^')"
	syntax_error '{{ s.trim(1) }}' "$(printf 'asc-render: error: title template: line 1, column 11: trim() takes no argument\n    {{ s.trim(1) }}\n              ^')"
	syntax_error '{{ a / 2 }}' "$(printf "asc-render: error: title template: line 1, column 6: unexpected character '/'\n    {{ a / 2 }}\n         ^")"
	syntax_error '📱 {{ a ? b }}' "$(printf "asc-render: error: title template: line 1, column 12: expected ':' of the ?: operator\n    📱 {{ a ? b }}\n               ^")"
}

@test "a condition written with braces is a syntax error that says so" {
	run --separate-stderr asc-render -c '{{ a }}' </dev/null
	assert_failure 64
	[[ "$stderr" == *"condition template: line 1, column 1: expected an expression, not an operator"* ]] || [[ "$stderr" == *"condition"* ]]
	run --separate-stderr asc-render -c 'a }}' </dev/null
	assert_failure 64
	[[ "$stderr" == "asc-render: error: condition template: line 1, column 3: a condition is written without {{ }}"* ]]
}

@test "limits: nesting deeper than 64, templates over 64 KiB, text that is not UTF-8" {
	run --separate-stderr asc-render -t "{{$(printf '%.0s(' {1..100})a$(printf '%.0s)' {1..100})}}" </dev/null
	assert_failure 64
	[[ "$stderr" == "asc-render: error: title template: line 1, column 67: expression nested too deeply (limit 64)"* ]]
	run --separate-stderr asc-render -t "{{$(printf '%.0s!' {1..100})a}}" </dev/null
	assert_failure 64
	run --separate-stderr asc-render -t "$(head -c 70000 /dev/zero | tr '\0' x)" </dev/null
	assert_failure 64
	[[ "$stderr" == "asc-render: error: title template: line 1, column 65537: template longer than 65536 bytes"* ]]
	run --separate-stderr asc-render -t "$(printf 'caf\xe9')" </dev/null
	assert_failure 64
	[[ "$stderr" == "asc-render: error: title template: line 1, column 4: not UTF-8"* ]]
}

@test "deep nesting that is allowed still renders" {
	run title '{"a":"deep"}' "{{$(printf '%.0s(' {1..60})a$(printf '%.0s)' {1..60})}}"
	assert_output deep
}

@test "hostile values come out as literal text in valid JSON, never evaluated" {
	event='{"status":"{{title}} \"quoted\"\nnew line \u0001\u001b[31m","app":{"name":"{{app.name}}{{"},"emoji":"\ud83d\ude00"}'
	run --separate-stderr asc-render --only -t '{{status}}' -b '{{app.name}}|{{emoji}}' <<<"$event"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	run jq -r '.title' <<<"$output"
	assert_output "$(printf '{{title}} "quoted"\nnew line \001\033[31m')"
	run sh -c 'printf "%s" "$1" | asc-render --only -t "{{status}}" -b "{{app.name}}|{{emoji}}" | jq -r .body' sh "$event"
	assert_output '{{app.name}}{{|😀'
	# A lone surrogate escape is not text: the event is refused, not patched.
	run --separate-stderr asc-render --only <<<'{"s":"\ud800"}'
	assert_failure 65
	assert_output ''
}

@test "--text shows control characters as ^X, so a value cannot drive the terminal" {
	run --separate-stderr asc-render --text -t '{{status}}' -b '{{status}}' -l 'x' <<<'{"status":"a\u001b[31mb\nc\u007f"}'
	assert_success
	assert_output "$(printf 'Title: a^[[31mb^Jc^?\nBody:  a^[[31mb\n       c^?\nLink:  x\n')"
}

@test "--text: the whole preview of a rejection, exact" {
	run --separate-stderr sh -c 'asc-parse --app-id 6447123456 --app-name "My App" <"$1" | asc-render --text' sh "$FIXTURES/asc/app-version-rejected.json"
	assert_success
	assert_output - <<'EOF_TEXT'
Title: ❌ My App: Rejected
Body:  In Review → Rejected
       Read the review notes in App Store Connect, then reply or resubmit.
       App Store Version State Changed · Tue 3 Mar 09:41 UTC
Link:  https://appstoreconnect.apple.com/apps/6447123456/distribution
EOF_TEXT
}

@test "output: the event with title, body and externalLink added; --only just those" {
	run --separate-stderr asc-render -t 'T {{a}}' -b 'B' -l 'https://x/{{a}}' <<<'{"a":1,"title":"old"}'
	assert_success
	assert_output '{"a":1,"title":"T 1","body":"B","externalLink":"https://x/1"}'
	run --separate-stderr asc-render --only -t 'T' -b 'B' -l 'L' <<<'{"a":1}'
	assert_output '{"title":"T","body":"B","externalLink":"L"}'
	run --separate-stderr asc-render --only --text </dev/null
	assert_failure 64
}

@test "condition: true keeps, false drops (exit 0), an error keeps with a warning" {
	run --separate-stderr asc-render --only -t '{{id}}' -b '' -l '' -c 'newState == "REJECTED"' <<<'{"id":1,"newState":"REJECTED"} {"id":2,"newState":"ACCEPTED"}'
	assert_success
	assert_output '{"title":"1","body":"","externalLink":""}'
	run --separate-stderr asc-render --only -t '{{id}}' -b '' -l '' -c 'id.includes("x")' <<<'{"id":3}'
	assert_success
	assert_output '{"title":"3","body":"","externalLink":""}'
	[ "$stderr" = "asc-render: warning: condition template: includes() called on a number (the event is kept; warned once)" ]
	run --separate-stderr asc-render -v --only -c 'false' <<<'{"id":4}'
	assert_output ''
	[ "$stderr" = "asc-render: line 1 (value 1): dropped by its condition" ]
}

@test "an empty condition notifies" {
	run --separate-stderr asc-render --only -t x -b '' -l '' -c '  ' <<<'{}'
	assert_output '{"title":"x","body":"","externalLink":""}'
}

write_templates() {
	cat >"$BATS_TEST_TMPDIR/templates.json"
	printf '%s' "$BATS_TEST_TMPDIR/templates.json"
}

@test "a template file: the most specific key wins (type, event, category, default)" {
	file=$(write_templates <<'EOF_T'
{"default": {"title": "default"},
 "testFlight": {"title": "category"},
 "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED": {"title": "event"},
 "betaFeedbackScreenshotSubmissionCreated": {"title": "type"}}
EOF_T
)
	run sh -c 'cat "$1"/asc/feedback-screenshot.json "$1"/asc/feedback-crash.json "$1"/asc/build-beta-state.json "$1"/asc/ping.json | asc-parse | asc-render --only -f "$2" | jq -r .title' sh "$FIXTURES" "$file"
	assert_output "$(printf 'type\nevent\ncategory\ndefault')"
}

@test "a template file: missing fields fall back to less specific keys, then to the built-in defaults" {
	file=$(write_templates <<'EOF_T'
{"default": {"body": ["line one", "{{status}}"]}, "appStore": {"title": "A: {{status}}"}}
EOF_T
)
	run sh -c 'asc-parse --app-id 1 <"$1" | asc-render --only -f "$2"' sh "$FIXTURES/asc/app-version-rejected.json" "$file"
	assert_output '{"title":"A: Rejected","body":"line one\nRejected","externalLink":"https://appstoreconnect.apple.com/apps/1/distribution"}'
}

@test "-t, -b, -l override the file for every event" {
	file=$(write_templates <<<'{"default": {"title": "file", "body": "file body"}}')
	run --separate-stderr asc-render --only -f "$file" -t 'cli' <<<'{}'
	assert_output '{"title":"cli","body":"file body","externalLink":"https://appstoreconnect.apple.com/apps"}'
}

@test "a template file's condition drops events" {
	file=$(write_templates <<<'{"default": {"condition": "severity == \"error\""}}')
	run sh -c 'cat "$1"/asc/*.json | asc-parse -q | asc-render -f "$2" | jq -r .type' sh "$FIXTURES" "$file"
	assert_output appStoreVersionAppVersionStateUpdated
}

@test "template file errors: missing 66, not JSON, not an object, unknown field, wrong type, syntax" {
	run --separate-stderr asc-render -f "$BATS_TEST_TMPDIR/none.json" </dev/null
	assert_failure 66
	file=$(write_templates <<<'{"default": ')
	run --separate-stderr asc-render -f "$file" </dev/null
	assert_failure 64
	[[ "$stderr" == "asc-render: error: $file: not JSON: "* ]]
	file=$(write_templates <<<'["title"]')
	run --separate-stderr asc-render -f "$file" </dev/null
	assert_failure 64
	file=$(write_templates <<<'{"default": {"titel": "x"}}')
	run --separate-stderr asc-render -f "$file" </dev/null
	assert_failure 64
	[ "$stderr" = "asc-render: error: $file: \"default\": unknown field \"titel\" (title, body, externalLink, notificationType, condition)" ]
	file=$(write_templates <<<'{"default": {"title": 5}}')
	run --separate-stderr asc-render -f "$file" </dev/null
	assert_failure 64
	[ "$stderr" = "asc-render: error: $file: \"default\".title: not a string or an array of strings" ]
	file=$(write_templates <<<'{"ping": {"body": ["ok", "{{ a ||| b }}"]}}')
	run --separate-stderr asc-render -f "$file" </dev/null
	assert_failure 64
	[ "$stderr" = "$(printf "asc-render: error: %s: \"ping\".body: line 2, column 8: '|' alone is not an operator (use ||)\n    {{ a ||| b }}\n           ^" "$file")" ]
}

@test "the built-in defaults: every fixture gets a title, a body and a link, no empty slot" {
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		run sh -c 'asc-parse -q --app-id 6447123456 --app-name MyApp <"$1" | asc-render --only' sh "$payload"
		assert_success
		run jq -r '[.title, .body, .externalLink] | map(length > 0) | all' <<<"$output"
		assert_output true
		run jq -r '.title' < <(asc-parse -q --app-id 6447123456 --app-name MyApp <"$payload" | asc-render --only)
		[[ "$output" == *"MyApp"* ]]
	done
}

@test "the built-in defaults: emoji by severity, TestFlight links to TestFlight" {
	run sh -c 'cat "$1"/asc/app-version-rejected.json "$1"/asc/build-beta-state.json "$1"/asc/feedback-crash.json "$1"/asc/app-version-state.json | asc-parse --app-id 42 | asc-render --only | jq -r "[.title, .externalLink] | join(\" | \")"' sh "$FIXTURES"
	assert_output - <<'EOF_D'
❌ Rejected | https://appstoreconnect.apple.com/apps/42/distribution
✅ Beta Approved | https://appstoreconnect.apple.com/apps/42/testflight
💥 TestFlight crash report | https://appstoreconnect.apple.com/apps/42/testflight/crashes/AJk4Wd8sQ1mYr6Gv2bNz7Tx
🔔 Waiting for Review | https://appstoreconnect.apple.com/apps/42/distribution
EOF_D
}

@test "the built-in defaults use enriched fields when they are there" {
	event=$(asc-parse --app-name MyApp <"$FIXTURES/asc/feedback-screenshot.json" | jq -c '. + {version:"2.3",feedback:"Button is cut off",tester:{name:"Kim"},device:"iPhone15,2",osVersion:"18.1",feedbackUrl:"https://appstoreconnect.apple.com/feedback/1"}')
	run --separate-stderr asc-render --text <<<"$event"
	assert_output - <<'EOF_F'
Title: 💬 MyApp 2.3: New TestFlight feedback
Body:  “Button is cut off”
       From Kim on iPhone15,2 (18.1)
       Read it and the screenshot in TestFlight.
       TestFlight Feedback · Thu 5 Mar 07:13 UTC
Link:  https://appstoreconnect.apple.com/feedback/1

EOF_F
}

# The guide's three template sets, against every fixture: every slot whose value asc-parse
# knows without the API is filled, compared with the same text built by jq from the event.
@test "the guide's template sets render every known value" {
	file=$(write_templates <<'EOF_G'
{"default": {"title": "[{{app.name}}] {{eventType}} - {{status}}",
             "body": ["📱 App: {{app.name}}", "🔄 Event: {{eventType}}", "📊 Status: {{status}}",
                      "⏰ Time: {{eventDate}}", "💬 Message: {{message}}", "🔗 View in App Store Connect"]},
 "appStore": {"title": "[{{app.name}}] App {{eventType}}",
              "body": ["🍎 Your app \"{{app.name}}\" status has changed!", "📊 Status: {{status}}", "📅 Date: {{eventDate}}"],
              "externalLink": "{{app.url}}"},
 "testFlight": {"title": "[{{app.name}}] New TestFlight Feedback",
                "body": ["📱 App: {{app.name}}", "👤 Tester: {{tester.name}}", "⭐ Rating: {{rating}}/5",
                         "💬 Feedback: {{feedback}}", "📱 Device: {{device}}"],
                "externalLink": "{{feedbackUrl}}"}}
EOF_G
)
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		event=$(asc-parse -q --app-id 6447123456 --app-name MyApp <"$payload")
		rendered=$(asc-render --only -f "$file" <<<"$event" | jq -c '{title, body}')
		expected=$(jq -c --arg nl $'\n' '
			if .category == "appStore" then
				{title: "[\(.app.name)] App \(.eventType)",
				 body: "🍎 Your app \"\(.app.name)\" status has changed!\($nl)📊 Status: \(.status)\($nl)📅 Date: \(.eventDate)",
				 externalLink: .app.url}
			elif .category == "testFlight" then
				{title: "[\(.app.name)] New TestFlight Feedback",
				 body: "📱 App: \(.app.name)\($nl)👤 Tester: \($nl)⭐ Rating: /5\($nl)💬 Feedback: \($nl)📱 Device: ",
				 externalLink: ""}
			else
				{title: "[\(.app.name)] \(.eventType) - \(.status)",
				 body: "📱 App: \(.app.name)\($nl)🔄 Event: \(.eventType)\($nl)📊 Status: \(.status)\($nl)⏰ Time: \(.eventDate // "")\($nl)💬 Message: \(.message)\($nl)🔗 View in App Store Connect",
				 externalLink: .app.url}
			end | {title, body}' <<<"$event")
		assert_equal "$rendered" "$expected"
	done
}

@test "the guide's App status link is the app's page" {
	file=$(write_templates <<<'{"appStore": {"externalLink": "{{app.url}}"}}')
	run sh -c 'asc-parse --app-id 6447123456 <"$1" | asc-render --only -f "$2" | jq -r .externalLink' sh "$FIXTURES/asc/app-version-state.json" "$file"
	assert_output https://appstoreconnect.apple.com/apps/6447123456/distribution
}

# Echobell: "When no Link template is set, the value of the externalLink variable is used".
@test "externalLink: -l, then the template file, then the event's own, then the built-in default" {
	# The issue's own example: the built-in default no longer overwrites the event's link.
	run --separate-stderr asc-render --only -t x -b y <<<'{"externalLink":"https://example.com/a"}'
	assert_success
	assert_output '{"title":"x","body":"y","externalLink":"https://example.com/a"}'
	# Kept in place in the whole event too.
	run --separate-stderr asc-render -t x -b y <<<'{"externalLink":"https://example.com/a","n":1}'
	assert_output '{"externalLink":"https://example.com/a","n":1,"title":"x","body":"y"}'
	# -l is a Link template: it wins.
	run --separate-stderr asc-render --only -t x -b y -l 'https://l/{{n}}' <<<'{"externalLink":"https://example.com/a","n":1}'
	assert_output '{"title":"x","body":"y","externalLink":"https://l/1"}'
	run --separate-stderr asc-render --only -t x -b y -l '' <<<'{"externalLink":"https://example.com/a"}'
	assert_output '{"title":"x","body":"y","externalLink":""}'
	# A template file's externalLink for the event's key (here "default") wins too.
	file=$(write_templates <<<'{"default": {"externalLink": "https://file/{{n}}"}}')
	run --separate-stderr asc-render --only -f "$file" -t x -b y <<<'{"externalLink":"https://example.com/a","n":2}'
	assert_output '{"title":"x","body":"y","externalLink":"https://file/2"}'
	# One for another key does not apply: the event's own stays.
	file=$(write_templates <<<'{"testFlight": {"externalLink": "https://file/tf"}}')
	run --separate-stderr asc-render --only -f "$file" -t x -b y <<<'{"category":"appStore","externalLink":"https://example.com/a"} {"category":"testFlight","externalLink":"https://example.com/b"}'
	assert_output "$(printf '%s\n' '{"title":"x","body":"y","externalLink":"https://example.com/a"}' '{"title":"x","body":"y","externalLink":"https://file/tf"}')"
	# The value as {{externalLink}} renders it: "" is a link of its own (none), a number
	# prints as JavaScript prints it; null or absent is no value: the built-in default.
	run --separate-stderr asc-render --only -t x -b y <<<'{"externalLink":""} {"externalLink":5} {"externalLink":null} {}'
	assert_output "$(printf '%s\n' '{"title":"x","body":"y","externalLink":""}' '{"title":"x","body":"y","externalLink":"5"}' \
		'{"title":"x","body":"y","externalLink":"https://appstoreconnect.apple.com/apps"}' '{"title":"x","body":"y","externalLink":"https://appstoreconnect.apple.com/apps"}')"
	[ -z "$stderr" ]
	# A link in the event is data, never a template.
	run --separate-stderr asc-render --only -t x -b y <<<'{"externalLink":"{{now}}"}'
	assert_output '{"title":"x","body":"y","externalLink":"{{now}}"}'
}

# The request's variables, as asc-http hands them to its handler: CGI variables and the body.
@test "header: the request's headers by lower-case name, from the CGI variables; absent outside a request" {
	run --separate-stderr env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 CONTENT_TYPE='application/json; charset=utf-8' \
		CONTENT_LENGTH=17 HTTP_X_APPLE_SIGNATURE=hmacsha256=0a1b HTTP_USER_AGENT='Mozilla/5.0 (x)' HTTP_HOST=r.test \
		asc-render --only -l '' -t '{{header["x-apple-signature"]}}|{{header["content-type"]}}|{{header["content-length"]}}|{{header.host}}|{{header["X-Apple-Signature"]}}|{{header["user-agent"].includes("Mozilla")}}' \
		-b '{{header}}' <<<'{}'
	assert_success
	assert_equal "$(jq -r .title <<<"$output")" 'hmacsha256=0a1b|application/json; charset=utf-8|17|r.test||true'
	assert_equal "$(jq -r .body <<<"$output" | jq -cS .)" '{"content-length":"17","content-type":"application/json; charset=utf-8","host":"r.test","user-agent":"Mozilla/5.0 (x)","x-apple-signature":"hmacsha256=0a1b"}'
	# Without GATEWAY_INTERFACE the HTTP_* variables are a shell's, not a request's.
	run --separate-stderr env -i PATH="$PATH" HTTP_X_APPLE_SIGNATURE=hmacsha256=0a1b HTTP_PROXY=http://proxy.test \
		asc-render --only -l '' -t '[{{header}}|{{header["x-apple-signature"]}}|{{header.proxy}}|{{bodyAsText}}]' -b '' <<<'{}'
	assert_output '{"title":"[|||]","body":"","externalLink":""}'
	[ -z "$stderr" ]
	# An event's own field of the same name wins, as over the time variables.
	run --separate-stderr env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 HTTP_HOST=r.test \
		asc-render --only -l '' -b '' -t '{{header.host}}' <<<'{"header":{"host":"mine"}}'
	assert_output '{"title":"mine","body":"","externalLink":""}'
}

@test "--body-file: bodyAsText is the body byte for byte, and its top-level keys are variables" {
	# Odd spacing, an escape, CRLF and no final newline: re-serialising would change each.
	printf '{ "data" :{"type":"appStoreVersionAppVersionStateUpdated",\r\n "attributes":{"newValue":"caf\\u00e9"}}, "n": 1.50}' >"$BATS_TEST_TMPDIR/body"
	run --separate-stderr asc-render --only --body-file "$BATS_TEST_TMPDIR/body" -l '' \
		-t '{{data.type}} {{data.attributes.newValue}} {{n}} {{bodyAsText.length}}' -b '{{bodyAsText}}' <<<'{}'
	assert_success
	assert_equal "$(jq -r .title <<<"$output")" "appStoreVersionAppVersionStateUpdated café 1.5 $(wc -c <"$BATS_TEST_TMPDIR/body")"
	jq -j .body <<<"$output" >"$BATS_TEST_TMPDIR/rendered"
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/rendered"
	# The event's fields win over the payload's keys, and those over the built-ins.
	printf '{"data":"payload","n":"payload","hour":"payload"}' >"$BATS_TEST_TMPDIR/body2"
	run --separate-stderr asc-render --only --body-file "$BATS_TEST_TMPDIR/body2" -l '' -b '' -t '{{data}} {{n}} {{hour}}' <<<'{"n":"event"}'
	assert_output '{"title":"payload event payload","body":"","externalLink":""}'
	# A body that is not a JSON object is text only; an empty one is "".
	printf 'plain text\n' >"$BATS_TEST_TMPDIR/text"
	run --separate-stderr asc-render --only --body-file "$BATS_TEST_TMPDIR/text" -l '' -b '' -t '[{{bodyAsText}}]' <<<'{}'
	assert_output '{"title":"[plain text\n]","body":"","externalLink":""}'
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr asc-render --only --body-file "$BATS_TEST_TMPDIR/empty" -l '' -b '' -t '[{{bodyAsText}}]' <<<'{}'
	assert_output '{"title":"[]","body":"","externalLink":""}'
	# Without --body-file there is no bodyAsText.
	run --separate-stderr asc-render --only -l '' -b '' -t '[{{bodyAsText}}]' <<<'{}'
	assert_output '{"title":"[]","body":"","externalLink":""}'
}

@test "--body-file /dev/fd/N reads from the first byte, whatever was read through N before" {
	printf '{"data":{"id":"1"}}' >"$BATS_TEST_TMPDIR/body"
	run sh -c 'exec 5<"$1"; cat <&5 >/dev/null; asc-render --only -l "" -b "" -t "{{bodyAsText}}" --body-file /dev/fd/5 <<EOF
{}
EOF' sh "$BATS_TEST_TMPDIR/body"
	assert_success
	assert_output '{"title":"{\"data\":{\"id\":\"1\"}}","body":"","externalLink":""}'
}

@test "--body-file errors: missing 66, over --max-body 65, nothing written" {
	run --separate-stderr asc-render --only --body-file "$BATS_TEST_TMPDIR/none" <<<'{}'
	assert_failure 66
	assert_output ''
	[ "$stderr" = "asc-render: error: cannot open the body file $BATS_TEST_TMPDIR/none: No such file or directory" ]
	head -c 2049 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big"
	run --separate-stderr asc-render --only --max-body 2K --body-file "$BATS_TEST_TMPDIR/big" <<<'{}'
	assert_failure 65
	assert_output ''
	[ "$stderr" = "asc-render: error: the body file $BATS_TEST_TMPDIR/big is larger than 2048 bytes (--max-body)" ]
	head -c 2048 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big"
	run --separate-stderr asc-render --only --max-body 2K --body-file "$BATS_TEST_TMPDIR/big" -l '' -b '' -t '{{bodyAsText.length}}' <<<'{}'
	assert_output '{"title":"2048","body":"","externalLink":""}'
}

@test "notificationType: an expression per event; only Echobell's three values; empty is none" {
	events='{"severity":"error"} {"severity":"warning"} {"severity":"info"}'
	run --separate-stderr asc-render --only -t x -b '' -l '' -n '{{severity == "error" ? "time-sensitive" : severity == "warning" ? "calling" : "active"}}' <<<"$events"
	assert_success
	assert_output "$(printf '%s\n' '{"title":"x","body":"","externalLink":"","notificationType":"time-sensitive"}' \
		'{"title":"x","body":"","externalLink":"","notificationType":"calling"}' '{"title":"x","body":"","externalLink":"","notificationType":"active"}')"
	[ -z "$stderr" ]
	# Empty: no notificationType (the channel's own choice, or echobell-send --type).
	run --separate-stderr asc-render --only -t x -b '' -l '' -n '{{severity == "error" ? "time-sensitive" : ""}}' <<<"$events"
	assert_output "$(printf '%s\n' '{"title":"x","body":"","externalLink":"","notificationType":"time-sensitive"}' \
		'{"title":"x","body":"","externalLink":""}' '{"title":"x","body":"","externalLink":""}')"
	[ -z "$stderr" ]
	# Anything else: left out, one warning per template, its value quoted and escaped.
	run --separate-stderr asc-render --only -t x -b '' -l '' -n '{{severity == "info" ? "active" : "Time-Sensitive\n"}}' <<<"$events"
	assert_success
	assert_output "$(printf '%s\n' '{"title":"x","body":"","externalLink":""}' '{"title":"x","body":"","externalLink":""}' \
		'{"title":"x","body":"","externalLink":"","notificationType":"active"}')"
	[ "$stderr" = 'asc-render: warning: notificationType template: "Time-Sensitive\u000a" is not active, time-sensitive or calling (left out; warned once)' ]
	# Long values are cut, never printed whole.
	run --separate-stderr asc-render -q --only -t x -b '' -l '' -n "$(printf 'a%.0s' $(seq 200))" <<<'{}'
	assert_output '{"title":"x","body":"","externalLink":""}'
	run --separate-stderr asc-render --only -t x -b '' -l '' -n "$(printf 'a%.0s' $(seq 200))" <<<'{}'
	[ "$stderr" = "asc-render: warning: notificationType template: \"$(printf 'a%.0s' $(seq 74))... is not active, time-sensitive or calling (left out; warned once)" ]
}

@test "notificationType: from the template file's most specific key; the event's own when none applies" {
	file=$(write_templates <<'EOF_N'
{"default": {"notificationType": "active"},
 "appStore": {"notificationType": "{{newState == \"REJECTED\" ? \"calling\" : \"\"}}"}}
EOF_N
)
	run --separate-stderr asc-render --only -f "$file" -t x -b '' -l '' <<<'{"category":"appStore","newState":"REJECTED"} {"category":"appStore","newState":"READY_FOR_SALE"} {"category":"build"}'
	assert_output "$(printf '%s\n' '{"title":"x","body":"","externalLink":"","notificationType":"calling"}' \
		'{"title":"x","body":"","externalLink":""}' '{"title":"x","body":"","externalLink":"","notificationType":"active"}')"
	# -n wins over the file.
	run --separate-stderr asc-render --only -f "$file" -n time-sensitive -t x -b '' -l '' <<<'{"category":"appStore"}'
	assert_output '{"title":"x","body":"","externalLink":"","notificationType":"time-sensitive"}'
	# No template: the event's own value, checked the same way (the built-in defaults set none).
	run --separate-stderr asc-render -t x -b '' -l '' <<<'{"notificationType":"calling","n":1} {"notificationType":"loud","n":2} {"notificationType":7,"n":3} {"notificationType":null,"n":4}'
	assert_output "$(printf '%s\n' '{"notificationType":"calling","n":1,"title":"x","body":"","externalLink":""}' \
		'{"n":2,"title":"x","body":"","externalLink":""}' '{"n":3,"title":"x","body":"","externalLink":""}' '{"n":4,"title":"x","body":"","externalLink":""}')"
	[ "$stderr" = "$(printf '%s\n' 'asc-render: warning: the event'"'"'s notificationType "loud" is not active, time-sensitive or calling: left out' \
		'asc-render: warning: the event'"'"'s notificationType is a number, not active, time-sensitive or calling: left out')" ]
	# A template that renders empty takes the event's own away too.
	run --separate-stderr asc-render -t x -b '' -l '' -n '' <<<'{"notificationType":"calling"}'
	assert_output '{"title":"x","body":"","externalLink":""}'
	# The built-in defaults give none.
	run sh -c 'asc-parse -q <"$1" | asc-render --only | jq -c "has(\"notificationType\")"' sh "$FIXTURES/asc/app-version-rejected.json"
	assert_output false
	# --text shows it on a line of its own, only when there is one.
	run --separate-stderr asc-render --text -t T -b B -l L -n '{{n == 1 ? "calling" : ""}}' <<<'{"n":1} {"n":2}'
	assert_output "$(printf 'Title: T\nBody:  B\nLink:  L\nType:  calling\n\nTitle: T\nBody:  B\nLink:  L\n')"
}

@test "input that is not an object is skipped with 65; not JSON too" {
	run --separate-stderr asc-render --only -t x -b '' -l '' <<<'[1] {"a":1} nope'
	assert_failure 65
	assert_output '{"title":"x","body":"","externalLink":""}'
	[ "$stderr" = "$(printf 'asc-render: error: line 1 (value 1): not a JSON object; skipped\nasc-render: error: line 1, column 0: Invalid literal; skipped')" ]
}

@test "ASCII RS (0x1e) in the input: 65 with its column, the next event still rendered" {
	for line in '\x1e{"a":1}' '{"a":1}\x1e' '{"a":\x1e1}'; do
		run --separate-stderr asc-render --only -t x -b '' -l '' < <(printf "$line"'\n{"a":2}\n')
		assert_failure 65
		assert_output '{"title":"x","body":"","externalLink":""}'
		[[ "$stderr" == "asc-render: error: line 1, column "*": control character RS (0x1e) is not JSON; skipped" ]]
	done
}

@test "a stream of 1,000 events gives 1,000 rendered lines" {
	for _ in $(seq 100); do cat "$FIXTURES"/asc/*.json; done | asc-parse -q >"$BATS_TEST_TMPDIR/events"
	run --separate-stderr asc-render --only <"$BATS_TEST_TMPDIR/events"
	assert_success
	[ "${#lines[@]}" -eq 1000 ]
}

@test "valgrind: templates, errors and hostile values leave no error and no leak" {
	[ -z "${ASCBELL_SANITIZE:-}" ] || skip "the ASan build checks memory in this run"
	{
		cat "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json | asc-parse -q --app-id 1 --app-name A
		printf '[1]\n{"n":5,"s":"{{x}}\\u0000"}\n'
	} >"$BATS_TEST_TMPDIR/events"
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-render" -q <"$BATS_TEST_TMPDIR/events"
	assert_failure 65
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-render" -q --text -t '{{n.includes(1)}}{{s.toUpperCase()}}{{(a || b) + now}}' -c 'n != 6' <"$BATS_TEST_TMPDIR/events"
	assert_failure 65
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-render" -t '{{ a && }}' </dev/null
	assert_failure 64
	# The request's variables, links and notification types of every kind.
	printf '{"data":{"type":"x"},"n":[1]}' >"$BATS_TEST_TMPDIR/body"
	printf '{"externalLink":"l","notificationType":"calling"}\n{"externalLink":null,"notificationType":"bad"}\n{"notificationType":[1]}\n' >"$BATS_TEST_TMPDIR/typed"
	run env GATEWAY_INTERFACE=CGI/1.1 HTTP_X_A=1 CONTENT_TYPE=text/plain valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-render" -q --body-file "$BATS_TEST_TMPDIR/body" -t '{{header}}{{bodyAsText}}{{data.type}}{{now}}' -n '{{notificationType}}' "$BATS_TEST_TMPDIR/typed" "$BATS_TEST_TMPDIR/events"
	assert_failure 65
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$ASCBELL_BIN/asc-render" -q --text "$BATS_TEST_TMPDIR/typed"
	assert_success
}
