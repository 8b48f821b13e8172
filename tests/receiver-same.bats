#!/usr/bin/env bats
# The two shapes of one receiver give the same messages: scripts/asc-receiver (the filters,
# one process each) and asc-http's built-in receiver (the same stages as functions), fed
# the same signed requests, print the same Echobell requests byte for byte: every fixture,
# plain, with a template file naming Echobell's request variables, enriched through the
# fake API, and queued into an outbox.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_EVENTS ASCBELL_TEMPLATES SOCAT_PEERADDR ASC_KEY_ID
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z ASCBELL_RECEIVED=2026-03-09T11:59:58Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp ASCBELL_TZ=Europe/Berlin
	export ASCBELL_DRY_RUN=1 ECHOBELL_WEBHOOK_URL=https://hook.echobell.one/t/same-token
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
}

teardown() {
	stop_fake
}

# The Echobell requests (dry run: "POST URL" and the body) asc-http's log shows for every
# fixture, through the handler "$@" (nothing: the built-in one), one line each.
messages_through() {
	local payload
	for payload in "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json; do
		signed_request / "$payload" "$BATS_TEST_TMPDIR/request"
		asc-http -q "$@" <"$BATS_TEST_TMPDIR/request" 2>&1 >/dev/null | grep -A1 '^POST ' || echo "none for $payload"
	done
}

assert_same_messages() {
	messages_through -- "$RECEIVER" >"$BATS_TEST_TMPDIR/script"
	messages_through >"$BATS_TEST_TMPDIR/builtin"
	# Every fixture made a message (none of them is filtered here).
	assert_equal "$(grep -c '^POST https://hook.echobell.one/t/\*\*\*\*$' "$BATS_TEST_TMPDIR/builtin")" \
		"$(ls "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json | wc -l)"
	run diff "$BATS_TEST_TMPDIR/script" "$BATS_TEST_TMPDIR/builtin"
	assert_success
}

@test "every fixture: the same messages from the filters and from the built-in receiver" {
	assert_same_messages
	grep -q '"title":"❌ MyApp: Rejected"' "$BATS_TEST_TMPDIR/builtin"
}

@test "a template file with Echobell's request variables and hostile strings: the same messages" {
	cat >"$BATS_TEST_TMPDIR/templates.json" <<'EOF'
{"*": {"title": "{{app.name}} \"{{status}}\" {{header[\"x-apple-signature\"]}}",
       "body": "{{bodyAsText}}\n{{data.type}} {{header[\"content-type\"]}} {{ '{{' }}",
       "notificationType": "time-sensitive"}}
EOF
	export ASCBELL_TEMPLATES="$BATS_TEST_TMPDIR/templates.json"
	assert_same_messages
	grep -q '"notificationType":"time-sensitive"' "$BATS_TEST_TMPDIR/builtin"
	grep -q 'hmacsha256=' "$BATS_TEST_TMPDIR/builtin"
}

@test "enriched through the App Store Connect API (the spec-driven fake): the same messages" {
	start_fake_api
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	assert_same_messages
	grep -q '"title":"💬 MyApp 2.3: New TestFlight feedback"' "$BATS_TEST_TMPDIR/builtin"
}

@test "queued: the same files in the outbox, and the same answers" {
	unset ASCBELL_DRY_RUN
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		handler=()
		[ $shape = script ] && handler=(-- "$RECEIVER")
		for payload in "$FIXTURES"/asc/*.json; do
			signed_request / "$payload" "$BATS_TEST_TMPDIR/request"
			asc-http -q "${handler[@]}" <"$BATS_TEST_TMPDIR/request" | tail -n 1 >>"$BATS_TEST_TMPDIR/answers-$shape"
		done
		cat "$ASCBELL_OUTBOX"/new/* >"$BATS_TEST_TMPDIR/queued-$shape"
	done
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/answers-builtin")" '{"status":200,"message":"queued"}'
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/queued-builtin")" "$(ls "$FIXTURES"/asc/*.json | wc -l)"
	run diff "$BATS_TEST_TMPDIR/queued-script" "$BATS_TEST_TMPDIR/queued-builtin"
	assert_success
}

# Three routes (ascbell(7), ROUTES), each with its own URL file; qa with a template set.
write_routes() {
	local name
	for name in qa releases escalation; do
		printf 'https://hook.echobell.one/t/%s-token\n' "$name" >"$BATS_TEST_TMPDIR/$name.url"
	done
	printf '{"default": {"title": "QA {{status}} {{header[\\"content-type\\"]}}"}}\n' >"$BATS_TEST_TMPDIR/qa.json"
	export ASCBELL_ROUTES="$BATS_TEST_TMPDIR/routes.json"
	cat >"$ASCBELL_ROUTES" <<EOF
{"routes": [
  {"name": "qa", "category": "testFlight", "urlFile": "$BATS_TEST_TMPDIR/qa.url", "templates": "$BATS_TEST_TMPDIR/qa.json"},
  {"name": "releases", "category": "appStore", "urlFile": "$BATS_TEST_TMPDIR/releases.url"},
  {"name": "escalation", "severity": "error", "urlFile": "$BATS_TEST_TMPDIR/escalation.url"},
  {"name": "alt", "when": "category == \"alternativeDistribution\" || app.name.includes(\"App\")", "urlFile": "$BATS_TEST_TMPDIR/qa.url"}
]}
EOF
}

@test "routes: the same messages, route by route, from the filters and from the built-in receiver" {
	write_routes
	messages_through -- "$RECEIVER" >"$BATS_TEST_TMPDIR/script"
	messages_through >"$BATS_TEST_TMPDIR/builtin"
	run diff "$BATS_TEST_TMPDIR/script" "$BATS_TEST_TMPDIR/builtin"
	assert_success
	# Every fixture goes to alt (its when holds for MyApp); the others add theirs.
	[ "$(grep -c '^POST ' "$BATS_TEST_TMPDIR/builtin")" -gt "$(ls "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json | wc -l)" ]
	grep -q '"title":"QA Beta Approved application/json"' "$BATS_TEST_TMPDIR/builtin"
}

@test "routes, queued: the same files in each route's part of the outbox, and the same answers" {
	unset ASCBELL_DRY_RUN
	write_routes
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		handler=()
		[ $shape = script ] && handler=(-- "$RECEIVER")
		for payload in "$FIXTURES"/asc/*.json; do
			signed_request / "$payload" "$BATS_TEST_TMPDIR/request"
			asc-http -q "${handler[@]}" <"$BATS_TEST_TMPDIR/request" | tail -n 1 >>"$BATS_TEST_TMPDIR/answers-$shape"
		done
		for name in qa releases escalation alt; do
			cat "$ASCBELL_OUTBOX/route.$name"/new/* >"$BATS_TEST_TMPDIR/queued-$shape-$name"
		done
		[ ! -e "$ASCBELL_OUTBOX/new" ] || [ -z "$(ls "$ASCBELL_OUTBOX/new")" ]
	done
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/answers-builtin")" '{"status":200,"message":"queued"}'
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	for name in qa releases escalation alt; do
		[ -s "$BATS_TEST_TMPDIR/queued-builtin-$name" ]
		run diff "$BATS_TEST_TMPDIR/queued-script-$name" "$BATS_TEST_TMPDIR/queued-builtin-$name"
		assert_success
	done
}
