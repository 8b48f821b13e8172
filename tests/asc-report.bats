#!/usr/bin/env bats
# asc-report over a history with known figures (tests/report-history.bash: three apps,
# eight days, redeliveries, forged requests, broken lines, hostile names), the clock pinned
# at 2026-11-27T15:00:00Z. The expected digests (tests/fixtures/report/*.jsonl) were
# checked by hand against the figures worked out below.

load helpers/common
source "$BATS_TEST_DIRNAME/report-history.bash"

setup() {
	export ASCBELL_NOW=2026-11-27T15:00:00Z
	unset ASCBELL_HISTORY ECHOBELL_WEBHOOK_URL ECHOBELL_URL_FILE ASCBELL_TEMPLATES
	H="$BATS_TEST_TMPDIR/history"
	write_history "$H"
	# What every run over this history says on stderr: each broken line of 2026-11-26.
	WARNINGS="asc-report: warning: $H/2026-11-26.jsonl: line 4: not JSON; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 6: not valid UTF-8; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 8: not a JSON object; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 9: \"answer\" is not an HTTP status; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 10: \"app\" is neither a string nor null; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 11: \"event\" is neither an object nor null; skipped
asc-report: warning: $H/2026-11-26.jsonl: line 12: \"at\" is not a time like 2026-11-27T15:00:00Z; skipped"
}

teardown() {
	stop_fake
}

# The figures of the last 24 hours (from 2026-11-26T15:00:00Z, before 15:00:00 today):
# alpha: approved 1 (review 87120 s = 1 d 0 h 12 min), processed 1 (b3, delivered twice),
#        3 requests, 1 answered 503;
# beta: processed 1, beta approved 1, feedback 1 (the hostile device), crash 1, 5 requests,
#       1 answered 400;
# the receiver's own path: 1 forged request (401);
# all apps: the sums, 9 requests.
@test "a daily report: one digest per app and one for the portfolio, exactly; broken lines skipped and said, exit 65" {
	run --separate-stderr asc-report --history "$H"
	assert_equal "$status" 65
	assert_output "$(cat "$FIXTURES/report/daily.jsonl")"
	assert_equal "$stderr" "$WARNINGS"
	# The same from $ASCBELL_HISTORY.
	ASCBELL_HISTORY=$H run --separate-stderr asc-report
	assert_equal "$status" 65
	assert_output "$(cat "$FIXTURES/report/daily.jsonl")"
}

# Seven days (from 2026-11-20T15:00:00Z; the 10:00 line of that day is before it):
# alpha: submitted 2, approved 1, rejected 1, median review (75600+87120)/2 = 22 h 36 min;
# beta: failed 2 (ITMS-90034, ITMS-90683, one without a code), feedback 2 (f1 counted once
# although delivered twice), 9 requests; all apps 17 requests. The day file of 2026-11-19
# is a directory: a report that opened it would fail.
@test "a weekly report reads only the day files it needs" {
	run --separate-stderr asc-report --history "$H" --since 7d
	assert_equal "$status" 65
	assert_output "$(cat "$FIXTURES/report/weekly.jsonl")"
	assert_equal "$stderr" "$WARNINGS"
	# One day more, and the trap is opened: nothing written, exit 66.
	run --separate-stderr asc-report --history "$H" --since 8d
	assert_equal "$status" 66
	assert_output ''
	assert_equal "$stderr" "asc-report: error: $H/2026-11-19.jsonl: not a regular file (the report would leave that day out)"
}

@test "asc-report | asc-render: the text a phone shows" {
	run sh -c 'asc-report -q --history "$1" | asc-render --text' sh "$H"
	assert_success
	assert_output "$(cat <<'EOF'
Title: 📊 Alpha: Daily report
Body:  App Store: 0 submitted, 1 approved, 0 rejected · review 1 d 0 h 12 min
       Builds: 1 processed, 0 failed
       Answered non-2xx: 1 of 3 requests (unavailable)
       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps/111

Title: 📊 Beta "β" {{app.name}}: Daily report
Body:  Builds: 1 processed, 0 failed
       TestFlight: 1 Beta Approved
       Feedback: 1 (iPhone "Pro" {{app.name}}, 18.1) · crashes: 1 (iPhone16,1)
       Answered non-2xx: 1 of 5 requests (malformed)
       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps/222

Title: 📊 Daily report
Body:  Answered non-2xx: 1 of 1 requests (forged)
       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps

Title: 📊 All apps: Daily report
Body:  3 apps: Alpha, Beta "β" {{app.name}}, unnamed
       App Store: 0 submitted, 1 approved, 0 rejected · review 1 d 0 h 12 min
       Builds: 2 processed, 0 failed
       TestFlight: 1 Beta Approved
       Feedback: 1 (iPhone "Pro" {{app.name}}, 18.1) · crashes: 1 (iPhone16,1)
       Answered non-2xx: 3 of 9 requests (forged, malformed, unavailable)
       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps
EOF
)"
	# The weekly one of the portfolio, with the review median and Apple's error codes.
	run sh -c 'asc-report -q --history "$1" --since 7d | tail -n 1 | asc-render --text' sh "$H"
	assert_output "$(cat <<'EOF'
