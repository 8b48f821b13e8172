#!/usr/bin/env bats
# echobell-send against a fake Echobell that speaks real HTTP on 127.0.0.1: the bytes on the
# wire, retries, the spool, the outbox and its delivery agent, TLS, and the secret URL.

load helpers/common

setup() {
	unset ECHOBELL_WEBHOOK_URL ECHOBELL_URL_FILE
	MESSAGE='{"title":"❌ MyApp: Rejected","body":"In Review → Rejected","externalLink":"https://appstoreconnect.apple.com/apps/1/distribution"}'
}

teardown() {
	stop_fake
	# Any watcher a test left running.
	[ -z "${WATCHERS:-}" ] || kill $WATCHERS 2>/dev/null || true
}

@test "the exact request for one message: method, path, headers, body" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_success
	assert_output ''
	[ -z "$stderr" ]
	expected=$(printf 'POST /t/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: */*\r\nContent-Type: application/json\r\nUser-Agent: ascbell/0.1.0\r\nContent-Length: %d\r\n\r\n%s' \
		"$FAKE_TOKEN" "$FAKE_PORT" "$(printf '%s' "$MESSAGE" | wc -c)" "$MESSAGE")
	assert_equal "$(cat "$FAKE_DIR/request.1")" "$expected"
	assert_equal "$(fake_requests)" 1
}

@test "three messages go over one kept-alive connection" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send <<<'{"n":1} {"n":2}
{"n":3}'
	assert_success
	assert_equal "$(fake_requests)" 3
	assert_equal "$(cat "$FAKE_DIR/connections")" 1
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '{"n":1}\n{"n":2}\n{"n":3}')"
}

@test "503 twice, then 200: one notification after three attempts" {
	start_fake --script 503,503,200
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send -v --retry-base 0.05 <<<"$MESSAGE"
	assert_success
	assert_equal "$(fake_requests)" 3
	[[ "$stderr" == *"message 1 sent (HTTP 200: "*", 3 attempts, "* ]]
	refute_token "$stderr"
}

@test "429 with Retry-After is honoured, in seconds and as an HTTP date" {
	# With a zero backoff, only Retry-After can make it wait. The date has whole seconds:
	# two seconds ahead is at least one second of waiting.
	for script in 429:1,200 429date:2,200; do
		start_fake --script "$script"
		export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
		start=$(date +%s%N)
		run --separate-stderr echobell-send --retry-base 0 <<<"$MESSAGE"
		elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
		assert_success
		assert_equal "$(fake_requests)" 2
		[ "$elapsed_ms" -ge 1000 ]
		stop_fake
	done
}

@test "400 is final: exit 65 with Echobell's answer, no retry" {
	start_fake --script 400
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_failure 65
	assert_equal "$(fake_requests)" 1
	[ "$stderr" = 'echobell-send: error: message 1: Echobell refused it: HTTP 400: {"error": "fake echobell says 400"}' ]
}

@test "an error answer quoting the URL: the token masked at every offset, also across the 200-byte cut" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	# The kept answer ends at byte 200; the token (after "/t/") starts at OFFSET + 3.
	for offset in 0 100 $(seq 170 200); do
		echo "echo:404:$offset" >"$FAKE_DIR/mode"
		run --separate-stderr echobell-send <<<"$MESSAGE"
		assert_failure 65
		[[ "$stderr" == "echobell-send: error: message 1: Echobell refused it: HTTP 404: $(printf "%${offset}s" '' | tr ' ' .)"* ]]
		# Not one character of the token after "/t/", not even its first two.
		[[ "$stderr" != *"${FAKE_TOKEN:0:2}"* ]]
		if [ "$offset" -lt 197 ]; then
			[[ "$stderr" == *"/t/*"* ]]
		fi
	done
	# Whole, the token is four stars.
	echo "echo:404:0" >"$FAKE_DIR/mode"
	run --separate-stderr echobell-send <<<"$MESSAGE"
	[ "$stderr" = "echobell-send: error: message 1: Echobell refused it: HTTP 404: /t/**** is not a trigger URL" ]
}

@test "404 and other 4xx are final too; 500 and 408 are retried" {
	start_fake --script 404
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_failure 65
	stop_fake
	start_fake --script 500,200
	ECHOBELL_WEBHOOK_URL="$FAKE_URL" run --separate-stderr echobell-send --retry-base 0 <<<"$MESSAGE"
	assert_success
	assert_equal "$(fake_requests)" 2
}

# Waits (at most 10 s) until process $1 has ended; its status in $EXITED.
wait_exit() {
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	EXITED=gone-not
	kill -0 "$1" 2>/dev/null && return 1
	wait "$1"
	EXITED=$?
}

