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

# ---- de-duplication: a marker means "notified or durably queued" ----

@test "dedup: a handler killed mid-send leaves no final marker; the replay sends the event, exactly once" {
	start_fake --script stall
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	start_receiver --handler-timeout 1
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 503
	assert_equal "$(spooled new)" 1
	id=$(jq -r .data.id "$FIXTURES/asc/build-beta-state.json")
	# What the killed handler left: a claim nobody holds any more.
	run cat "$ASCBELL_DEDUP_DIR/$id"
	assert_output --regexp '^pending [0-9]+$'
	echo 200 >"$FAKE_DIR/mode"
	: >"$FAKE_DIR/bodies"
	run --separate-stderr "$REPLAY" "$SPOOL" "$RECEIVER"
	assert_success
	assert_equal "$(spooled new) $(spooled cur)" "0 1"
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies")" "$id"
	[[ "$stderr" == *"event $id: taken over from a process that died notifying it"* ]]
	run cat "$ASCBELL_DEDUP_DIR/$id"
	assert_output 'done sent'
	# App Store Connect's own retry, and a second replay, are now duplicates.
	deliver "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 200
	[[ "$ANSWER" == *'"message":"duplicate"'* ]]
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies")" "$id"
}

@test "dedup: the same event while its first delivery is still being sent: 503 and kept, never 200" {
	start_fake --script delay:2000
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	start_receiver
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	socat -t 15 - TCP:127.0.0.1:"$LISTEN_PORT" <"$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/first" &
	first=$!
	wait_for_requests 1
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 503
	wait $first
	assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/first" | tr -d '\r')" 'HTTP/1.1 200 OK'
	assert_equal "$(spooled new) $(spooled cur)" "1 1"
	# Its replay finds the event notified.
	run --separate-stderr "$REPLAY" "$SPOOL" "$RECEIVER"
	assert_success
	assert_equal "$(spooled new) $(spooled cur)" "0 2"
	assert_equal "$(fake_requests)" 1
}

@test "dedup: queued mode marks the event once the message is in the outbox; an outbox that fails leaves none" {
	export ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup" ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	mkdir -p "$ASCBELL_OUTBOX"
	: >"$ASCBELL_OUTBOX/tmp"
	start_receiver
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 503
	[ -z "$(ls -A "$ASCBELL_DEDUP_DIR" 2>/dev/null)" ]
	rm "$ASCBELL_OUTBOX/tmp"
	deliver "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	[[ "$ANSWER" == *'"message":"queued"'* ]]
	deliver "$FIXTURES/asc/app-version-rejected.json"
	[[ "$ANSWER" == *'"message":"duplicate"'* ]]
	assert_equal "$(ls "$ASCBELL_OUTBOX/new" | wc -l)" 1
	# The queued message keeps the event's id, for whoever receives it.
	assert_equal "$(jq -r .id "$ASCBELL_OUTBOX"/new/*)" "$(jq -r .data.id "$FIXTURES/asc/app-version-rejected.json")"
	run cat "$ASCBELL_DEDUP_DIR/$(jq -r .data.id "$FIXTURES/asc/app-version-rejected.json")"
	assert_output 'done queued'
}

@test "dedup: markers follow the mode rule (2770/0660 under a group-writable parent, else 0700/0600); old empty markers count as done" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	mkdir -m 2770 "$BATS_TEST_TMPDIR/shared"
	mkdir -m 0755 "$BATS_TEST_TMPDIR/private"
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	for where in shared private; do
		run sh -c 'umask 022; echo "{\"id\":\"aaaa-1\",\"title\":\"t\"}" | echobell-send --dedup "$1"' sh "$BATS_TEST_TMPDIR/$where/a/dedup"
		assert_success
	done
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/shared/a") $(stat -c %a "$BATS_TEST_TMPDIR/shared/a/dedup")" '2770 2770'
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/shared/a/dedup/aaaa-1")" 660
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/private/a") $(stat -c %a "$BATS_TEST_TMPDIR/private/a/dedup")" '700 700'
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/private/a/dedup/aaaa-1")" 600
	assert_equal "$(fake_requests)" 2
	# A marker from an earlier version (an empty file) means notified.
	: >"$BATS_TEST_TMPDIR/private/a/dedup/bbbb-2"
	echo '{"id":"bbbb-2","title":"t"}' | echobell-send --dedup "$BATS_TEST_TMPDIR/private/a/dedup"
	assert_equal "$(fake_requests)" 2
	run ls -A "$BATS_TEST_TMPDIR/private/a/dedup"
	assert_output "$(printf 'aaaa-1\nbbbb-2')"
}

