#!/usr/bin/env bats
# asc-http + asc-receiver: the answer's message says what happened to the delivery
# (DESIGN.md, asc-http): delivered, queued, kept, duplicate, filtered. Exact bodies. Run
# once per shape of the receiver (receiver_shape in helpers/common.bash): this file with
# scripts/asc-receiver, receiver-outcome-builtin.bats (a link to it) with the built-in one.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASCBELL_EVENTS ASCBELL_TEMPLATES SOCAT_PEERADDR
	export ASCBELL_ENV=/nonexistent
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
}

teardown() {
	stop_fake
}

# Posts payload $1, signed, through asc-http on standard input; the answer in $output.
post() {
	signed_request / "$1" "$BATS_TEST_TMPDIR/request"
	run --separate-stderr asc-http $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
}

answer_200() {
	local body
	body=$(printf '{"status":200,"message":"%s"}' "$1")
	printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		$((${#body} + 1)) "$body"
}

@test "sent to Echobell: delivered" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 delivered)"
	assert_equal "$(fake_requests)" 1
}

@test "queued mode: queued, and the message is in the outbox" {
	export ECHOBELL_WEBHOOK_URL=https://hook.echobell.one/t/x ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 queued)"
	assert_equal "$(ls "$ASCBELL_OUTBOX/new" | wc -l)" 1
}

@test "Echobell unreachable, the message kept in the unsent spool: kept" {
	export ECHOBELL_WEBHOOK_URL="http://127.0.0.1:$(free_port)/t/$FAKE_TOKEN"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 kept)"
	assert_equal "$(ls "$ASCBELL_UNSENT/new" | wc -l)" 1
	# The warning still reaches the log.
	sender=echobell-send
	[ "$(receiver_shape)" = script ] || sender=asc-http
	[[ "$stderr" == *"$sender: warning: message 1: not delivered"*"; kept as $ASCBELL_UNSENT/new/"* ]]
	refute_token "$stderr"
}

@test "Echobell unreachable and no spool: 503, nothing called kept" {
	export ECHOBELL_WEBHOOK_URL="http://127.0.0.1:$(free_port)/t/$FAKE_TOKEN" ASCBELL_UNSENT=
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_line --index 0 $'HTTP/1.1 503 Service Unavailable\r'
	assert_line --index 5 '{"status":503,"message":"try again later"}'
}

@test "the same event again: duplicate" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 delivered)"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 duplicate)"
	assert_equal "$(fake_requests)" 1
}

@test "left out by ASCBELL_EVENTS or by a template condition: filtered" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	ASCBELL_EVENTS=testFlight post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 filtered)"
	printf '{"default":{"title":"t","body":"b","condition":"severity == \\"error\\""}}' >"$BATS_TEST_TMPDIR/templates.json"
	ASCBELL_TEMPLATES="$BATS_TEST_TMPDIR/templates.json" post "$FIXTURES/asc/app-version-state.json"
	assert_output "$(answer_200 filtered)"
	ASCBELL_TEMPLATES="$BATS_TEST_TMPDIR/templates.json" post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 delivered)"
	assert_equal "$(fake_requests)" 1
}

@test "run outside asc-http (asc-replay, by hand): no outcome descriptor, no error" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" HTTP_X_APPLE_SIGNATURE
	if [ "$(receiver_shape)" = builtin ]; then
		# Nothing runs outside asc-http: an ASCBELL_OUTCOME_FD in its environment is not
		# written to, and the answer still says what happened.
		signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
		ASCBELL_OUTCOME_FD=7 run --separate-stderr asc-http -q <"$BATS_TEST_TMPDIR/request" 7>"$BATS_TEST_TMPDIR/fd7"
		assert_output "$(answer_200 delivered)"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/fd7")" ''
		return
	fi
	HTTP_X_APPLE_SIGNATURE=$(asc-verify --sign <"$FIXTURES/asc/ping.json")
	run --separate-stderr "$RECEIVER" <"$FIXTURES/asc/ping.json"
	assert_success
	assert_equal "$stderr" ''
	ASCBELL_OUTCOME_FD=7 run --separate-stderr "$RECEIVER" <"$FIXTURES/asc/ping.json"
	assert_success
	assert_equal "$stderr" ''
}

@test "an env file the receiver's user cannot read: 78 and a clear error, not an empty configuration" {
	chmod 711 "$BATS_RUN_TMPDIR"
	printf 'ASCBELL_ALLOW=17.0.0.0/8\n' >"$BATS_TEST_TMPDIR/env"
	chmod 600 "$BATS_TEST_TMPDIR/env"
	if [ "$(receiver_shape)" = builtin ]; then
		# asc-http reads it for the built-in receiver: 500, and the log says why.
		signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
		ASCBELL_ENV="$BATS_TEST_TMPDIR/env" run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
			"$ASCBELL_BIN/asc-http" <"$BATS_TEST_TMPDIR/request"
		assert_line --index 0 $'HTTP/1.1 500 Internal Server Error\r'
		assert_line --index 5 '{"status":500,"message":"configuration error (see the log)"}'
		[[ "$stderr" == *"asc-http: error: "*"$BATS_TEST_TMPDIR/env"*"Permission denied"* ]]
		return
	fi
	ASCBELL_ENV="$BATS_TEST_TMPDIR/env" run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$RECEIVER" </dev/null
	assert_failure 78
	assert_equal "$stderr" "asc-receiver: error: cannot read $BATS_TEST_TMPDIR/env (run as a user that may read it)"
}