Title: 📊 All apps: Weekly report
Body:  3 apps: Alpha, Beta "β" {{app.name}}, unnamed
       App Store: 2 submitted, 1 approved, 1 rejected · median review 22 h 36 min
       Builds: 2 processed, 2 failed (ITMS-90034, ITMS-90683)
       TestFlight: 1 Beta Approved
       Feedback: 2 (iPhone "Pro" {{app.name}}, 18.1 ×2) · crashes: 1 (iPhone16,1)
       Answered non-2xx: 3 of 17 requests (forged, malformed, unavailable)
       Fri 20 Nov 15:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps
EOF
)"
}

@test "asc-report | asc-render | echobell-send: the exact bytes Echobell receives" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run sh -c 'asc-report -q --history "$1" --app beta | asc-render | echobell-send' sh "$H"
	assert_success
	assert_equal "$(fake_requests)" 1
	# The digest as asc-report wrote it, with the three rendered fields after it.
	digest=$(sed -n 2p "$FIXTURES/report/daily.jsonl")
	body="${digest%\}},\"title\":\"📊 Beta \\\"β\\\" {{app.name}}: Daily report\",\"body\":\"Builds: 1 processed, 0 failed\\nTestFlight: 1 Beta Approved\\nFeedback: 1 (iPhone \\\"Pro\\\" {{app.name}}, 18.1) · crashes: 1 (iPhone16,1)\\nAnswered non-2xx: 1 of 5 requests (malformed)\\nThu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC\",\"externalLink\":\"https://appstoreconnect.apple.com/apps/222\"}"
	expected=$(printf 'POST /t/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: */*\r\nContent-Type: application/json\r\nUser-Agent: ascbell/0.1.0\r\nContent-Length: %d\r\n\r\n%s' \
		"$FAKE_TOKEN" "$FAKE_PORT" "$(printf '%s' "$body" | wc -c)" "$body")
	assert_equal "$(cat "$FAKE_DIR/request.1")" "$expected"
}

@test "--app: one app's digest alone, by the receiver's name or the App Store Connect id; an unknown app gets zeros" {
	run --separate-stderr asc-report -q --history "$H" --app beta
	assert_equal "$status" 65
	assert_output "$(sed -n 2p "$FIXTURES/report/daily.jsonl")"
	run --separate-stderr asc-report -q --history "$H" -a 111
	assert_output "$(sed -n 1p "$FIXTURES/report/daily.jsonl")"
	run --separate-stderr asc-report -q --history "$H" --app gamma
	assert_equal "$status" 65
	assert_output '{"id":"report:app:gamma:2026-11-26T15:00:00Z/2026-11-27T15:00:00Z","type":"ascbellReport","event":"ASCBELL_REPORT","category":"report","eventType":"Daily report","timestamp":"2026-11-27T15:00:00Z","eventDate":"Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC","oldState":null,"newState":null,"oldStatus":null,"status":"Daily report","severity":"info","message":"No deliveries in this period.","instance":{"type":null,"id":null,"url":null},"app":{"id":null,"name":"gamma","url":null},"report":{"scope":"app","app":"gamma","since":"2026-11-26T15:00:00Z","until":"2026-11-27T15:00:00Z","versions":{"submitted":0,"approved":0,"rejected":0,"reviewTime":{"count":0,"waited":null,"inReview":null,"total":null,"waitedText":null,"inReviewText":null,"totalText":null},"reviews":[]},"builds":{"processed":0,"failed":0,"errors":[],"failedWithoutCode":0},"beta":{"states":[],"reviewTime":{"count":0,"waited":null,"inReview":null,"total":null,"waitedText":null,"inReviewText":null,"totalText":null},"reviews":[]},"feedback":{"count":0,"devices":[],"osVersions":[]},"crashes":{"count":0,"devices":[],"osVersions":[]},"deliveries":{"answered":0,"non2xx":0,"non2xxByOutcome":[]}},"ping":false}'
}

