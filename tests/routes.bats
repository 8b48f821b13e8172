#!/usr/bin/env bats
# Routes (ascbell(7), ROUTES): a routes file sends each event to every route it matches,
# each route to its own fake Echobell channel, each delivered on its own. Run once per shape
# of the receiver (receiver_shape): as routes.bats, asc-http runs scripts/asc-receiver (and
# asc-route); as routes-builtin.bats (a link to this file), asc-http's built-in receiver.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"
REPLAY="$BATS_TEST_DIRNAME/../scripts/asc-replay"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ECHOBELL_WEBHOOK_URL ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASCBELL_TEMPLATES \
		ASCBELL_EVENTS ASC_KEY_ID ASCBELL_UNSENT
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z ASCBELL_RECEIVED=2026-03-09T11:59:58Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	export ASCBELL_ROUTES="$BATS_TEST_TMPDIR/routes.json"
	SPOOL="$BATS_TEST_TMPDIR/spool"
}

teardown() {
	stop_listener
	stop_fake
	[ -z "${WATCHERS:-}" ] || kill $WATCHERS 2>/dev/null || true
}

# Three fake channels, qa, releases and escalation; each one's directory in QA, REL, ESC,
# and its URL in the file $BATS_TEST_TMPDIR/NAME.url.
start_channels() {
	local name
	for name in qa releases escalation; do
		FAKE_NAME=$name start_fake "$@"
		printf '%s\n' "http://127.0.0.1:$FAKE_PORT/t/$FAKE_TOKEN-$name" >"$BATS_TEST_TMPDIR/$name.url"
	done
	QA="$BATS_TEST_TMPDIR/qa" REL="$BATS_TEST_TMPDIR/releases" ESC="$BATS_TEST_TMPDIR/escalation"
}

# The issue's three routes: QA gets TestFlight, releases get the App Store, escalation errors.
write_routes() {
	cat >"$ASCBELL_ROUTES" <<EOF
{"routes": [
  {"name": "qa", "category": "testFlight", "urlFile": "$BATS_TEST_TMPDIR/qa.url"},
  {"name": "releases", "category": "appStore", "urlFile": "$BATS_TEST_TMPDIR/releases.url"},
  {"name": "escalation", "severity": "error", "urlFile": "$BATS_TEST_TMPDIR/escalation.url"}
]}
EOF
}

start_receiver() {
	if [ "$(receiver_shape)" = listen ]; then
		start_long_running --spool "$SPOOL" "$@"
	else
		start_listener --spool "$SPOOL" "$@" $(receiver_handler_args)
	fi
}

deliver() {
	signed_request "${2:-/}" "$1" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
}

# What a channel should show for the fixtures whose event the jq filter $1 selects: the
# events by asc-parse, selected independently of asc-route, rendered by asc-render.
expected_for() {
	local payload
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		asc-parse -q <"$payload" | jq -c "select($1)" | asc-render --only | jq -c '{title, body, externalLink}'
	done
}

# What reached channel directory $1 (2xx answers only: what Echobell notified).
notified() {
	[ -e "$1/notified" ] || return 0
	jq -c '{title, body, externalLink}' "$1/notified"
}

@test "three routes over every fixture: each channel receives exactly its events" {
	start_channels
	write_routes
	start_receiver
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		deliver "$payload"
		assert_equal "$CODE" 200
	done
	assert_equal "$(notified "$QA")" "$(expected_for '.category == "testFlight"')"
	assert_equal "$(notified "$REL")" "$(expected_for '.category == "appStore"')"
	assert_equal "$(notified "$ESC")" "$(expected_for '.severity == "error"')"
	# Each channel got something, and only 2xx answers were asked for.
	[ "$(notified "$QA" | wc -l)" -ge 3 ]
	[ "$(notified "$REL" | wc -l)" -ge 2 ]
	[ "$(notified "$ESC" | wc -l)" -ge 2 ]
	assert_equal "$(cat "$QA/requests") $(cat "$REL/requests") $(cat "$ESC/requests")" \
		"$(notified "$QA" | wc -l) $(notified "$REL" | wc -l) $(notified "$ESC" | wc -l)"
	# The answers' words: an event no route wants is filtered, a routed one delivered.
	deliver "$FIXTURES/asc/ping.json"
	assert_equal "$(printf '%s\n' "$ANSWER" | tail -n 1)" '{"status":200,"message":"filtered"}'
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$(printf '%s\n' "$ANSWER" | tail -n 1)" '{"status":200,"message":"delivered"}'
	refute_token "$(cat "$BATS_TEST_TMPDIR/listener.log")"
}

