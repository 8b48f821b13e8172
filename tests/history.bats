#!/usr/bin/env bats
# The history (ASCBELL_HISTORY) and the review times learnt from it, in both shapes of the
# receiver: asc-http's built-in receiver and asc-http -- scripts/asc-receiver. The same
# requests must leave the same lines, byte for byte; the clock is pinned (ASCBELL_NOW) per
# step, as App Store Connect's deliveries would come over a day and a half.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"
VERSION=b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58
BETA=c7d2a9e4-1f36-4b8d-95e0-3a6f2c8b1d07

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_EVENTS ASCBELL_TEMPLATES SOCAT_PEERADDR ASC_KEY_ID \
		ASCBELL_RECEIVED
	export ASCBELL_ENV=/nonexistent
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'history secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp ASCBELL_TZ=UTC
	export ASCBELL_DRY_RUN=1 ECHOBELL_WEBHOOK_URL=https://hook.echobell.one/t/history-token
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
}

teardown() {
	stop_listener 2>/dev/null || true
}

# A version state change of $VERSION: old new timestamp id.
version_payload() {
	printf '{"data":{"type":"appStoreVersionAppVersionStateUpdated","id":"%s","version":1,' "$4"
	printf '"attributes":{"newValue":"%s","oldValue":"%s","timestamp":"%s"},' "$2" "$1" "$3"
	printf '"relationships":{"instance":{"data":{"type":"appStoreVersions","id":"%s"}}}}}\n' "$VERSION"
}

# An external beta state change of $BETA: old new timestamp id.
beta_payload() {
	printf '{"data":{"type":"buildBetaDetailExternalBuildStateUpdated","id":"%s","version":1,' "$4"
	printf '"attributes":{"newExternalBuildState":"%s","oldExternalBuildState":"%s","timestamp":"%s"},' "$2" "$1" "$3"
	printf '"relationships":{"instance":{"data":{"type":"buildBetaDetails","id":"%s"}}}}}\n' "$BETA"
}

# One delivery of payload file $2 to /myapp at the moment $1, in shape $SHAPE; the answer's
# last line in $ANSWER, the log (with the dry run's Echobell request) in $BATS_TEST_TMPDIR/log.
deliver() {
	local handler=()
	[ "$SHAPE" = script ] && handler=(-- "$RECEIVER")
	signed_request /myapp "$2" "$BATS_TEST_TMPDIR/request"
	ANSWER=$(ASCBELL_NOW=$1 asc-http "${handler[@]}" <"$BATS_TEST_TMPDIR/request" 2>"$BATS_TEST_TMPDIR/log" | tail -n 1)
}

# The body of the notification the dry run printed.
notification_body() {
	grep -A1 '^POST ' "$BATS_TEST_TMPDIR/log" | tail -n 1 | jq -r .body
}