@test "SIGTERM while only waiting for input ends the filter (143), as any filter" {
	export ECHOBELL_WEBHOOK_URL=http://127.0.0.1:9/t/x
	mkfifo "$BATS_TEST_TMPDIR/in"
	echobell-send <"$BATS_TEST_TMPDIR/in" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 5>"$BATS_TEST_TMPDIR/in" # a writer that stays: the input never ends
	sleep 0.2
	kill -TERM "$pid"
	wait_exit "$pid" || { kill -9 "$pid"; exec 5>&-; false; }
	exec 5>&-
	assert_equal "$EXITED" 143
}

@test "SIGTERM during a stalled delivery: the exchange ends, that message kept, no more input taken, exit 0" {
	start_fake
	echo stall >"$FAKE_DIR/mode"
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	mkfifo "$BATS_TEST_TMPDIR/in"
	echobell-send --timeout 2 --spool "$BATS_TEST_TMPDIR/spool" <"$BATS_TEST_TMPDIR/in" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 5>"$BATS_TEST_TMPDIR/in"
	echo "$MESSAGE" >&5
	wait_for_requests 1
	# Waiting in the pipe, not read yet: it must stay unread after the stop.
	echo '{"title":"after the stop"}' >&5
	kill -TERM "$pid"
	wait_exit "$pid" || { kill -9 "$pid"; exec 5>&-; false; }
	exec 5>&-
	assert_equal "$EXITED" 0
	assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/spool/new"/*)" "$(jq -c . <<<"$MESSAGE")"
	assert_equal "$(fake_requests)" 1
}

@test "retries run out: exit 75 without a spool, the message not lost silently" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --retries 2 --retry-base 0 <<<"$MESSAGE"
	assert_failure 75
	assert_equal "$(fake_requests)" 3
	[ "$stderr" = 'echobell-send: error: message 1: not delivered after 3 attempts: HTTP 503: {"error": "fake echobell says 503"}' ]
}