@test "direct: one channel down gets nothing while the others are delivered at once; asc-replay later sends only what is missing" {
	start_channels
	write_routes
	export ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	echo 503 >"$ESC/mode"
	start_receiver
	# A rejected version: releases and escalation. Escalation's channel is down.
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 503
	assert_equal "$(jq -r .title "$REL/notified")" '❌ MyApp: Rejected'
	[ ! -e "$ESC/notified" ]
	[ "$(cat "$ESC/requests")" -ge 1 ]
	# The other routes' events are not held by the outage either.
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$QA/notified")" '✅ MyApp: Beta Approved'
	# Not answered 2xx: the request waits in the spool for a replay.
	[ "$(ls "$SPOOL/new" | wc -l)" -eq 1 ]
	rm "$ESC/mode"
	run --separate-stderr "$REPLAY" "$SPOOL" "$RECEIVER"
	assert_success
	assert_equal "$(jq -r .title "$ESC/notified")" '❌ MyApp: Rejected'
	# Nothing twice.
	assert_equal "$(wc -l <"$REL/notified")" 1
	assert_equal "$(wc -l <"$QA/notified")" 1
	assert_equal "$(cat "$REL/requests")" 1
	run ls "$SPOOL/new"
	assert_output ''
	[ -f "$ASCBELL_DEDUP_DIR/route.releases/9d4e2b71-0c6a-4f3e-8b15-7a2c9e0d6f43" ]
	[ -f "$ASCBELL_DEDUP_DIR/route.escalation/9d4e2b71-0c6a-4f3e-8b15-7a2c9e0d6f43" ]
}

@test "direct: a channel that does not answer holds back no other route: every first attempt goes at once" {
	start_channels
	write_routes
	# Releases' Echobell answers only once escalation's has a request: one attempt after the
	# other, releases' would wait for its timeout, fail, and need a second request.
	echo "after:$ESC/requests" >"$REL/mode"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	assert_equal "$(printf '%s\n' "$ANSWER" | tail -n 1)" '{"status":200,"message":"delivered"}'
	assert_equal "$(jq -r .title "$REL/notified") $(jq -r .title "$ESC/notified")" '❌ MyApp: Rejected ❌ MyApp: Rejected'
	assert_equal "$(cat "$REL/requests") $(cat "$ESC/requests")" "1 1"
}

@test "direct: a channel that refuses (4xx) does not drop another route's message" {
	start_channels
	write_routes
	echo 400 >"$ESC/mode"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	# Echobell's refusal is final, as with one channel: 400 (asc-http(1)).
	assert_equal "$CODE" 400
	assert_equal "$(jq -r .title "$REL/notified")" '❌ MyApp: Rejected'
	[ ! -e "$ESC/notified" ]
}