@test "version events through the receiver: the history's lines, the review time, the notification (both shapes)" {
	for SHAPE in builtin script; do
		export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-$SHAPE"
		version_payload PREPARE_FOR_SUBMISSION WAITING_FOR_REVIEW 2026-11-25T20:00:00.412Z \
			11111111-0000-4000-8000-000000000001 >"$BATS_TEST_TMPDIR/1.json"
		version_payload WAITING_FOR_REVIEW IN_REVIEW 2026-11-26T15:00:00Z \
			11111111-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
		version_payload IN_REVIEW READY_FOR_DISTRIBUTION 2026-11-26T20:12:00Z \
			11111111-0000-4000-8000-000000000003 >"$BATS_TEST_TMPDIR/3.json"
		deliver 2026-11-25T20:00:02Z "$BATS_TEST_TMPDIR/1.json"
		assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
		assert_equal "$(notification_body)" "Prepare for Submission → Waiting for Review
App Store Version State Changed · Wed 25 Nov 20:00 UTC"
		deliver 2026-11-26T15:00:01Z "$BATS_TEST_TMPDIR/2.json"
		assert_equal "$(notification_body)" "Waiting for Review → In Review
In review after 19 h waiting.
App Store Version State Changed · Thu 26 Nov 15:00 UTC"
		deliver 2026-11-26T20:12:03Z "$BATS_TEST_TMPDIR/3.json"
		assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
		assert_equal "$(notification_body)" "In Review → Ready for Distribution
Review took 5 h 12 min after 19 h waiting.
Live on the App Store.
App Store Version State Changed · Thu 26 Nov 20:12 UTC"
	done
	# One file per UTC day of the answer, one line per request.
	run ls "$BATS_TEST_TMPDIR/history-builtin"
	assert_output "2026-11-25.jsonl
2026-11-26.jsonl"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/history-builtin/2026-11-25.jsonl")" \
		'{"at":"2026-11-25T20:00:02Z","answer":200,"outcome":"delivered","app":"myapp","event":{"id":"11111111-0000-4000-8000-000000000001","type":"appStoreVersionAppVersionStateUpdated","event":"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","category":"appStore","eventType":"App Store Version State Changed","timestamp":"2026-11-25T20:00:00.412Z","eventDate":"Wed 25 Nov 20:00 UTC","oldState":"PREPARE_FOR_SUBMISSION","newState":"WAITING_FOR_REVIEW","oldStatus":"Prepare for Submission","status":"Waiting for Review","severity":"info","message":"Prepare for Submission → Waiting for Review","instance":{"type":"appStoreVersions","id":"b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58","url":null},"app":{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution"},"attributes":{"newValue":"WAITING_FOR_REVIEW","oldValue":"PREPARE_FOR_SUBMISSION","timestamp":"2026-11-25T20:00:00.412Z"},"ping":false}}'
	run cat "$BATS_TEST_TMPDIR/history-builtin/2026-11-26.jsonl"
	assert_line --index 0 '{"at":"2026-11-26T15:00:01Z","answer":200,"outcome":"delivered","app":"myapp","event":{"id":"11111111-0000-4000-8000-000000000002","type":"appStoreVersionAppVersionStateUpdated","event":"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","category":"appStore","eventType":"App Store Version State Changed","timestamp":"2026-11-26T15:00:00Z","eventDate":"Thu 26 Nov 15:00 UTC","oldState":"WAITING_FOR_REVIEW","newState":"IN_REVIEW","oldStatus":"Waiting for Review","status":"In Review","severity":"info","message":"Waiting for Review → In Review","instance":{"type":"appStoreVersions","id":"b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58","url":null},"app":{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution"},"attributes":{"newValue":"IN_REVIEW","oldValue":"WAITING_FOR_REVIEW","timestamp":"2026-11-26T15:00:00Z"},"ping":false,"review":{"waited":68400,"inReview":null,"total":null,"waitedText":"19 h","inReviewText":null,"totalText":null}}}'
	assert_line --index 1 '{"at":"2026-11-26T20:12:03Z","answer":200,"outcome":"delivered","app":"myapp","event":{"id":"11111111-0000-4000-8000-000000000003","type":"appStoreVersionAppVersionStateUpdated","event":"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","category":"appStore","eventType":"App Store Version State Changed","timestamp":"2026-11-26T20:12:00Z","eventDate":"Thu 26 Nov 20:12 UTC","oldState":"IN_REVIEW","newState":"READY_FOR_DISTRIBUTION","oldStatus":"In Review","status":"Ready for Distribution","severity":"success","message":"In Review → Ready for Distribution","instance":{"type":"appStoreVersions","id":"b3f0e6d2-8c41-4a5e-9f17-2d6c0a9e4b58","url":null},"app":{"id":"6447123456","name":"MyApp","url":"https://appstoreconnect.apple.com/apps/6447123456/distribution"},"attributes":{"newValue":"READY_FOR_DISTRIBUTION","oldValue":"IN_REVIEW","timestamp":"2026-11-26T20:12:00Z"},"ping":false,"review":{"waited":68400,"inReview":18720,"total":87120,"waitedText":"19 h","inReviewText":"5 h 12 min","totalText":"1 d 0 h 12 min"}}}'
	assert_equal "${#lines[@]}" 2
	# The last event's review, by itself.
	run jq -c .event.review "$BATS_TEST_TMPDIR/history-builtin/2026-11-26.jsonl"
	assert_line --index 1 '{"waited":68400,"inReview":18720,"total":87120,"waitedText":"19 h","inReviewText":"5 h 12 min","totalText":"1 d 0 h 12 min"}'
	# The two shapes wrote the same bytes.
	run diff -r "$BATS_TEST_TMPDIR/history-builtin" "$BATS_TEST_TMPDIR/history-script"
	assert_success
}