@test "a stalled server: timeout, retried, then spooled (exit 0 with a warning)" {
	start_fake --script stall
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --timeout 0.5 --retries 1 --retry-base 0 --spool "$BATS_TEST_TMPDIR/spool" <<<"$MESSAGE"
	assert_success
	assert_equal "$(fake_requests)" 2
	[[ "$stderr" == "echobell-send: warning: message 1: not delivered (Operation timed out after "*"; kept as $BATS_TEST_TMPDIR/spool/new/"* ]]
	refute_token "$stderr"
	run cat "$BATS_TEST_TMPDIR"/spool/new/*
	assert_output "$MESSAGE"
	run ls "$BATS_TEST_TMPDIR/spool/tmp"
	assert_output ''
}

@test "a refused connection is retried and spooled" {
	start_fake
	url="$FAKE_URL"
	stop_fake
	run --separate-stderr env ECHOBELL_WEBHOOK_URL="$url" echobell-send --retries 1 --retry-base 0 --spool "$BATS_TEST_TMPDIR/spool" <<<"$MESSAGE"
	assert_success
	[[ "$stderr" == *"Failed to connect to 127.0.0.1 port"* ]]
	[ "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" -eq 1 ]
}

@test "ASCBELL_OUTCOME_FD: delivered, kept, queued; nothing for a dry run or a failure" {
	start_fake
	out="$BATS_TEST_TMPDIR/outcome"
	tell() { : >"$out"; ASCBELL_OUTCOME_FD=3 "$@" 3>"$out" <<<"$MESSAGE" 2>/dev/null; }
	tell env ECHOBELL_WEBHOOK_URL="$FAKE_URL" echobell-send
	assert_equal "$(cat "$out")" delivered
	tell echobell-send --queue "$BATS_TEST_TMPDIR/outbox"
	assert_equal "$(cat "$out")" queued
	tell env ECHOBELL_WEBHOOK_URL="$FAKE_URL" echobell-send --dry-run >/dev/null
	assert_equal "$(cat "$out")" ''
	url="$FAKE_URL"
	stop_fake
	tell env ECHOBELL_WEBHOOK_URL="$url" echobell-send --retries 0 --spool "$BATS_TEST_TMPDIR/spool"
	assert_equal "$(cat "$out")" kept
	run tell env ECHOBELL_WEBHOOK_URL="$url" echobell-send --retries 0
	assert_failure 75
	assert_equal "$(cat "$out")" ''
	# Never a standard descriptor, whatever the variable says: stdout holds data.
	run --separate-stderr env ASCBELL_OUTCOME_FD=1 echobell-send --queue "$BATS_TEST_TMPDIR/outbox" <<<"$MESSAGE"
	assert_success
	assert_output ''
}

@test "spool during an outage, then --flush delivers everything once and in order" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --retries 0 --spool "$BATS_TEST_TMPDIR/spool" <<<'{"n":1} {"n":2} {"n":3} {"n":4}'
	assert_success
	[ "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" -eq 4 ]
	: >"$FAKE_DIR/bodies"
	echo 200 >"$FAKE_DIR/mode"
	run --separate-stderr echobell-send --flush "$BATS_TEST_TMPDIR/spool"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}')"
	run ls "$BATS_TEST_TMPDIR/spool/new"
	assert_output ''
	# A second flush has nothing to send.
	run --separate-stderr echobell-send --flush "$BATS_TEST_TMPDIR/spool"
	assert_success
	assert_equal "$(wc -l <"$FAKE_DIR/bodies")" 4
}

@test "--flush stops at the first message that fails again, keeping it and the rest" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	echobell-send -q --retries 0 --spool "$BATS_TEST_TMPDIR/spool" <<<'{"n":1} {"n":2}'
	run --separate-stderr echobell-send --flush "$BATS_TEST_TMPDIR/spool" --retries 0
	assert_failure 75
	[ "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" -eq 2 ]
	[[ "$stderr" == *"left in the spool, and the 1 after it" ]]
}

@test "kill -9 while spooling never leaves a half message in new/" {
	big=$(head -c 100000 /dev/zero | tr '\0' a)
	printf '{"pad":"%s"}\n' "$big" >"$BATS_TEST_TMPDIR/one"
	for _ in $(seq 100); do cat "$BATS_TEST_TMPDIR/one"; done >"$BATS_TEST_TMPDIR/stream"
	interrupted=0
	for round in 1 2 3 4; do
		dir="$BATS_TEST_TMPDIR/outbox$round"
		echobell-send --queue "$dir" <"$BATS_TEST_TMPDIR/stream" &
		pid=$!
		sleep "0.0$((round * 2))"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		count=0
		for f in "$dir"/new/*; do
			[ -e "$f" ] || continue
			cmp -s "$f" "$BATS_TEST_TMPDIR/one"
			count=$((count + 1))
		done
		[ "$count" -lt 100 ] && interrupted=$((interrupted + 1))
	done
	# The kill landed mid-stream at least once, or the test proved nothing.
	[ "$interrupted" -ge 1 ]
}

@test "https with --cacert for a private CA works; without it the connection fails closed" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
		-keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" 2>/dev/null
	start_fake --tls "$BATS_TEST_TMPDIR/cert.pem" "$BATS_TEST_TMPDIR/key.pem"
	url="https://localhost:$FAKE_PORT/t/$FAKE_TOKEN"
	ECHOBELL_WEBHOOK_URL="$url" run --separate-stderr echobell-send --cacert "$BATS_TEST_TMPDIR/cert.pem" <<<"$MESSAGE"
	assert_success
	assert_equal "$(fake_requests)" 1
	ECHOBELL_WEBHOOK_URL="$url" run --separate-stderr echobell-send --retry-base 0 <<<"$MESSAGE"
	assert_failure 69
	assert_equal "$(fake_requests)" 1
	[[ "$stderr" == *"not delivered after 1 attempt: SSL certificate problem: self-signed certificate"* ]]
	refute_token "$stderr"
}

@test "plain http to a host that is not loopback is refused, with the token masked" {
	ECHOBELL_WEBHOOK_URL="http://hook.echobell.one/t/$FAKE_TOKEN" run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_failure 78
	[ "$stderr" = "echobell-send: error: Echobell URL http://hook.echobell.one/t/**** refused: plain http only to a loopback host; use https" ]
	ECHOBELL_WEBHOOK_URL="ftp://127.0.0.1/t/$FAKE_TOKEN" run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_failure 78
	refute_token "$stderr"
}

@test "plain http: loopback is decided by the address, never by how the name begins" {
	# Names that merely look local could resolve anywhere: refused before any lookup.
	for host in 127.attacker.example 127.0.0.1.nip.io localhost.attacker.example localhost. \
		127.0.0.1. '[::ffff:127.0.0.1]' '[fe80::1]' 10.0.0.1 0.0.0.0; do
		ECHOBELL_WEBHOOK_URL="http://$host/t/$FAKE_TOKEN" run --separate-stderr echobell-send <<<"$MESSAGE"
		assert_failure 78
		[ "$stderr" = "echobell-send: error: Echobell URL http://$host/t/**** refused: plain http only to a loopback host; use https" ]
	done
	# Loopback literals and localhost are used (nothing listens on port 1: 75, not 78).
	for host in 127.1.2.3 '[::1]' LOCALHOST 2130706433; do
		ECHOBELL_WEBHOOK_URL="http://$host:1/t/$FAKE_TOKEN" run --separate-stderr echobell-send --retries 0 <<<"$MESSAGE"
		assert_failure 75
		[[ "$stderr" == *"not delivered after 1 attempt: Failed to connect to "* ]]
		refute_token "$stderr"
	done
	start_fake
	for host in localhost 127.1; do
		ECHOBELL_WEBHOOK_URL="http://$host:$FAKE_PORT/t/$FAKE_TOKEN" run --separate-stderr echobell-send <<<"$MESSAGE"
		assert_success
	done
	assert_equal "$(fake_requests)" 2
}

@test "plain http to loopback never goes through a proxy from the environment" {
	FAKE_NAME=proxy start_fake
	PROXY_DIR=$FAKE_DIR
	start_fake
	# 127.1.2.3 is loopback but not in curl's NOPROXY list: it must still go direct (and
	# find nothing listening there), not to the proxy with the token in the request line.
	http_proxy="http://127.0.0.1:$(cat "$PROXY_DIR/port")" ECHOBELL_WEBHOOK_URL="http://127.1.2.3:$FAKE_PORT/t/$FAKE_TOKEN" \
		run --separate-stderr echobell-send --retries 0 <<<"$MESSAGE"
	assert_failure 75
	assert_equal "$(cat "$PROXY_DIR/requests" 2>/dev/null || echo 0)" 0
	http_proxy="http://127.0.0.1:$(cat "$PROXY_DIR/port")" ECHOBELL_WEBHOOK_URL="$FAKE_URL" run --separate-stderr echobell-send <<<"$MESSAGE"
	assert_success
	assert_equal "$(fake_requests)" 1
	assert_equal "$(cat "$PROXY_DIR/requests" 2>/dev/null || echo 0)" 0
}

@test "URL sources: -u, then --url-file, then ECHOBELL_WEBHOOK_URL, then ECHOBELL_URL_FILE; none is 78" {
	start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/url"
	run --separate-stderr echobell-send --url-file "$BATS_TEST_TMPDIR/url" <<<'{"n":1}'
	assert_success
	ECHOBELL_URL_FILE="$BATS_TEST_TMPDIR/url" run --separate-stderr echobell-send <<<'{"n":2}'
	assert_success
	# The option wins over the environment, which here points nowhere.
	ECHOBELL_WEBHOOK_URL="http://127.0.0.1:1/t/x" run --separate-stderr echobell-send --url-file "$BATS_TEST_TMPDIR/url" <<<'{"n":3}'
	assert_success
	run --separate-stderr echobell-send -u "$FAKE_URL" <<<'{"n":4}'
	assert_success
	[ "$stderr" = "echobell-send: warning: -u puts the URL where ps shows it; prefer --url-file or ECHOBELL_WEBHOOK_URL" ]
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}')"
	run --separate-stderr echobell-send <<<'{"n":5}'
	assert_failure 78
	[ "$stderr" = "echobell-send: error: no Echobell URL (give --url-file FILE, or set ECHOBELL_WEBHOOK_URL or ECHOBELL_URL_FILE)" ]
	run --separate-stderr echobell-send --url-file "$BATS_TEST_TMPDIR/none" <<<'{"n":5}'
	assert_failure 78
	: >"$BATS_TEST_TMPDIR/empty-url"
	run --separate-stderr echobell-send --url-file "$BATS_TEST_TMPDIR/empty-url" <<<'{"n":5}'
	assert_failure 78
	[ "$stderr" = "echobell-send: error: --url-file $BATS_TEST_TMPDIR/empty-url is empty (it holds the Echobell webhook URL)" ]
}

@test "--dry-run prints the masked URL and the body, and sends nothing" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --dry-run --type calling <<<"$MESSAGE"
	assert_success
	assert_output "$(printf 'POST http://127.0.0.1:%s/t/****\n%s' "$FAKE_PORT" "$(jq -c '. + {notificationType: "calling"}' <<<"$MESSAGE")")"
	assert_equal "$(fake_requests)" 0
}

@test "--type adds notificationType to a message without one; an unknown type is 64" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --type time-sensitive <<<'{"title":"t"}'
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"title":"t","notificationType":"time-sensitive"}'
	run --separate-stderr echobell-send --type loud <<<'{}'
	assert_failure 64
}

@test "notificationType on the wire: the message's own wins over --type; others left out with a warning" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --type active <<<'{"t":1,"notificationType":"calling"} {"t":2,"notificationType":"time-sensitive"} {"t":3} {"t":4,"notificationType":"Calling"} {"t":5,"notificationType":null} {"t":6,"notificationType":7}'
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '%s\n' '{"t":1,"notificationType":"calling"}' '{"t":2,"notificationType":"time-sensitive"}' \
		'{"t":3,"notificationType":"active"}' '{"t":4,"notificationType":"active"}' '{"t":5,"notificationType":"active"}' '{"t":6,"notificationType":"active"}')"
	[ "$stderr" = "$(printf '%s\n' 'echobell-send: warning: message 4: notificationType "Calling" is not active, time-sensitive or calling: left out (--type used)' \
		'echobell-send: warning: message 6: notificationType (a number) is not active, time-sensitive or calling: left out (--type used)')" ]
	# The exact bytes of one request: the message's own type, where it was.
	body='{"title":"t","notificationType":"calling","body":"b"}'
	assert_equal "$(cat "$FAKE_DIR/request.1")" "$(printf 'POST /t/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: */*\r\nContent-Type: application/json\r\nUser-Agent: ascbell/0.1.0\r\nContent-Length: 36\r\n\r\n{"t":1,"notificationType":"calling"}' "$FAKE_TOKEN" "$FAKE_PORT")"
	# Without --type, a bad value is simply left out; a good one goes as it is.
	rm -f "$FAKE_DIR/bodies"
	run --separate-stderr echobell-send <<<'{"title":"t","notificationType":"loud\u0007","body":"b"} '"$body"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '%s\n' '{"title":"t","body":"b"}' "$body")"
	[ "$stderr" = 'echobell-send: warning: message 1: notificationType "loud\u0007" is not active, time-sensitive or calling: left out' ]
	assert_equal "$(tail -c ${#body} "$FAKE_DIR/request.8")" "$body"
}