@test "direct with ASCBELL_UNSENT: the failed route's message is kept in its own part, 200, and a flush with --routes delivers it" {
	start_channels
	write_routes
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
	echo 503 >"$ESC/mode"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	assert_equal "$(printf '%s\n' "$ANSWER" | tail -n 1)" '{"status":200,"message":"kept"}'
	assert_equal "$(jq -r .title "$REL/notified")" '❌ MyApp: Rejected'
	[ "$(ls "$ASCBELL_UNSENT/route.escalation/new" | wc -l)" -eq 1 ]
	[ ! -e "$ASCBELL_UNSENT/route.releases/new" ] || [ -z "$(ls "$ASCBELL_UNSENT/route.releases/new")" ]
	rm "$ESC/mode"
	run echobell-send --flush "$ASCBELL_UNSENT" --routes "$ASCBELL_ROUTES"
	assert_success
	assert_equal "$(jq -r .title "$ESC/notified")" '❌ MyApp: Rejected'
	assert_equal "$(wc -l <"$REL/notified")" 1
}

@test "queued: each route in its own part of the outbox; the agent delivers the others while one channel is down, and that one after it recovers" {
	start_channels
	write_routes
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	local qa rel esc
	qa=$(expected_for '.category == "testFlight"')
	rel=$(expected_for '.category == "appStore"')
	esc=$(expected_for '.severity == "error"')
	start_receiver
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		deliver "$payload"
		assert_equal "$CODE" 200
	done
	assert_equal "$(ls "$ASCBELL_OUTBOX/route.escalation/new" | wc -l)" "$(printf '%s\n' "$esc" | wc -l)"
	assert_equal "$(ls "$ASCBELL_OUTBOX/route.qa/new" | wc -l)" "$(printf '%s\n' "$qa" | wc -l)"
	assert_equal "$(ls "$ASCBELL_OUTBOX/route.releases/new" | wc -l)" "$(printf '%s\n' "$rel" | wc -l)"
	# A repeat is a duplicate on every route.
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$(printf '%s\n' "$ANSWER" | tail -n 1)" '{"status":200,"message":"duplicate"}'
	echo 503 >"$ESC/mode"
	timeout 60 echobell-send --watch "$ASCBELL_OUTBOX" --routes "$ASCBELL_ROUTES" \
		--schedule "$(printf '1s,%.0s' $(seq 29))1s" --retries 0 --rescan 0.2 \
		2>"$BATS_TEST_TMPDIR/agent.log" 3>&- &
	WATCHERS="${WATCHERS:-} $!"
	FAKE_DIR=$QA wait_for_requests "$(printf '%s\n' "$qa" | wc -l)"
	FAKE_DIR=$REL wait_for_requests "$(printf '%s\n' "$rel" | wc -l)"
	assert_equal "$(notified "$QA")" "$qa"
	assert_equal "$(notified "$REL")" "$rel"
	# The escalation channel was tried and failed; the others did not wait for it.
	FAKE_DIR=$ESC wait_for_requests 1
	[ ! -e "$ESC/notified" ]
	rm "$ESC/mode"
	for _ in $(seq 300); do
		[ "$(notified "$ESC" | wc -l)" -ge "$(printf '%s\n' "$esc" | wc -l)" ] && break
		sleep 0.1
	done
	assert_equal "$(notified "$ESC")" "$esc"
	# Nothing twice, nothing left.
	assert_equal "$(notified "$QA")" "$qa"
	assert_equal "$(notified "$REL")" "$rel"
	assert_equal "$(find "$ASCBELL_OUTBOX" -path '*/new/*' -o -path '*/failed/*' | wc -l)" 0
	refute_token "$(cat "$BATS_TEST_TMPDIR/agent.log")"
}

@test "ECHOBELL_ESCALATION_URL_FILE with a routes file: the route escalation, severity error" {
	start_channels
	cat >"$ASCBELL_ROUTES" <<EOF
{"routes": [{"name": "releases", "category": "appStore", "urlFile": "$BATS_TEST_TMPDIR/releases.url"}]}
EOF
	export ECHOBELL_ESCALATION_URL_FILE="$BATS_TEST_TMPDIR/escalation.url"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/app-version-state.json"
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$ESC/notified")" '❌ MyApp: Rejected'
	assert_equal "$(jq -r .title "$REL/notified" | wc -l)" 2
}

