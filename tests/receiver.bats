#!/usr/bin/env bats
# The whole receiver: signed deliveries over real TCP through socat and asc-http, to a fake
# Echobell; in direct mode and in queued mode. Run once per shape of the receiver (see
# receiver_shape): as receiver.bats, asc-http runs scripts/asc-receiver and the programs; as
# receiver-builtin.bats (a link to this file), asc-http's built-in receiver does it all; as
# receiver-listen.bats, the built-in receiver in asc-http's long-running mode.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"
REPLAY="$BATS_TEST_DIRNAME/../scripts/asc-replay"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
	SPOOL="$BATS_TEST_TMPDIR/spool"
	# The programs under test (build/bin, or the ASan build under make sanitize), behind
	# wrappers that note which of them ran.
	REAL_BIN=$ASCBELL_BIN
	export ASCBELL_BIN="$BATS_TEST_TMPDIR/bin" RAN="$BATS_TEST_TMPDIR/ran"
	mkdir -p "$ASCBELL_BIN"
	for prog in asc-verify asc-parse asc-render echobell-send; do
		printf '#!/bin/sh\necho %s >>"$RAN"\nexec "%s/%s" "$@"\n' "$prog" "$REAL_BIN" "$prog" >"$ASCBELL_BIN/$prog"
		chmod +x "$ASCBELL_BIN/$prog"
	done
}

teardown() {
	stop_listener
	stop_fake
	[ -z "${WATCHERS:-}" ] || kill $WATCHERS 2>/dev/null || true
}

# asc-http's own binary is the one under test (ASCBELL_BIN is the wrappers' directory here).
start_receiver() {
	if [ "$(receiver_shape)" = listen ]; then
		ASC_HTTP="$REAL_BIN/asc-http" start_long_running --spool "$SPOOL" "$@"
	else
		ASC_HTTP="$REAL_BIN/asc-http" start_listener --spool "$SPOOL" "$@" $(receiver_handler_args)
	fi
}

# The programs that ran, one line each: those named in the script shape, none in the
# built-in one (everything happens inside asc-http).
assert_ran() {
	if [ "$(receiver_shape)" = script ]; then
		assert_equal "$(tr '\n' ' ' <"$RAN")" "$* "
	else
		assert_equal "$(cat "$RAN" 2>/dev/null)" ''
	fi
}

# Posts payload $1 signed (to path $2, default /) and sets $CODE.
deliver() {
	signed_request "${2:-/}" "$1" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
}

# What asc-render makes of a payload, to compare with what reached the fake.
expected_notification() {
	"$REAL_BIN/asc-parse" -q <"$1" | "$REAL_BIN/asc-render" --only | jq -c '{title, body, externalLink}'
}

notifications() {
	jq -c '{title, body, externalLink}' "$FAKE_DIR/bodies"
}

@test "every fixture, signed, becomes exactly one notification with the expected text" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	: >"$BATS_TEST_TMPDIR/expected"
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		deliver "$payload"
		assert_equal "$CODE" 200
		expected_notification "$payload" >>"$BATS_TEST_TMPDIR/expected"
	done
	assert_equal "$(notifications)" "$(cat "$BATS_TEST_TMPDIR/expected")"
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies" | grep -c .)" "$(ls "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json | wc -l)"
	grep -qx '❌ MyApp: Rejected' <(jq -r .title "$FAKE_DIR/bodies")
	# Handled deliveries move to cur/.
	run ls "$SPOOL/new"
	assert_output ''
	refute_token "$(cat "$BATS_TEST_TMPDIR/listener.log")"
}

@test "a signed body with ASCII RS (0x1e): 400, nothing sent, not left in new/" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	for at in 0 1 50; do
		{ head -c $at "$FIXTURES/asc/ping.json"; printf '\x1e'; tail -c +$((at + 1)) "$FIXTURES/asc/ping.json"; } >"$BATS_TEST_TMPDIR/body"
		deliver "$BATS_TEST_TMPDIR/body"
		assert_equal "$CODE" 400
	done
	assert_equal "$(fake_requests)" 0
	run ls "$SPOOL/new"
	assert_output ''
}