# ---- the delivery agent killed at the worst moments ----

# Queues message $1 (a JSON object) into $OUTBOX.
queue() {
	echo "$1" | echobell-send --queue "$OUTBOX"
}

# Runs the agent under strace, which kills it (SIGKILL, the syscall not made) at its first
# call of $1 (or its $2-th), to stop it at an exact point of its work.
agent_killed_at() {
	run strace -qq -o /dev/null -e trace="$1" -e inject="$1:error=EIO:signal=SIGKILL:when=${2:-1}" \
		echobell-send --watch "$OUTBOX" --rescan 60
	assert_equal "$status" 137
}

# The agent, until the fake has seen $1 requests and one more rescan has passed.
agent_until() {
	echobell-send --watch "$OUTBOX" --rescan 0.2 2>>"$BATS_TEST_TMPDIR/agent.log" 3>&- &
	WATCHERS=$!
	wait_for_requests "$1"
	sleep 0.5
	kill -TERM $WATCHERS
	wait $WATCHERS
	WATCHERS=
}

@test "agent killed after Echobell's 2xx, before removing the message: not sent again after a restart" {
	command -v strace >/dev/null
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" OUTBOX="$BATS_TEST_TMPDIR/outbox"
	queue '{"id":"ev-1","title":"one"}'
	# The first unlink is the removal, after the 2xx and the record of it.
	agent_killed_at unlink,unlinkat
	assert_equal "$(fake_requests)" 1
	run ls "$OUTBOX/cur" "$OUTBOX/new"
	assert_output --regexp "cur:
[0-9.]+,sent

.*/new:\$"
	queue '{"id":"ev-2","title":"two"}'
	agent_until 2
	assert_equal "$(fake_requests)" 2
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies" | tr '\n' ' ')" "ev-1 ev-2 "
	grep -q 'was sent before a restart; removed, not sent again' "$BATS_TEST_TMPDIR/agent.log"
	assert_equal "$(ls -A "$OUTBOX/new" "$OUTBOX/cur" "$OUTBOX/failed" | grep -c .)" 3 # the three headers
}

@test "agent killed after the 2xx but before the record: sent again (the one window of at-least-once)" {
	command -v strace >/dev/null
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" OUTBOX="$BATS_TEST_TMPDIR/outbox"
	queue '{"id":"ev-1","title":"one"}'
	# The first rename is the claim, the second the record.
	agent_killed_at rename,renameat,renameat2 2
	assert_equal "$(fake_requests)" 1
	agent_until 2
	assert_equal "$(jq -r .id "$FAKE_DIR/bodies" | tr '\n' ' ')" "ev-1 ev-1 "
	run ls "$OUTBOX/cur" "$OUTBOX/new"
	assert_output "$(printf '%s/cur:\n\n%s/new:' "$OUTBOX" "$OUTBOX")"
}

@test "agent start: removes tmp/ files of dead writers and old ones, keeps a live writer's" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" OUTBOX="$BATS_TEST_TMPDIR/outbox"
	queue '{"id":"ev-1","title":"one"}'
	# A queue writer killed before its rename (its pid gone), one that is alive (ours), an
	# old file from a live pid, and something that is not ours.
	sleep 60 &
	live=$!
	dead=$(sh -c 'echo $$')
	printf 'half' >"$OUTBOX/tmp/01700000000.000001.$(printf %010d "$dead").000000"
	printf 'busy' >"$OUTBOX/tmp/01700000000.000002.$(printf %010d "$live").000000"
	printf 'old' >"$OUTBOX/tmp/01700000000.000003.$(printf %010d "$live").000001"
	touch -d '40 hours ago' "$OUTBOX/tmp/01700000000.000003.$(printf %010d "$live").000001"
	agent_until 1
	kill $live
	run ls "$OUTBOX/tmp"
	assert_output "01700000000.000002.$(printf %010d "$live").000000"
	assert_equal "$(fake_requests)" 1
}