@test "TestFlight external beta review: waiting, in beta review, approved (both shapes)" {
	for SHAPE in builtin script; do
		export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-$SHAPE"
		beta_payload READY_FOR_BETA_SUBMISSION WAITING_FOR_BETA_REVIEW 2026-11-20T08:00:00Z \
			22222222-0000-4000-8000-000000000001 >"$BATS_TEST_TMPDIR/1.json"
		beta_payload WAITING_FOR_BETA_REVIEW IN_BETA_REVIEW 2026-11-20T09:30:00Z \
			22222222-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
		beta_payload IN_BETA_REVIEW BETA_APPROVED 2026-11-20T09:47:30Z \
			22222222-0000-4000-8000-000000000003 >"$BATS_TEST_TMPDIR/3.json"
		deliver 2026-11-20T08:00:01Z "$BATS_TEST_TMPDIR/1.json"
		deliver 2026-11-20T09:30:01Z "$BATS_TEST_TMPDIR/2.json"
		assert_equal "$(notification_body)" "Waiting for Beta Review → In Beta Review
In review after 1 h 30 min waiting.
TestFlight Build State Changed · Fri 20 Nov 09:30 UTC"
		deliver 2026-11-20T09:47:31Z "$BATS_TEST_TMPDIR/3.json"
		assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
		assert_equal "$(notification_body)" "In Beta Review → Beta Approved
Review took 17 min after 1 h 30 min waiting.
External testers can install it now.
TestFlight Build State Changed · Fri 20 Nov 09:47 UTC"
		run jq -c '[.answer, .outcome, .event.newState, .event.review]' "$ASCBELL_HISTORY/2026-11-20.jsonl"
		assert_output '[200,"delivered","WAITING_FOR_BETA_REVIEW",null]
[200,"delivered","IN_BETA_REVIEW",{"waited":5400,"inReview":null,"total":null,"waitedText":"1 h 30 min","inReviewText":null,"totalText":null}]
[200,"delivered","BETA_APPROVED",{"waited":5400,"inReview":1050,"total":6450,"waitedText":"1 h 30 min","inReviewText":"17 min","totalText":"1 h 47 min"}]'
	done
	run diff -r "$BATS_TEST_TMPDIR/history-builtin" "$BATS_TEST_TMPDIR/history-script"
	assert_success
}

@test "without ASCBELL_HISTORY: no history, and the notification reads as before" {
	unset ASCBELL_HISTORY
	SHAPE=builtin
	version_payload IN_REVIEW READY_FOR_DISTRIBUTION 2026-11-26T20:12:00Z \
		11111111-0000-4000-8000-000000000003 >"$BATS_TEST_TMPDIR/3.json"
	deliver 2026-11-26T20:12:03Z "$BATS_TEST_TMPDIR/3.json"
	assert_equal "$(notification_body)" "In Review → Ready for Distribution
Live on the App Store.
App Store Version State Changed · Thu 26 Nov 20:12 UTC"
	run find "$BATS_TEST_TMPDIR" -name '*.jsonl'
	assert_output ''
}

@test "a forged request: a line with answer 401, outcome forged and no event (both shapes)" {
	for SHAPE in builtin script; do
		export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-$SHAPE"
		version_payload WAITING_FOR_REVIEW IN_REVIEW 2026-11-26T15:00:00Z \
			11111111-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
		signed_request /myapp "$BATS_TEST_TMPDIR/2.json" "$BATS_TEST_TMPDIR/request"
		sed -i 's/^x-apple-signature: hmacsha256=./x-apple-signature: hmacsha256=0/' "$BATS_TEST_TMPDIR/request"
		handler=()
		[ "$SHAPE" = script ] && handler=(-- "$RECEIVER")
		run -0 --separate-stderr env ASCBELL_NOW=2026-11-26T15:00:01Z asc-http "${handler[@]}" <"$BATS_TEST_TMPDIR/request"
		assert_line --index 0 --partial ' 401 '
		run cat "$ASCBELL_HISTORY/2026-11-26.jsonl"
		assert_output '{"at":"2026-11-26T15:00:01Z","answer":401,"outcome":"forged","app":"myapp","event":null}'
	done
}