@test "bad bodies, signed: invalid UTF-8, two payloads of which one is not one, a JSON string: 400, nothing sent" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	printf '{"data":{"type":"appStoreVersionAppVersionStateUpdated","id":"a\xff\xfe"}}' >"$BATS_TEST_TMPDIR/utf8.json"
	{ cat "$FIXTURES/asc/ping.json"; printf '\n{"data": 5}\n'; } >"$BATS_TEST_TMPDIR/two.json"
	printf '"a string"' >"$BATS_TEST_TMPDIR/string.json"
	for body in utf8 two string; do
		post "$BATS_TEST_TMPDIR/$body.json"
		assert_line --index 0 $'HTTP/1.1 400 Bad Request\r'
	done
	assert_equal "$(fake_requests)" 0
}

@test "an app's env file with a value that needs the shell: the built-in receiver refuses it (500), asc-receiver expands it" {
	start_fake
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/url"
	printf 'URL_DIR=%s\nECHOBELL_URL_FILE=$URL_DIR/url\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/apps/one.env"
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	signed_request /one "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
	run --separate-stderr asc-http $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
	if [ "$(receiver_shape)" = script ]; then
		assert_output "$(answer_200 delivered)"
		assert_equal "$(fake_requests)" 1
	else
		assert_line --index 0 $'HTTP/1.1 500 Internal Server Error\r'
		[[ "$stderr" == *"$BATS_TEST_TMPDIR/apps/one.env"*"ECHOBELL_URL_FILE"* ]]
		assert_equal "$(fake_requests)" 0
	fi
}

# The log's lines that hold $1, counted.
said() {
	grep -cF -- "$1" <<<"$stderr" || true
}

@test "settings the receiver cannot use: no secret, a secret file that is a directory, ASC_APP_ID not digits, an empty ASCBELL_EVENTS: 500, said once, the request kept for replay" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	check() {
		rm -rf "$BATS_TEST_TMPDIR/spool"
		run --separate-stderr asc-http -q --spool "$BATS_TEST_TMPDIR/spool" $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
		assert_line --index 0 $'HTTP/1.1 500 Internal Server Error\r'
		assert_equal "$(said "$1")" 1
		assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" 1
	}
	(unset ASC_WEBHOOK_SECRET_FILE; check "error: no webhook secret")
	ASC_WEBHOOK_SECRET_FILE=$BATS_TEST_TMPDIR check "error: cannot read secret file $BATS_TEST_TMPDIR (ASC_WEBHOOK_SECRET_FILE): Is a directory"
	ASC_APP_ID=64471x check "error: ASC_APP_ID: not an App Store Connect app id (digits)"
	ASCBELL_EVENTS=' , ' check "the list is empty"
	assert_equal "$(fake_requests)" 0
}

@test "ASCBELL_EVENTS naming an unknown event: a warning in the log, even with asc-http -q; the event filtered out" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	ASCBELL_EVENTS='appStoreVersion, appStore' post "$FIXTURES/asc/app-version-rejected.json"
	assert_output "$(answer_200 delivered)"
	assert_equal "$(said "appStoreVersion is not a known event, type or category")" 1
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	ASCBELL_EVENTS=nonsense run --separate-stderr asc-http -q $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
	assert_output "$(answer_200 filtered)"
	assert_equal "$(said "warning: ")" 1
	assert_equal "$(said "nonsense is not a known event, type or category")" 1
	assert_equal "$(fake_requests)" 1
}

@test "--apps-dir on asc-http's command line alone: the app's file holds (its channel), not only the 404 for other names" {
	start_fake
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ECHOBELL_WEBHOOK_URL=%s\nASC_APP_NAME=OneApp\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/apps/one.env"
	# The main channel is nowhere: only the app's file can make this a delivery.
	export ECHOBELL_WEBHOOK_URL="http://127.0.0.1:$(free_port)/t/main"
	unset ASCBELL_UNSENT
	signed_request /one "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	run --separate-stderr asc-http --apps-dir "$BATS_TEST_TMPDIR/apps" $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
	assert_output "$(answer_200 delivered)"
	assert_equal "$(fake_requests)" 1
	[[ "$(jq -r .title "$FAKE_DIR/bodies")" == *OneApp* ]]
	signed_request /two "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	run --separate-stderr asc-http --apps-dir "$BATS_TEST_TMPDIR/apps" $(receiver_handler_args) <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 404 Not Found\r'
}