@test "a route's own template set" {
	start_channels
	write_routes
	printf '{"default": {"title": "QA: {{status}}"}}\n' >"$BATS_TEST_TMPDIR/qa-templates.json"
	jq --arg t "$BATS_TEST_TMPDIR/qa-templates.json" '.routes[0].templates = $t' "$ASCBELL_ROUTES" >"$BATS_TEST_TMPDIR/r"
	mv "$BATS_TEST_TMPDIR/r" "$ASCBELL_ROUTES"
	start_receiver
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$QA/notified")" 'QA: Beta Approved'
}

@test "a bad routes file: the receiver answers 500 and sends nothing; the request waits in the spool" {
	start_channels
	printf '{"routes": [{"name": "qa", "urlFile": "%s/missing.url"}]}\n' "$BATS_TEST_TMPDIR" >"$ASCBELL_ROUTES"
	if [ "$(receiver_shape)" = listen ]; then
		# The long-running receiver reads it at start, as a template file: it does not start.
		run --separate-stderr "$ASCBELL_BIN/asc-http" --listen "127.0.0.1:$(free_port)" --spool "$SPOOL"
		assert_equal "$status" 78
		assert_equal "$stderr" "asc-http: error: ASCBELL_ROUTES: $ASCBELL_ROUTES: route qa: urlFile $BATS_TEST_TMPDIR/missing.url cannot be read: No such file or directory"
		# Started with a good one, then given a bad one: 500, as in the other shapes.
		write_routes
	fi
	start_receiver
	[ "$(receiver_shape)" != listen ] ||
		printf '{"routes": [{"name": "qa", "urlFile": "%s/missing.url"}]}\n' "$BATS_TEST_TMPDIR" >"$ASCBELL_ROUTES"
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 500
	assert_equal "$(fake_requests)" 0
	[ "$(ls "$SPOOL/new" | wc -l)" -eq 1 ]
	grep -q "route qa: urlFile $BATS_TEST_TMPDIR/missing.url cannot be read: No such file or directory" "$BATS_TEST_TMPDIR/listener.log"
}

@test "asc-http --agent with ASCBELL_ROUTES: the agent delivers each route's part of the outbox" {
	start_channels
	write_routes
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	LISTEN_LIFETIME=120 start_long_running --spool "$SPOOL" --agent $(receiver_handler_args)
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 200
	FAKE_DIR=$ESC wait_for_requests 1
	FAKE_DIR=$REL wait_for_requests 1
	FAKE_DIR=$QA wait_for_requests 1
	assert_equal "$(jq -r .title "$ESC/notified")" '❌ MyApp: Rejected'
	assert_equal "$(jq -r .title "$REL/notified")" '❌ MyApp: Rejected'
	assert_equal "$(jq -r .title "$QA/notified")" '✅ MyApp: Beta Approved'
}

@test "an app's own routes file (NAME.env): delivered in direct mode; refused (500, kept) in queued mode, whose agent knows only the configuration's" {
	start_channels
	write_routes
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ASCBELL_ROUTES=%s\nASC_APP_ID=111\nASC_APP_NAME=One\n' "$ASCBELL_ROUTES" >"$BATS_TEST_TMPDIR/apps/one.env"
	unset ASCBELL_ROUTES ASC_APP_ID ASC_APP_NAME
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json" /one
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$REL/notified")" '❌ One: Rejected'
	assert_equal "$(jq -r .title "$ESC/notified")" '❌ One: Rejected'
	stop_listener
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	start_receiver
	deliver "$FIXTURES/asc/build-beta-state.json" /one
	assert_equal "$CODE" 500
	grep -q "ASCBELL_ROUTES: an app's own routes file ($BATS_TEST_TMPDIR/routes.json) works in direct mode only" "$BATS_TEST_TMPDIR/listener.log"
	[ ! -e "$ASCBELL_OUTBOX/route.qa" ]
	[ "$(ls "$SPOOL/new" | wc -l)" -eq 1 ]
}