@test "not a payload: 400 malformed, no event; a GET 405; a refused peer 403; healthz and an empty connection leave no line" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history"
	printf '{"not":"a payload"}' >"$BATS_TEST_TMPDIR/body.json"
	signed_request / "$BATS_TEST_TMPDIR/body.json" "$BATS_TEST_TMPDIR/request"
	ASCBELL_NOW=2026-11-26T15:00:01Z asc-http <"$BATS_TEST_TMPDIR/request" >/dev/null 2>&1
	printf 'GET /myapp HTTP/1.1\r\nHost: x\r\n\r\n' | ASCBELL_NOW=2026-11-26T15:00:02Z asc-http >/dev/null 2>&1
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' | ASCBELL_NOW=2026-11-26T15:00:03Z asc-http >/dev/null 2>&1
	# A connection that sends nothing is not a request; a peer outside the allow-list is
	# refused before a byte is read (no path, so no app).
	ASCBELL_NOW=2026-11-26T15:00:04Z asc-http </dev/null >/dev/null 2>&1
	SOCAT_PEERADDR=10.0.0.1 ASCBELL_ALLOW=17.0.0.0/8 ASCBELL_NOW=2026-11-26T15:00:05Z \
		asc-http <"$BATS_TEST_TMPDIR/request" >/dev/null 2>&1
	run cat "$ASCBELL_HISTORY/2026-11-26.jsonl"
	assert_output '{"at":"2026-11-26T15:00:01Z","answer":400,"outcome":"malformed","app":null,"event":null}
{"at":"2026-11-26T15:00:02Z","answer":405,"outcome":"method","app":"myapp","event":null}
{"at":"2026-11-26T15:00:05Z","answer":403,"outcome":"refused","app":null,"event":null}'
}

@test "a history that cannot be written: the delivery answered as before, a warning logged (both shapes)" {
	for SHAPE in builtin script; do
		# A file where the directory should be, and a day's file that is a directory.
		for broken in file day; do
			export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-$SHAPE-$broken"
			if [ $broken = file ]; then
				echo x >"$ASCBELL_HISTORY"
			else
				mkdir -p "$ASCBELL_HISTORY/2026-11-26.jsonl"
			fi
			version_payload WAITING_FOR_REVIEW IN_REVIEW 2026-11-26T15:00:00Z \
				11111111-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
			deliver 2026-11-26T15:00:01Z "$BATS_TEST_TMPDIR/2.json"
			assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
			grep -q '^POST https://hook.echobell.one/t/\*\*\*\*$' "$BATS_TEST_TMPDIR/log"
			run grep -c 'warning: history not written (the delivery is not affected): cannot ' "$BATS_TEST_TMPDIR/log"
			assert_output 1
			assert_equal "$(notification_body)" "Waiting for Review → In Review
App Store Version State Changed · Thu 26 Nov 15:00 UTC"
		done
	done
}

@test "hostile strings in the payload's fields stay one valid JSON line each (both shapes)" {
	# Quotes, a newline, templates, a NUL and a line separator escaped; then a payload with
	# bytes that are not UTF-8, which asc-parse refuses (400): its line has no event.
	printf '{"data":{"type":"appStoreVersionAppVersionStateUpdated","id":"33333333-0000-4000-8000-00000000000\\"1",' >"$BATS_TEST_TMPDIR/h.json"
	printf '"attributes":{"newValue":"IN_REVIEW\\n{{title}}","oldValue":"WAITING_FOR_REVIEW\\"\\u0000","timestamp":"2026-11-26T15:00:00Z","note":"\\u2028 {{ header }}"},' >>"$BATS_TEST_TMPDIR/h.json"
	printf '"relationships":{"instance":{"data":{"type":"appStoreVersions","id":"x\\"y\\nz"}}}}}' >>"$BATS_TEST_TMPDIR/h.json"
	sed 's/{{ header }}/\xff\xfe {{ header }} \xc3/' "$BATS_TEST_TMPDIR/h.json" >"$BATS_TEST_TMPDIR/bad-utf8.json"
	for SHAPE in builtin script; do
		export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-$SHAPE"
		deliver 2026-11-26T15:00:01Z "$BATS_TEST_TMPDIR/h.json"
		assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
		deliver 2026-11-26T15:00:02Z "$BATS_TEST_TMPDIR/bad-utf8.json"
		assert_equal "$ANSWER" '{"status":400,"message":"not an App Store Connect delivery"}'
		run python3 -c '
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "ends with a newline"
for raw in lines[:-1]:
    line = json.loads(raw.decode("utf-8"))
    assert isinstance(line, dict)
    event = line["event"]
    print(line["answer"], event and (event["id"], event["newState"], event["oldState"], event["attributes"]["note"], event["instance"]["id"]))
' "$ASCBELL_HISTORY/2026-11-26.jsonl"
		assert_success
		assert_output "200 ('33333333-0000-4000-8000-00000000000\"1', 'IN_REVIEW\\n{{title}}', 'WAITING_FOR_REVIEW\"\\x00', '\\u2028 {{ header }}', 'x\"y\\nz')
400 None"
	done
	run diff -r "$BATS_TEST_TMPDIR/history-builtin" "$BATS_TEST_TMPDIR/history-script"
	assert_success
}