@test "a forged delivery: 401, nothing sent, only asc-verify ran, nothing left in the spool" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	sed -i 's/REJECTED/ACCEPTED/' "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 401
	assert_equal "$(fake_requests)" 0
	assert_ran asc-verify
	# Spooled and deleted by the script shape; never written by the built-in one, which
	# checks the signature before it spools.
	assert_equal "$(find "$SPOOL" -type f 2>/dev/null)" ''
	if [ "$(receiver_shape)" != script ]; then
		[ ! -e "$SPOOL/new" ]
	fi
}

@test "a signed body that is not JSON: 400, nothing sent" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	printf 'not json at all' >"$BATS_TEST_TMPDIR/body"
	deliver "$BATS_TEST_TMPDIR/body"
	assert_equal "$CODE" 400
	assert_equal "$(fake_requests)" 0
}

@test "Echobell 503: the notification is kept, App Store Connect gets 200; a flush delivers it later" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	[ "$(ls "$ASCBELL_UNSENT/new" | wc -l)" -eq 1 ]
	echo 200 >"$FAKE_DIR/mode"
	: >"$FAKE_DIR/bodies"
	"$REAL_BIN/echobell-send" --flush "$ASCBELL_UNSENT"
	assert_equal "$(notifications)" "$(expected_notification "$FIXTURES/asc/app-version-rejected.json")"
}

@test "Echobell down and nowhere to keep the notification: 503, the delivery stays in new/" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_UNSENT=/dev/null/unsent
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 503
	[ "$(ls "$SPOOL/new" | wc -l)" -eq 1 ]
}

@test "the handler killed mid-way: the delivery stays in new/, the history says 503, and asc-replay delivers it" {
	start_fake --script stall
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history"
	start_receiver --handler-timeout 1
	deliver "$FIXTURES/asc/build-beta-state.json" /myapp
	assert_equal "$CODE" 503
	[ "$(ls "$SPOOL/new" | wc -l)" -eq 1 ]
	# One line, as for every answer, written before it (the built-in receiver's is made
	# ready before the handling: the event is not in it).
	assert_equal "$(jq -c '[.at, .answer, .outcome, .app]' "$ASCBELL_HISTORY/2026-03-09.jsonl")" \
		'["2026-03-09T12:00:00Z",503,"unavailable","myapp"]'
	echo 200 >"$FAKE_DIR/mode"
	: >"$FAKE_DIR/bodies"
	PATH="$REAL_BIN:$PATH" run --separate-stderr "$REPLAY" "$SPOOL" "$RECEIVER"
	assert_success
	run ls "$SPOOL/new"
	assert_output ''
	assert_equal "$(notifications)" "$(expected_notification "$FIXTURES/asc/build-beta-state.json")"
}

@test "50 concurrent signed deliveries: 50 notifications, none lost or doubled" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	# Generous: under make sanitize, 50 deliveries of ASan programs share two cores, and an
	# answer may take a minute to come.
	LISTEN_LINGER=180 start_receiver --handler-timeout 120
	for i in $(seq 50); do
		jq -c --arg id "id-$i" '.data.id = $id' "$FIXTURES/asc/ping.json" >"$BATS_TEST_TMPDIR/p$i"
		signed_request / "$BATS_TEST_TMPDIR/p$i" "$BATS_TEST_TMPDIR/r$i"
	done
	for i in $(seq 50); do
		socat -t 180 - TCP:127.0.0.1:"$LISTEN_PORT" <"$BATS_TEST_TMPDIR/r$i" >"$BATS_TEST_TMPDIR/a$i" &
	done
	wait_for_requests 50 1200
	for _ in $(seq 1200); do
		[ "$(cat "$BATS_TEST_TMPDIR"/a* | grep -c '^HTTP/1.1 ')" -ge 50 ] && break
		sleep 0.1
	done
	assert_equal "$(fake_requests)" 50
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies" | sort -u | wc -l)" 50
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/a* | grep -c '^HTTP/1.1 200 OK')" 50
}

@test "the same event delivered twice (Apple's rare duplicate): one notification" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	assert_equal "$(fake_requests)" 1
	grep -q "event 9d4e2b71-0c6a-4f3e-8b15-7a2c9e0d6f43 was already notified" "$BATS_TEST_TMPDIR/listener.log"
}

