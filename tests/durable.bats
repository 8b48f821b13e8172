#!/usr/bin/env bats
# Nothing lost, nothing doubled (issue 11): the bytes verified are the bytes parsed, a
# de-duplication marker means "notified or durably queued", a killed agent does not send
# twice, the spool never keeps a request that can never succeed, and one parser of the path.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"
REPLAY="$BATS_TEST_DIRNAME/../scripts/asc-replay"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASCBELL_EVENTS ASCBELL_TEMPLATES \
		ASCBELL_APP SOCAT_PEERADDR
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
	SPOOL="$BATS_TEST_TMPDIR/spool"
}

teardown() {
	stop_listener
	stop_fake
	[ -z "${WATCHERS:-}" ] || kill $WATCHERS 2>/dev/null || true
}

start_receiver() {
	start_listener --spool "$SPOOL" "$@" -- "$RECEIVER"
}

# Posts body file $1 signed (to path $2, default /) and sets $CODE.
deliver() {
	signed_request "${2:-/}" "$1" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
}

spooled() {
	ls "$SPOOL/$1" | wc -l
}

# ---- the bytes verified are the bytes parsed ----

@test "a signed body with a NUL byte is not JSON: 400, nothing sent, the request deleted" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	# The ping with a NUL after its first brace: the shell would drop it, jq refuses it.
	{ printf '{\0'; tail -c +2 "$FIXTURES/asc/ping.json"; } >"$BATS_TEST_TMPDIR/body"
	run jq . "$BATS_TEST_TMPDIR/body"
	assert_failure
	deliver "$BATS_TEST_TMPDIR/body"
	assert_equal "$CODE" 400
	assert_equal "$(fake_requests)" 0
	assert_equal "$(spooled new) $(spooled cur)" "0 0"
}

@test "an empty signed body, or a blank one, is not a delivery: 400, nothing sent, nothing kept" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_receiver
	: >"$BATS_TEST_TMPDIR/empty"
	deliver "$BATS_TEST_TMPDIR/empty"
	assert_equal "$CODE" 400
	printf ' \r\n\t\n' >"$BATS_TEST_TMPDIR/blank"
	deliver "$BATS_TEST_TMPDIR/blank"
	assert_equal "$CODE" 400
	assert_equal "$(fake_requests)" 0
	assert_equal "$(spooled new) $(spooled cur)" "0 0"
	grep -q 'asc-receiver: error: the signed body holds no payload' "$BATS_TEST_TMPDIR/listener.log"
	# Filtered out by ASCBELL_EVENTS is still a 200 "filtered".
	stop_listener
	export ASCBELL_EVENTS=testFlight
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	[[ "$ANSWER" == *'"message":"filtered"'* ]]
}

# ---- one parser of the path ----

@test "--apps-dir: //myapp, /./, /%2e%2e/ are 404 before the body; /myapp//x reaches myapp; nothing stuck in new/" {
	start_fake
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ECHOBELL_WEBHOOK_URL=%s\nASC_APP_ID=111\nASC_APP_NAME=One\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/apps/myapp.env"
	unset ASC_APP_ID ASC_APP_NAME
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	start_receiver
	for path in //myapp //myapp/ /./ /../ /%2e%2e/ /%2e/myapp /my%61pp '/.' '/..' / ''; do
		deliver "$FIXTURES/asc/ping.json" "${path:-/}"
		assert_equal "$path $CODE" "$path 404"
	done
	assert_equal "$(spooled new) $(spooled cur)" "0 0"
	# A path asc-http lets through is handled for the same app.
	for path in /myapp /myapp/ /myapp//x /myapp/./..; do
		deliver "$FIXTURES/asc/ping.json" "$path"
		assert_equal "$path $CODE" "$path 200"
	done
	assert_equal "$(spooled new) $(spooled cur)" "0 4"
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies" | sort -u)" '🔔 One: Webhook ping'
	# The same under a prefix, and whatever ASCBELL_APP the environment held.
	stop_listener
	ASCBELL_APP=myapp start_receiver --path /hooks
	for path in /hooks//myapp /hooks /hooks/ /hooksmyapp; do
		deliver "$FIXTURES/asc/ping.json" "$path"
		assert_equal "$path $CODE" "$path 404"
	done
	assert_equal "$(spooled new) $(fake_requests)" "0 4"
}

@test "without --apps-dir the app id comes from the same parser: /123 names app 123, //123 names none" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	unset ASC_APP_ID ASC_APP_NAME
	start_receiver
	deliver "$FIXTURES/asc/ping.json" /6447000001
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/ping.json" //6447000002
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .app.id "$FAKE_DIR/bodies" | tr '\n' ' ')" "6447000001 null "
}