@test "notificationType from asc-render's template reaches Echobell per event" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr sh -c 'asc-render --only -t "{{n}}" -b "" -l "" -n "{{severity == \"error\" ? \"time-sensitive\" : \"active\"}}" | echobell-send --type calling' <<<'{"n":1,"severity":"error"} {"n":2,"severity":"info"}'
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(printf '%s\n' '{"title":"1","body":"","externalLink":"","notificationType":"time-sensitive"}' '{"title":"2","body":"","externalLink":"","notificationType":"active"}')"
}

@test "--queue: the outbox holds the notificationType that will be sent" {
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/outbox" --type active <<<'{"n":1,"notificationType":"calling"} {"n":2,"notificationType":"ring"}'
	assert_success
	run cat "$BATS_TEST_TMPDIR"/outbox/new/*
	assert_output "$(printf '{"n":1,"notificationType":"calling"}\n{"n":2,"notificationType":"active"}')"
}

@test "input that is not JSON or not an object: 65, nothing sent for it, the rest sent" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send <<<'[1] {"n":1} "s" nope'
	assert_failure 65
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":1}'
	[ "$stderr" = "$(printf 'echobell-send: error: line 1 (value 1): not a JSON object; nothing sent for it\necho''bell-send: error: line 1 (value 3): not a JSON object; nothing sent for it\necho''bell-send: error: line 1, column 0: Invalid literal; skipped')" ]
}

@test "ASCII RS (0x1e) in a message: 65, nothing sent or queued for it, the rest sent or queued" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send < <(printf '{"n":\x1e1}\n{"n":2}\n\x1e\n')
	assert_failure 65
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":2}'
	[ "$stderr" = "$(printf 'echobell-send: error: line 1, column 6: control character RS (0x1e) is not JSON; skipped\necho''bell-send: error: line 3, column 1: control character RS (0x1e) is not JSON; skipped')" ]
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/outbox" < <(printf '\x1e{"n":1}\n{"n":2}\x1e\n{"n":3}\n')
	assert_failure 65
	run cat "$BATS_TEST_TMPDIR"/outbox/new/*
	assert_output '{"n":3}'
}

@test "--queue writes whole messages into new/ and never loads libcurl" {
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/outbox" --type active <<<'{"n":1} {"n":2} [3]'
	assert_failure 65
	[ "$(ls "$BATS_TEST_TMPDIR/outbox/new" | wc -l)" -eq 2 ]
	run cat "$BATS_TEST_TMPDIR"/outbox/new/*
	assert_output "$(printf '{"n":1,"notificationType":"active"}\n{"n":2,"notificationType":"active"}')"
	run sh -c 'echo "{}" | LD_DEBUG=files echobell-send --queue "$1" 2>&1 | grep -c "file=libcurl"' sh "$BATS_TEST_TMPDIR/outbox"
	assert_output 0
	run sh -c 'echo "{}" | ECHOBELL_WEBHOOK_URL=https://x.invalid/t/y LD_DEBUG=files echobell-send --dry-run 2>&1 | grep -c "file=libcurl.so.4 \[0\];  dynamically loaded"' sh
	assert_output 1
}

@test "an unusable outbox is 75 for --queue (the receiver then keeps the delivery itself)" {
	touch "$BATS_TEST_TMPDIR/file"
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/file/outbox" <<<'{}'
	assert_failure 75
}

# ---- --queue over a stream: messages committed in groups (common/batch.c) ----

# $1 messages {"n":1} ... {"n":$1}, one a line, optionally with "id":"ev-N".
stream() {
	local i
	for i in $(seq "$1"); do
		if [ "${2:-}" = ids ]; then printf '{"id":"ev-%d","n":%d}\n' "$i" "$i"; else printf '{"n":%d}\n' "$i"; fi
	done
}

# The n of every message in $1/new, in the order of the names (the agent's order).
queued_ns() {
	local f
	for f in "$1"/new/*; do
		[ -e "$f" ] || continue
		jq -c .n "$f"
	done | tr '\n' ' '
}

# The numbers from $1 to $2, as queued_ns writes them.
ns() {
	seq "$1" "$2" | tr '\n' ' '
}

@test "--queue: a stream of 2,000 messages is 2,000 whole files in new/, named in the input's order" {
	outbox="$BATS_TEST_TMPDIR/outbox"
	stream 2000 >"$BATS_TEST_TMPDIR/stream"
	run --separate-stderr echobell-send -v --queue "$outbox" --type active <"$BATS_TEST_TMPDIR/stream"
	assert_success
	assert_equal "$(ls "$outbox/new" | wc -l)" 2000
	assert_equal "$(ls "$outbox/new" | sort -u | wc -l)" 2000
	assert_equal "$(ls -A "$outbox/tmp")" ''
	# Each file is one whole message and its newline; in name order they are the input.
	assert_equal "$(cat "$outbox"/new/*)" "$(sed 's/}$/,"notificationType":"active"}/' "$BATS_TEST_TMPDIR/stream")"
	assert_equal "$(for f in "$outbox"/new/*; do wc -l <"$f"; done | sort -u)" 1
	# Every message reported queued, by the name it has in new/.
	assert_equal "$(grep -c '^echobell-send: queued ' <<<"$stderr")" 2000
	assert_equal "$(sed -n 's/^echobell-send: queued //p' <<<"$stderr")" "$(ls "$outbox/new")"
}

@test "--queue: a write failing mid-group (ENOSPC at the 300th file): that group is not queued, 75, the rest is" {
	command -v strace >/dev/null
	outbox="$BATS_TEST_TMPDIR/outbox"
	stream 2000 >"$BATS_TEST_TMPDIR/stream"
	# Only the message files are written with write(2) (no -v: nothing on stderr before).
	run --separate-stderr strace -f -qq -o /dev/null -e trace=write \
		-e inject=write:error=ENOSPC:when=300 \
		$TRACED_ENV echobell-send --queue "$outbox" <"$BATS_TEST_TMPDIR/stream"
	assert_failure 75
	# The second group held 257-299 when 300's write failed: all 44 of them are lost, the
	# ones before and after are queued.
	[[ "$stderr" == *"not queued: cannot write $outbox/tmp/"*": No space left on device (44 messages)" ]]
	assert_equal "$(queued_ns "$outbox")" "$(ns 1 256)$(ns 301 2000)"
	assert_equal "$(ls -A "$outbox/tmp")" ''
}

@test "--queue: a sync failing (EIO on the second group's syncfs): nothing of that group in new/, 75" {
	command -v strace >/dev/null
	outbox="$BATS_TEST_TMPDIR/outbox"
	stream 1000 >"$BATS_TEST_TMPDIR/stream"
	run --separate-stderr strace -f -qq -o /dev/null -e trace=syncfs \
		-e inject=syncfs:error=EIO:when=2 \
		$TRACED_ENV echobell-send -v --queue "$outbox" <"$BATS_TEST_TMPDIR/stream"
	assert_failure 75
	grep -qxF "echobell-send: error: not queued: cannot sync the files written in $outbox/tmp: Input/output error (256 messages)" <<<"$stderr"
	assert_equal "$(queued_ns "$outbox")" "$(ns 1 256)$(ns 513 1000)"
	assert_equal "$(ls -A "$outbox/tmp")" ''
	# What was reported queued is exactly what is in new/.
	assert_equal "$(sed -n 's/^echobell-send: queued //p' <<<"$stderr")" "$(ls "$outbox/new")"
}

@test "--queue: a rename failing mid-group (a full directory): the ones renamed before it are queued and said so, 75" {
	command -v strace >/dev/null
	outbox="$BATS_TEST_TMPDIR/outbox"
	stream 600 >"$BATS_TEST_TMPDIR/stream"
	run --separate-stderr strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:error=ENOSPC:when=300 \
		$TRACED_ENV echobell-send -v --queue "$outbox" <"$BATS_TEST_TMPDIR/stream"
	assert_failure 75
	# The 300th rename is message 300's, the 44th of the second group (257-512).
	grep -qx "echobell-send: error: not queued: cannot move $outbox/tmp/[0-9.]*\.000299 into $outbox/new: No space left on device (213 messages)" <<<"$stderr"
	assert_equal "$(queued_ns "$outbox")" "$(ns 1 299)$(ns 513 600)"
	assert_equal "$(sed -n 's/^echobell-send: queued //p' <<<"$stderr")" "$(ls "$outbox/new")"
	assert_equal "$(ls -A "$outbox/tmp")" ''
}

@test "--queue --dedup over a stream: a marker is done only for a message in new/; a repeat in the same group is a duplicate" {
	command -v strace >/dev/null
	outbox="$BATS_TEST_TMPDIR/outbox" dedup="$BATS_TEST_TMPDIR/dedup"
	stream 600 ids >"$BATS_TEST_TMPDIR/stream"
	run --separate-stderr strace -f -qq -o /dev/null -e trace=syncfs \
		-e inject=syncfs:error=EIO:when=2 \
		$TRACED_ENV echobell-send --queue "$outbox" --dedup "$dedup" <"$BATS_TEST_TMPDIR/stream"
	assert_failure 75
	assert_equal "$(queued_ns "$outbox")" "$(ns 1 256)$(ns 513 600)"
	# done markers for exactly the queued events; none left for the lost group, whose
	# next delivery is then queued.
	assert_equal "$(grep -lx 'done queued' "$dedup"/* | sed 's|.*/ev-||' | sort -n | tr '\n' ' ')" "$(ns 1 256)$(ns 513 600)"
	assert_equal "$(ls -A "$dedup" | wc -l)" 344
	# A replay of the whole stream: only the lost group is queued now, the rest duplicates.
	run --separate-stderr echobell-send -q --queue "$outbox" --dedup "$dedup" <"$BATS_TEST_TMPDIR/stream"
	assert_success
	assert_equal "$(ls "$outbox/new" | wc -l)" 600
	# One event twice in a stream: queued once, the repeat a duplicate (status 0).
	printf '{"id":"ev-x","n":1}\n{"id":"ev-y","n":2}\n{"id":"ev-x","n":3}\n' >"$BATS_TEST_TMPDIR/repeat"
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/o2" --dedup "$dedup" <"$BATS_TEST_TMPDIR/repeat"
	assert_success
	assert_equal "$(queued_ns "$BATS_TEST_TMPDIR/o2")" "1 2 "
	[[ "$stderr" == *"event ev-x was already notified: not again"* ]]
}