@test "a failed send releases the event's marker, so Apple's retry is notified" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup" ASCBELL_UNSENT=/dev/null/x
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 503
	echo 200 >"$FAKE_DIR/mode"
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies" | tail -n 1)" '❌ MyApp: Rejected'
}

@test "TLS: socat OPENSSL-LISTEN in front, with a generated certificate" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
		-keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" 2>/dev/null
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	local tls=",cert=$BATS_TEST_TMPDIR/cert.pem,key=$BATS_TEST_TMPDIR/key.pem,verify=0" port
	if [ "$(receiver_shape)" = listen ]; then
		# The long-running receiver behind socat as a TLS terminator on its own port.
		start_receiver
		port=$(free_port)
		timeout 120 socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork$tls" "TCP:127.0.0.1:$LISTEN_PORT" 2>/dev/null &
		WATCHERS="${WATCHERS:-} $!"
		for _ in $(seq 100); do
			socat -u /dev/null TCP:127.0.0.1:"$port" 2>/dev/null && break
			sleep 0.05
		done
	else
		LISTEN_TYPE=OPENSSL-LISTEN LISTEN_OPTIONS="$tls" start_receiver
		port=$LISTEN_PORT
	fi
	ASCBELL_CAFILE="$BATS_TEST_TMPDIR/cert.pem" run "$BATS_TEST_DIRNAME/../scripts/asc-ping" "https://localhost:$port/"
	assert_success
	assert_output "$(printf 'HTTP/1.1 200 OK\n{"status":200,"message":"delivered"}')"
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '🔔 MyApp: Webhook ping'
}

@test "CGI: the receiver behind a CGI server" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	body="$FIXTURES/asc/app-version-rejected.json"
	run env REQUEST_METHOD=POST PATH_INFO=/ CONTENT_LENGTH="$(wc -c <"$body")" CONTENT_TYPE=application/json \
		HTTP_X_APPLE_SIGNATURE="$("$REAL_BIN/asc-verify" --sign <"$body")" REMOTE_ADDR=17.1.2.3 \
		"$REAL_BIN/asc-http" -q --cgi --spool "$SPOOL" $(receiver_handler_args) <"$body"
	assert_line --index 0 $'Status: 200 OK\r'
	assert_equal "$(notifications)" "$(expected_notification "$body")"
}

@test "two apps on one receiver reach their own channels; ../etc and unknown apps are 404" {
	FAKE_NAME=one start_fake
	one_url=$FAKE_URL one_dir=$FAKE_DIR
	FAKE_NAME=two start_fake
	two_url=$FAKE_URL two_dir=$FAKE_DIR
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ECHOBELL_WEBHOOK_URL=%s\nASC_APP_ID=111\nASC_APP_NAME=One\n' "$one_url" >"$BATS_TEST_TMPDIR/apps/one.env"
	printf 'ECHOBELL_WEBHOOK_URL=%s\nASC_APP_ID=222\nASC_APP_NAME=Two\n' "$two_url" >"$BATS_TEST_TMPDIR/apps/two.env"
	unset ECHOBELL_WEBHOOK_URL ASC_APP_ID ASC_APP_NAME
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	start_receiver --path /hooks
	deliver "$FIXTURES/asc/app-version-rejected.json" /hooks/one
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/build-beta-state.json" /hooks/two
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$one_dir/bodies")" '❌ One: Rejected'
	assert_equal "$(jq -r .title "$two_dir/bodies")" '✅ Two: Beta Approved'
	for path in /hooks/three /hooks/../etc/passwd /hooks/..%2Fone /hooks; do
		deliver "$FIXTURES/asc/ping.json" "$path"
		assert_equal "$CODE" 404
	done
	assert_equal "$(cat "$one_dir/requests") $(cat "$two_dir/requests")" "1 1"
}

@test "a rejection also reaches the escalation channel; other events do not" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	main_dir=$FAKE_DIR
	FAKE_NAME=escalation start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/escalation-url"
	export ECHOBELL_ESCALATION_URL_FILE="$BATS_TEST_TMPDIR/escalation-url"
	start_receiver
	deliver "$FIXTURES/asc/app-version-state.json"
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$(cat "$main_dir/requests")" 2
	assert_equal "$(fake_requests)" 1
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '❌ MyApp: Rejected'
}