# ---- the spool never keeps a request that can never succeed ----

@test "asc-replay sets aside a request whose handler crashes or exits 70 on it, with the reason; a configuration error stays" {
	mkdir -p "$BATS_TEST_TMPDIR/h"
	# Handlers that fail the same way every time: a crash (SIGABRT), an internal error (70),
	# a configuration error (78: fixed elsewhere, the request can still succeed).
	printf '#!/bin/sh\necho "handler: about to crash" >&2\nkill -ABRT $$\n' >"$BATS_TEST_TMPDIR/h/crash"
	printf '#!/bin/sh\necho "asc-receiver: error: asc-parse crashed on this delivery (signal 6)" >&2\nexit 70\n' >"$BATS_TEST_TMPDIR/h/seventy"
	printf '#!/bin/sh\necho "asc-receiver: error: cannot read /etc/ascbell/env" >&2\nexit 78\n' >"$BATS_TEST_TMPDIR/h/config"
	chmod +x "$BATS_TEST_TMPDIR"/h/*
	chmod 2770 "$BATS_TEST_TMPDIR"
	for handler in crash seventy config; do
		spool="$BATS_TEST_TMPDIR/spool-$handler"
		signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
		run --separate-stderr asc-http --spool "$spool" -- "$BATS_TEST_TMPDIR/h/$handler" <"$BATS_TEST_TMPDIR/request"
		assert_line --index 0 $'HTTP/1.1 500 Internal Server Error\r'
		assert_equal "$(ls "$spool/new" | wc -l)" 1
		name=$(ls "$spool/new")
		run --separate-stderr "$REPLAY" "$spool" "$BATS_TEST_TMPDIR/h/$handler"
		case $handler in
		config)
			assert_equal "$status" 75
			assert_equal "$(ls "$spool/new")" "$name"
			assert_equal "$(ls "$spool/failed")" ''
			;;
		*)
			assert_equal "$status" 65
			assert_equal "$(ls "$spool/new")" ''
			assert_equal "$(ls "$spool/failed" | tr '\n' ' ')" "$name $name.reason "
			cmp "$spool/failed/$name" "$BATS_TEST_TMPDIR/request"
			# The reason file follows the spool's mode rule: shared directory, 0660.
			assert_equal "$(stat -c %a "$spool/failed/$name.reason")" 660
			[[ "$stderr" == *"$name: 500, handler exit"*"can never succeed, moved to failed/"* ]]
			;;
		esac
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/spool-crash/failed/"*.reason)" 'answered 500, handler exit 134: Aborted'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/spool-seventy/failed/"*.reason)" 'answered 500, handler exit 70: asc-receiver: error: asc-parse crashed on this delivery (signal 6)'
	# A second replay has nothing left to try for ever.
	run "$REPLAY" "$BATS_TEST_TMPDIR/spool-crash" "$BATS_TEST_TMPDIR/h/crash"
	assert_success
}

@test "asc-receiver: a step that crashes on a delivery exits 70, and asc-replay sets the request aside" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	# asc-parse replaced by one that aborts, as libjq did on an RS byte.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	for prog in asc-http asc-verify asc-render echobell-send; do
		ln -s "$ASCBELL_BIN/$prog" "$BATS_TEST_TMPDIR/bin/$prog"
	done
	printf '#!/bin/sh\ncat >/dev/null\nkill -ABRT $$\n' >"$BATS_TEST_TMPDIR/bin/asc-parse"
	chmod +x "$BATS_TEST_TMPDIR/bin/asc-parse"
	export ASCBELL_BIN="$BATS_TEST_TMPDIR/bin"
	start_receiver
	deliver "$FIXTURES/asc/ping.json"
	assert_equal "$CODE" 500
	grep -q 'asc-receiver: error: asc-parse crashed on this delivery (signal 6)' "$BATS_TEST_TMPDIR/listener.log"
	run --separate-stderr "$REPLAY" "$SPOOL" "$RECEIVER"
	assert_equal "$status" 65
	assert_equal "$(spooled new) $(spooled failed)" "0 2"
	grep -q 'handler exit 70: asc-receiver: error: asc-parse crashed on this delivery (signal 6)' "$SPOOL"/failed/*.reason
	assert_equal "$(fake_requests)" 0
}