@test "--queue: a slow producer's message is in new/ before its next one is written (no waiting for a full group)" {
	outbox="$BATS_TEST_TMPDIR/outbox"
	mkfifo "$BATS_TEST_TMPDIR/in"
	echobell-send --queue "$outbox" <"$BATS_TEST_TMPDIR/in" &
	sender=$!
	exec 4>"$BATS_TEST_TMPDIR/in"
	echo '{"n":1}' >&4
	# stdin stays open; the first message must land without the second or the end.
	for _ in $(seq 200); do
		[ -n "$(ls -A "$outbox/new" 2>/dev/null)" ] && break
		sleep 0.1
	done
	seen=$(queued_ns "$outbox")
	echo '{"n":2}' >&4
	exec 4>&-
	wait $sender
	assert_equal "$seen" "1 "
	assert_equal "$(queued_ns "$outbox")" "1 2 "
}

@test "--queue: the delivery agent is woken by a stream committed in groups (no rescan)" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	echobell-send --queue "$outbox" </dev/null
	start_watcher "$outbox" --rescan 600
	sleep 0.3
	stream 600 | echobell-send --queue "$outbox"
	wait_for_requests 600 300
	assert_equal "$(ids_sent)" "$(ns 1 600)"
}

# Starts a delivery agent on $1 with a fast schedule; its pid is added to $WATCHERS.
start_watcher() {
	echobell-send --watch "$1" --schedule 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 --retries 1 \
		--retry-base 0.05 --rescan 1 "${@:2}" 2>>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHER_PID=$!
	WATCHERS="${WATCHERS:-} $WATCHER_PID"
}