@test "queued mode: answered at once, delivered by the watcher; stopped watcher, then restarted: each once" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	start_receiver
	"$REAL_BIN/echobell-send" --watch "$ASCBELL_OUTBOX" 2>>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHERS=$!
	: >"$BATS_TEST_TMPDIR/expected"
	for payload in "$FIXTURES"/asc/*.json; do
		deliver "$payload"
		assert_equal "$CODE" 200
		expected_notification "$payload" >>"$BATS_TEST_TMPDIR/expected"
	done
	count=$(ls "$FIXTURES"/asc/*.json | wc -l)
	wait_for_requests "$count"
	assert_equal "$(notifications)" "$(cat "$BATS_TEST_TMPDIR/expected")"
	# Without the watcher, deliveries are still answered 200 and wait in the outbox.
	kill -TERM $WATCHERS
	wait $WATCHERS || true
	for payload in "$FIXTURES"/asc-more/*.json; do
		deliver "$payload"
		assert_equal "$CODE" 200
	done
	more=$(ls "$FIXTURES"/asc-more/*.json | wc -l)
	assert_equal "$(ls "$ASCBELL_OUTBOX/new" | wc -l)" "$more"
	assert_equal "$(fake_requests)" "$count"
	"$REAL_BIN/echobell-send" --watch "$ASCBELL_OUTBOX" 2>>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHERS=$!
	wait_for_requests $((count + more))
	sleep 0.3
	assert_equal "$(fake_requests)" $((count + more))
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies" | sort | uniq -d)" ''
}

@test "make run's receiver: a secret made and shown once, a signed ping answered, a dry run printed" {
	export ASCBELL_VAR="$BATS_TEST_TMPDIR/var" PORT=$(free_port)
	unset ECHOBELL_WEBHOOK_URL ASC_WEBHOOK_SECRET_FILE ASCBELL_BIN
	sh "$BATS_TEST_DIRNAME/../scripts/run-local" >"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err" 3>&- &
	LISTENER_PID=$!
	for _ in $(seq 100); do
		socat -u /dev/null TCP:127.0.0.1:"$PORT" 2>/dev/null && break
		sleep 0.05
	done
	[ "$(stat -c %a "$ASCBELL_VAR/secret")" = 600 ]
	grep -qx "    $(cat "$ASCBELL_VAR/secret")" "$BATS_TEST_TMPDIR/run.out"
	run "$BATS_TEST_DIRNAME/../scripts/asc-ping" -k "$ASCBELL_VAR/secret" "http://127.0.0.1:$PORT/" "$FIXTURES/asc/app-version-rejected.json"
	assert_success
	assert_output "$(printf 'HTTP/1.1 200 OK\n{"status":200,"message":"delivered"}')"
	grep -q '^POST https://hook.echobell.one/t/\*\*\*\*$' "$BATS_TEST_TMPDIR/run.err"
	grep -q '"title":"❌ MyApp: Rejected"' "$BATS_TEST_TMPDIR/run.err"
	# A wrong secret is refused.
	run "$BATS_TEST_DIRNAME/../scripts/asc-ping" -k "$(secret_file other)" "http://127.0.0.1:$PORT/"
	assert_failure
	assert_line --index 0 'HTTP/1.1 401 Unauthorized'
	# asc-http's long-running mode under the script's own pid (exec), so the printed
	# kill -HUP reaches it: var/env is read again then.
	assert_equal "$(cat "/proc/$LISTENER_PID/comm")" asc-http
	grep -qx "Settings in $ASCBELL_VAR/env are read at start and again on kill -HUP $LISTENER_PID; a URL put in" \
		"$BATS_TEST_TMPDIR/run.out"
	printf 'ASCBELL_ALLOW=192.0.2.1\n' >"$ASCBELL_VAR/env"
	kill -HUP "$LISTENER_PID"
	for _ in $(seq 100); do
		grep -q '^asc-http: reloaded: ' "$BATS_TEST_TMPDIR/run.err" && break
		sleep 0.05
	done
	run "$BATS_TEST_DIRNAME/../scripts/asc-ping" -k "$ASCBELL_VAR/secret" "http://127.0.0.1:$PORT/"
	assert_line --index 0 'HTTP/1.1 403 Forbidden'
	# Ctrl-C: it stops by itself (the deliveries in flight first), exit 0.
	kill -INT "$LISTENER_PID"
	status=0
	wait "$LISTENER_PID" || status=$?
	LISTENER_PID=
	assert_equal "$status" 0
	grep -qx 'asc-http: stopped' "$BATS_TEST_TMPDIR/run.err"
}

@test "with API credentials the receiver enriches: the tester's comment reaches the phone" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_fake_api
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	# asc-enrich behind the same kind of wrapper as the other programs.
	printf '#!/bin/sh\necho asc-enrich >>"$RAN"\nexec "%s/asc-enrich" "$@"\n' "$REAL_BIN" >"$ASCBELL_BIN/asc-enrich"
	chmod +x "$ASCBELL_BIN/asc-enrich"
	start_receiver
	deliver "$FIXTURES/asc/feedback-screenshot.json"
	assert_equal "$CODE" 200
	assert_ran asc-verify asc-parse asc-enrich asc-render echobell-send
	# The app and its version through the feedback's build (the spec has no app relationship
	# on feedback; the fake no longer invents one).
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '💬 MyApp 2.3: New TestFlight feedback'
	assert_equal "$(jq -r .body "$FAKE_DIR/bodies" | head -n 3)" "$(printf '“The "Buy" button\nis cut off 😀”\nFrom Kim Lee on iPhone15,2 (18.1)')"
}

# A template written for App Store Connect pointed straight at Echobell (the payload's
# keys, header, bodyAsText) renders the same through the receiver; notificationType per event.
@test "Echobell's request variables through the receiver: header, bodyAsText byte for byte, data; notificationType per event" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	cat >"$BATS_TEST_TMPDIR/templates.json" <<'EOF_T'
{"default": {"title": "{{data.type}} {{data.attributes.newValue}} {{header[\"content-type\"]}} {{header.host}}",
             "body": "{{bodyAsText}}",
             "externalLink": "{{header[\"x-apple-signature\"]}}",
             "notificationType": "{{severity == \"error\" ? \"time-sensitive\" : \"active\"}}"}}
EOF_T
	export ASCBELL_TEMPLATES="$BATS_TEST_TMPDIR/templates.json"
	start_receiver
	# Spacing, an escape and CRLF that any re-serialisation would lose.
	printf '{ "data": {"type":"appStoreVersionAppVersionStateUpdated", "id":"0b4d2b71-0c6a-4f3e-8b15-7a2c9e0d6f43",\r\n "version":1,"attributes":{"newValue":"REJECTED","oldValue":"IN_REVIEW","timestamp":"2026-03-03T09:41:02Z","note":"caf\\u00e9"}}}\n' >"$BATS_TEST_TMPDIR/rejected.json"
	deliver "$BATS_TEST_TMPDIR/rejected.json"
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/ping.json"
	assert_equal "$CODE" 200
	run jq -c '[.title, .externalLink, .notificationType]' "$FAKE_DIR/bodies"
	assert_output "$(printf '%s\n' \
		"[\"appStoreVersionAppVersionStateUpdated REJECTED application/json receiver.test\",\"$(asc-verify --sign <"$BATS_TEST_TMPDIR/rejected.json")\",\"time-sensitive\"]" \
		"[\"webhookPingCreated  application/json receiver.test\",\"$(asc-verify --sign <"$FIXTURES/asc/ping.json")\",\"active\"]")"
	head -n 1 "$FAKE_DIR/bodies" | jq -j .body >"$BATS_TEST_TMPDIR/body-as-text"
	cmp "$BATS_TEST_TMPDIR/rejected.json" "$BATS_TEST_TMPDIR/body-as-text"
	tail -n 1 "$FAKE_DIR/bodies" | jq -j .body >"$BATS_TEST_TMPDIR/body-as-text"
	cmp "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/body-as-text"
}