@test "--since DATE and TIME: the window from then to now, a plain Report; the lines answered before it are left out" {
	# From 2026-11-25 00:00: alpha's v2, v3 (rejected), v4 (submitted), v5 (approved), b3.
	run --separate-stderr sh -c 'asc-report -q -d "$1" --since 2026-11-25 --app alpha | asc-render --text' sh "$H"
	assert_output "$(cat <<'EOF'
Title: 📊 Alpha: Report
Body:  App Store: 1 submitted, 1 approved, 1 rejected · median review 22 h 36 min
       Builds: 1 processed, 0 failed
       Answered non-2xx: 1 of 6 requests (unavailable)
       Wed 25 Nov 00:00 – Fri 27 Nov 15:00 UTC
Link:  https://appstoreconnect.apple.com/apps/111
EOF
)"
	# From 09:00:01 on the 25th: v2 (09:00:00) is out, v3 in; 5 requests.
	run --separate-stderr sh -c 'asc-report -q -d "$1" --since 2026-11-25T09:00:01Z --app alpha | asc-render -b "{{report.deliveries.answered}} {{report.since}}" --only' sh "$H"
	assert_output '{"title":"📊 Alpha: Report","body":"5 2026-11-25T09:00:01Z","externalLink":"https://appstoreconnect.apple.com/apps/111"}'
	# The same instant with an offset, and with a fraction (rounded down to its second).
	for since in 2026-11-25T10:00:01+01:00 2026-11-25T04:00:01-0500 2026-11-25T09:00:01.999Z; do
		run --separate-stderr sh -c 'asc-report -q -d "$1" --since "$2" --app alpha | asc-render -b "{{report.deliveries.answered}} {{report.since}}" --only' sh "$H" "$since"
		assert_output '{"title":"📊 Alpha: Report","body":"5 2026-11-25T09:00:01Z","externalLink":"https://appstoreconnect.apple.com/apps/111"}'
	done
	# 48 hours: from 2026-11-25T15:00:00Z, 6 requests of the 26th and 4 of the 27th.
	run sh -c 'asc-report -q -d "$1" -s 48h | asc-render -b "{{report.since}} {{report.deliveries.answered}}" --only | tail -n 1' sh "$H"
	assert_output --partial '"body":"2026-11-25T15:00:00Z 10"'
}

@test "an empty window: one event that says nothing happened; one app: its digest alone" {
	empty="$BATS_TEST_TMPDIR/empty"
	mkdir "$empty"
	run --separate-stderr sh -c 'asc-report -d "$1" | asc-render --text' sh "$empty"
	assert_success
	[ -z "$stderr" ]
	assert_output "$(printf '%s\n' 'Title: 📊 All apps: Daily report' 'Body:  No deliveries in this period.' \
		'       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC' 'Link:  https://appstoreconnect.apple.com/apps')"
	# One app only (a receiver without apps: "app" null): no portfolio beside it.
	one="$BATS_TEST_TMPDIR/one"
	mkdir "$one"
	line 2026-11-27T08:00:00Z 200 delivered null "$(alpha p1 WEBHOOK_PING)" >"$one/2026-11-27.jsonl"
	run --separate-stderr sh -c 'asc-report -d "$1" | asc-render --text' sh "$one"
	assert_success
	assert_output "$(printf '%s\n' 'Title: 📊 Alpha: Daily report' 'Body:  Requests: 1, all answered 2xx' \
		'       Thu 26 Nov 15:00 – Fri 27 Nov 15:00 UTC' 'Link:  https://appstoreconnect.apple.com/apps/111')"
}

@test "bad history lines: an oversized line is skipped unread, blank lines are nothing, the rest still counts" {
	h="$BATS_TEST_TMPDIR/big"
	mkdir "$h"
	{
		line 2026-11-27T08:00:00Z 200 delivered '"alpha"' "$(alpha b1 $UPLOAD '"newState":"COMPLETE"')"
		echo
		line 2026-11-27T09:00:00Z 200 delivered '"alpha"' "$(alpha b2 $UPLOAD "\"newState\":\"COMPLETE\",\"pad\":\"$(head -c 2000 /dev/zero | tr '\0' x)\"")"
		line 2026-11-27T10:00:00Z 200 delivered '"alpha"' "$(alpha b3 $UPLOAD '"newState":"COMPLETE"')"
		# A torn last line (the receiver stopped mid-write): no newline, not JSON.
		printf '{"at":"2026-11-27T11:00:00Z","answer":200,"outc'
	} >"$h/2026-11-27.jsonl"
	run --separate-stderr sh -c 'asc-report -d "$1" --max-line 1K | asc-render -b "{{report.builds.processed}}" --only' sh "$h"
	assert_output '{"title":"📊 Alpha: Daily report","body":"2","externalLink":"https://appstoreconnect.apple.com/apps/111"}'
	assert_equal "$stderr" "asc-report: warning: $h/2026-11-27.jsonl: line 3: longer than the line limit (--max-line); skipped