ids_sent() {
	jq -r .n "$FAKE_DIR/bodies" | tr '\n' ' '
}

@test "watcher: 100 messages queued during an outage are all delivered once, in order" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	for i in $(seq 100); do printf '{"n":%d}\n' "$i"; done | echobell-send --queue "$outbox"
	start_watcher "$outbox"
	wait_for_requests 4
	sleep 1.5
	: >"$FAKE_DIR/bodies.503"
	mv "$FAKE_DIR/bodies" "$FAKE_DIR/bodies.503"
	echo 200 >"$FAKE_DIR/mode"
	for _ in $(seq 100); do
		[ -z "$(ls -A "$outbox/new")" ] && [ -z "$(ls -A "$outbox/cur")" ] && break
		sleep 0.1
	done
	assert_equal "$(ids_sent)" "$(seq 100 | tr '\n' ' ')"
	refute_token "$(cat "$BATS_TEST_TMPDIR/watch.log")"
}

@test "watcher: wakes on a new file and posts it at once" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	echobell-send --queue "$outbox" </dev/null
	start_watcher "$outbox" --rescan 60
	sleep 0.3
	echo '{"n":1}' | echobell-send --queue "$outbox"
	# Well before the 60 s rescan: inotify woke it.
	wait_for_requests 1 50
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":1}'
	grep -q "sent .* (HTTP 200: " "$BATS_TEST_TMPDIR/watch.log"
}