@test "a corrupt line in the history is skipped with a warning naming the file and line; the rest counts" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history"
	mkdir -p "$ASCBELL_HISTORY"
	{
		printf '{"at":"2026-11-25T20:00:02Z","answer":200,"outcome":"delivered","app":null,"event":{"event":"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","timestamp":"2026-11-25T20:00:00Z","newState":"WAITING_FOR_REVIEW","instance":{"id":"%s"}}}\n' "$VERSION"
		# A line cut short (a full disk), mentioning the instance.
		printf '{"at":"2026-11-25T21:00:00Z","answer":200,"event":{"instance":{"id":"%s"\n' "$VERSION"
	} >"$ASCBELL_HISTORY/2026-11-25.jsonl"
	version_payload WAITING_FOR_REVIEW IN_REVIEW 2026-11-26T15:00:00Z \
		11111111-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
	for SHAPE in builtin script; do
		deliver 2026-11-26T15:00:01Z "$BATS_TEST_TMPDIR/2.json"
		assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
		run grep -c "warning: $ASCBELL_HISTORY/2026-11-25.jsonl:2: not a JSON object; skipped" "$BATS_TEST_TMPDIR/log"
		assert_output 1
		assert_equal "$(notification_body)" "Waiting for Review → In Review
In review after 19 h waiting.
App Store Version State Changed · Thu 26 Nov 15:00 UTC"
	done
}

@test "asc-parse --history DIR adds the review by hand; no DIR, no review" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history"
	SHAPE=builtin
	version_payload PREPARE_FOR_SUBMISSION WAITING_FOR_REVIEW 2026-11-25T20:00:00Z \
		11111111-0000-4000-8000-000000000001 >"$BATS_TEST_TMPDIR/1.json"
	deliver 2026-11-25T20:00:02Z "$BATS_TEST_TMPDIR/1.json"
	version_payload IN_REVIEW REJECTED 2026-11-27T09:00:00Z \
		11111111-0000-4000-8000-000000000004 >"$BATS_TEST_TMPDIR/4.json"
	# No IN_REVIEW line: the total alone is known.
	run -0 env ASCBELL_NOW=2026-11-27T09:00:01Z asc-parse --history "$ASCBELL_HISTORY" "$BATS_TEST_TMPDIR/4.json"
	assert_equal "$(jq -c .review <<<"$output")" '{"waited":null,"inReview":null,"total":133200,"waitedText":null,"inReviewText":null,"totalText":"1 d 13 h"}'
	run -0 asc-parse "$BATS_TEST_TMPDIR/4.json"
	assert_equal "$(jq -c .review <<<"$output")" 'null'
	run -78 env ASCBELL_NOW=yesterday asc-parse --history "$ASCBELL_HISTORY" "$BATS_TEST_TMPDIR/4.json"
	assert_output --partial 'ASCBELL_NOW: not a UTC time'
}

@test "--listen and --async: the same line from the long-running receiver; 202 accepted with its event" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-listen"
	export ASCBELL_NOW=2026-11-26T15:00:01Z
	version_payload WAITING_FOR_REVIEW IN_REVIEW 2026-11-26T15:00:00Z \
		11111111-0000-4000-8000-000000000002 >"$BATS_TEST_TMPDIR/2.json"
	signed_request /myapp "$BATS_TEST_TMPDIR/2.json" "$BATS_TEST_TMPDIR/request"
	start_long_running --workers 1
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	stop_listener
	SHAPE=builtin
	ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-inetd" deliver "$ASCBELL_NOW" "$BATS_TEST_TMPDIR/2.json"
	run diff -r "$BATS_TEST_TMPDIR/history-listen" "$BATS_TEST_TMPDIR/history-inetd"
	assert_success
	# --async answers first; its line is written once the handler is done, and asc-http
	# (the parent) has returned by then only when the child has: wait for the file.
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history-async"
	asc-http --spool "$BATS_TEST_TMPDIR/spool" --async -- "$RECEIVER" <"$BATS_TEST_TMPDIR/request" >/dev/null 2>&1
	for _ in $(seq 200); do
		[ -s "$ASCBELL_HISTORY/2026-11-26.jsonl" ] && break
		sleep 0.05
	done
	run jq -c '[.answer, .outcome, .event.newState]' "$ASCBELL_HISTORY/2026-11-26.jsonl"
	assert_output '[202,"accepted","IN_REVIEW"]'
}