asc-report: warning: $h/2026-11-27.jsonl: line 5: not JSON; skipped"
	# The default limit (4M) takes it.
	run --separate-stderr sh -c 'asc-report -d "$1" | asc-render -b "{{report.builds.processed}}" --only' sh "$h"
	assert_output --partial '"body":"3"'
}

@test "no history: a missing directory or no directory given writes nothing" {
	run --separate-stderr asc-report --history "$BATS_TEST_TMPDIR/nowhere"
	assert_equal "$status" 66
	assert_output ''
	assert_equal "$stderr" "asc-report: error: history directory $BATS_TEST_TMPDIR/nowhere: No such file or directory (ASCBELL_HISTORY or --history)"
	run --separate-stderr asc-report --history "$H/2026-11-25.jsonl"
	assert_equal "$status" 66
	assert_equal "$stderr" "asc-report: error: history directory $H/2026-11-25.jsonl: not a directory (ASCBELL_HISTORY or --history)"
	run --separate-stderr asc-report
	assert_equal "$status" 78
	assert_output ''
	assert_equal "$stderr" 'asc-report: error: no history directory (set ASCBELL_HISTORY or give --history DIR)'
}

@test "bad command lines and a bad clock: exit 64 or 78, nothing written" {
	for since in 0h 24 -1d 2026-11-28 2026-13-01 2026-02-30 2026-11-2 1d2h 9999999d 2016-11-01 \
		'2026-11-27T15:00:00Z' '2026-11-27T16:00:00+01:00' '2026-11-25T09:00:00' '2026-11-25T09:00:00+1' \
		'2026-11-25T25:00:00Z' ' 2026-11-25' yesterday ''; do
		run --separate-stderr asc-report --history "$H" --since "$since"
		assert_equal "$status" 64
		assert_output ''
		assert_equal "$stderr" "asc-report: error: --since $since: not 24h, 7d, a date (2026-11-01) or a time (2026-11-01T08:00:00Z, 2026-11-01T09:00:00+01:00) in the last ten years"
	done
	for size in 0 2G 1x; do
		run --separate-stderr asc-report --history "$H" --max-line "$size"
		assert_equal "$status" 64
		assert_equal "$stderr" "asc-report: error: --max-line $size: not a size from 1 to 1G"
	done
	run --separate-stderr asc-report --history "$H" --app ''
	assert_equal "$status" 64
	run --separate-stderr asc-report --history "$H" extra
	assert_equal "$status" 64
	ASCBELL_NOW=yesterday run --separate-stderr asc-report --history "$H"
	assert_equal "$status" 78
	assert_output ''
}

@test "the README's daily and weekly cron lines, as written, send their digests to the report channel" {
	start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/report-url"
	# The cron file's lines from the README; H and U point at this test's history and URL.
	lines=$(awk '/^`\/etc\/cron.d\/ascbell-report`:$/ { on = 1; next } on && /^```$/ && ++fence == 2 { exit }
		on && / ascbell  asc-report / { print }' "$BATS_TEST_DIRNAME/../README.md")
	assert_equal "$(grep -c . <<<"$lines")" 2
	while IFS= read -r line; do
		# Fields: minute hour day month weekday user, then the command.
		command=$(awk '{ $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }' <<<"$line")
		H="$H" U="$BATS_TEST_TMPDIR/report-url" sh -c "$command" 2>/dev/null || true
	done <<<"$lines"
	# Each: a digest per app and one for the portfolio.
	assert_equal "$(fake_requests)" 8
	jq -r .title "$FAKE_DIR/bodies" >"$BATS_TEST_TMPDIR/titles"
	assert_equal "$(grep -c 'Daily report$' "$BATS_TEST_TMPDIR/titles") $(grep -c 'Weekly report$' "$BATS_TEST_TMPDIR/titles")" "4 4"
	assert_equal "$(grep -c '^📊 All apps: ' "$BATS_TEST_TMPDIR/titles")" 2
}