@test "watcher: SIGTERM mid-way, then a restart: every message once" {
	start_fake --script delay:20
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	for i in $(seq 60); do printf '{"n":%d}\n' "$i"; done | echobell-send --queue "$outbox"
	start_watcher "$outbox"
	wait_for_requests 10
	kill -TERM $WATCHER_PID
	status=0
	wait $WATCHER_PID || status=$?
	assert_equal "$status" 0
	[ "$(fake_requests)" -lt 60 ]
	run ls "$outbox/cur"
	assert_output ''
	start_watcher "$outbox"
	wait_for_requests 60
	sleep 0.3
	assert_equal "$(ids_sent)" "$(seq 60 | tr '\n' ' ')"
	assert_equal "$(fake_requests)" 60
}

@test "watcher: a 400 goes to failed/ with the reason beside it; the others are sent" {
	start_fake --script 200,400,200
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	printf '{"n":1}\n{"n":2}\n{"n":3}\n' | echobell-send --queue "$outbox"
	name=$(ls "$outbox/new" | sed -n 2p)
	start_watcher "$outbox"
	wait_for_requests 3
	sleep 0.3
	[ -f "$outbox/failed/$name" ]
	assert_equal "$(cat "$outbox/failed/$name")" '{"n":2}'
	assert_equal "$(cat "$outbox/failed/$name.reason")" 'HTTP 400: {"error": "fake echobell says 400"}'
	run ls "$outbox/new"
	assert_output ''
	grep -q "error: $name: HTTP 400: .*; moved to failed/" "$BATS_TEST_TMPDIR/watch.log"
}

@test "watcher: a message that outlives the schedule goes to failed/" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	echo '{"n":1}' | echobell-send --queue "$outbox"
	name=$(ls "$outbox/new")
	echobell-send --watch "$outbox" --schedule 0.1 --retries 0 2>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHERS=$!
	for _ in $(seq 50); do [ -f "$outbox/failed/$name.reason" ] && break; sleep 0.1; done
	assert_equal "$(cat "$outbox/failed/$name.reason")" 'HTTP 503: {"error": "fake echobell says 503"}; gave up after 2 tries'
}

@test "watcher: two agents on one outbox never send a message twice" {
	start_fake --script delay:5
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	for i in $(seq 150); do printf '{"n":%d}\n' "$i"; done | echobell-send --queue "$outbox"
	start_watcher "$outbox"
	start_watcher "$outbox"
	wait_for_requests 150
	sleep 0.5
	assert_equal "$(fake_requests)" 150
	assert_equal "$(jq -r .n "$FAKE_DIR/bodies" | sort -n | uniq | wc -l)" 150
}

@test "watcher: a claim left by an agent that died goes back and is delivered" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	outbox="$BATS_TEST_TMPDIR/outbox"
	echo '{"n":7}' | echobell-send --queue "$outbox"
	name=$(ls "$outbox/new")
	# As a killed agent leaves it: claimed by a pid that no longer runs.
	sh -c 'exit 0' & dead=$!
	wait $dead
	mv "$outbox/new/$name" "$outbox/cur/$name,p=$dead"
	start_watcher "$outbox"
	wait_for_requests 1
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":7}'
}

@test "watcher: exits 0 at once on SIGTERM when idle" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_watcher "$BATS_TEST_TMPDIR/outbox" --rescan 60
	sleep 0.3
	kill -TERM $WATCHER_PID
	status=0
	wait $WATCHER_PID || status=$?
	assert_equal "$status" 0
}

@test "options: bad numbers and clashing modes are 64; --help and --version" {
	run --separate-stderr echobell-send --queue a --watch b
	assert_failure 64
	run --separate-stderr echobell-send --retries lots
	assert_failure 64
	run --separate-stderr echobell-send --schedule 1,x
	assert_failure 64
	[ "$stderr" = "echobell-send: error: --schedule: not a duration: x (seconds, or with s, m, h, d)" ]
	run --separate-stderr echobell-send --version
	assert_output 'echobell-send ascbell 0.1.0'
}
