#!/usr/bin/env bats
# asc-http --listen: the long-running mode. Real TCP on 127.0.0.1, the answers' bytes, the
# same limits as the inetd shape, and what the parent does when a worker dies, overruns,
# or the service is reloaded or stopped.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_TRUST_PROXY ASCBELL_OUTBOX ASCBELL_DEDUP_DIR \
		SOCAT_PEERADDR TCPREMOTEIP ECHOBELL_URL_FILE ECHOBELL_ESCALATION_URL_FILE \
		ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASCBELL_RECEIVED
	export ASCBELL_ENV="$BATS_TEST_TMPDIR/env"
	LOG="$BATS_TEST_TMPDIR/server.log"
	: >"$LOG"
	HANDLER="$BATS_TEST_TMPDIR/handler"
	# Records its worker (its parent) and its own pid; sleeps while $BATS_TEST_TMPDIR/slow
	# exists; exits with what $BATS_TEST_TMPDIR/exit says (default 0).
	cat >"$HANDLER" <<'EOS'
#!/bin/sh
cat >/dev/null
dir=$(dirname "$0")
env | grep -E '^(HTTP_|CONTENT_|ASC_SPOOL_FILE)' | sort >"$dir/env.$$"
echo "$PPID" >>"$dir/workers"
if [ -e "$dir/slow" ]; then
	echo "$$" >"$dir/sleeping"
	exec sleep "$(cat "$dir/slow")"
fi
exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
EOS
	chmod +x "$HANDLER"
	printf 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' >"$BATS_TEST_TMPDIR/post"
}

teardown() {
	stop_server
	stop_fake
	[ ! -s "$BATS_TEST_TMPDIR/sleeping" ] || kill "$(cat "$BATS_TEST_TMPDIR/sleeping")" 2>/dev/null || true
	[ -z "${CLIENTS:-}" ] || kill $CLIENTS 2>/dev/null || true
}

# The whole answer asc-http gives for a status and message, byte for byte ($4: more headers).
answer() {
	local body
	body=$(printf '{"status":%s,"message":"%s"}' "$1" "$2")
	printf 'HTTP/1.1 %s %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n%s\n' \
		"$1" "$3" $((${#body} + 1)) "${4:-}" "$body"
}

# asc-http --listen on a free port with ARGS, bounded by a lifetime of 60 s; $SERVER_PID is
# asc-http itself, $RUNNER_PID the `timeout` around it.
start_server() {
	LISTEN_PORT=$(free_port)
	timeout 60 "$ASCBELL_BIN/asc-http" --listen "127.0.0.1:$LISTEN_PORT" "$@" 2>>"$LOG" 3>&- &
	RUNNER_PID=$!
	wait_for_log 'serving with'
	SERVER_PID=$(pgrep -P "$RUNNER_PID")
}

stop_server() {
	[ -n "${RUNNER_PID:-}" ] || return 0
	[ -z "${SERVER_PID:-}" ] || kill -CONT $(pgrep -P "$SERVER_PID") 2>/dev/null || true
	[ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true
	wait "$RUNNER_PID" 2>/dev/null || true
	RUNNER_PID=
}

# Waits (at most 10 s) until the server's log has a line matching $1.
wait_for_log() {
	for _ in $(seq 200); do
		grep -q -- "$1" "$LOG" && return 0
		sleep 0.05
	done
	echo "never logged: $1" >&2
	cat "$LOG" >&2
	return 1
}

wait_for_file() {
	for _ in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Until $1 connections to the server are open (seen from the clients' side).
wait_for_connections() {
	for _ in $(seq 200); do
		[ "$(ss -Htn state connected "( dport = :$LISTEN_PORT )" | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Sends file $1 in the background; the answer lands in file $2.
send_background() {
	socat -t 30 - "TCP:127.0.0.1:$LISTEN_PORT" <"$1" >"$2" 2>/dev/null &
	CLIENTS="${CLIENTS:-} $!"
}

# A client that sends half of a request's headers and then nothing for 30 s; the answer
# lands in file $1.
stalled_client() {
	(printf 'POST / HTTP/1.1\r\nHost: x\r\n'; sleep 30) | socat -t 30 - "TCP:127.0.0.1:$LISTEN_PORT" >"$1" 2>/dev/null &
	CLIENTS="${CLIENTS:-} $!"
}

cpu_ticks() {
	local pid total=0
	for pid in "$@"; do
		total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
	done
	echo "$total"
}

@test "a signed delivery through asc-receiver: 200, delivered; a forged one: 401, exact bytes" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE=$(secret_file 'listen secret')
	start_server --spool "$BATS_TEST_TMPDIR/spool" -- "$RECEIVER"
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$ANSWER" "$(answer 200 delivered OK | tr -d '\r')"
	assert_equal "$(fake_requests)" 1
	assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/cur" | wc -l)" 1
	sed 's/^x-apple-signature: .*/x-apple-signature: hmacsha256=0000000000000000000000000000000000000000000000000000000000000000\r/' \
		"$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/forged"
	ANSWER=$(socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/forged" | od -c)
	assert_equal "$ANSWER" "$(answer 401 'signature missing or wrong' Unauthorized | od -c)"
	assert_equal "$(fake_requests)" 1
	assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" 0
	grep -q '^asc-http: 127.0.0.1 POST / 401 ' "$LOG"
}

@test "the same answers as the inetd shape: 404, 405, 411, 400, 431, 413 at once, healthz" {
	start_server --path /hooks -- "$HANDLER"
	i=0
	for request in 'POST /x HTTP/1.1\r\nHost: a\r\n\r\n' 'GET /hooks HTTP/1.1\r\n\r\n' 'POST /hooks HTTP/1.1\r\n\r\n' \
		'HELLO\r\n\r\n' "POST /hooks HTTP/1.1\r\nX-Big: $(head -c 20000 /dev/zero | tr '\0' a)\r\n\r\n" \
		'POST /hooks HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n{' 'GET /healthz HTTP/1.1\r\n\r\n' \
		'POST /hooks?q=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'; do
		i=$((i + 1))
		printf "$request" >"$BATS_TEST_TMPDIR/request.$i"
		expected=$(asc-http -q --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request.$i" | od -c)
		got=$(socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/request.$i" | od -c)
		assert_equal "$got" "$expected"
	done
	for code in 404 405 411 400 431 413 200; do
		wait_for_log "^asc-http: 127.0.0.1 [A-Z-]* [^ ]* $code "
	done
}

@test "a client that stalls mid-headers gets 408 after --timeout; others are served meanwhile" {
	start_server --timeout 3 -- "$HANDLER"
	stalled_client "$BATS_TEST_TMPDIR/stalled"
	wait_for_connections 1
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	wait_for_log ' 408 '
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/stalled" ] && break; sleep 0.05; done
	assert_equal "$(od -c <"$BATS_TEST_TMPDIR/stalled")" "$(answer 408 'request took too long' 'Request Timeout' | od -c)"
	# The delivery was served before the stalled client's deadline.
	assert_equal "$(grep -o ' [0-9][0-9][0-9] ' "$LOG" | tr -d ' ' | tr '\n' ' ')" '200 408 '
}

@test "--max-connections 2 with two stalled clients: a third gets the parent's 503, exact bytes" {
	start_server --max-connections 2 --workers 2 --timeout 20 -- "$HANDLER"
	stalled_client "$BATS_TEST_TMPDIR/stalled.1"
	stalled_client "$BATS_TEST_TMPDIR/stalled.2"
	wait_for_connections 2
	ANSWER=$(socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/post" | od -c)
	assert_equal "$ANSWER" "$(answer 503 'too many connections' 'Service Unavailable' $'Retry-After: 10\r\n' | od -c)"
	wait_for_log '^asc-http: 127.0.0.1 - - 503 0 '
	[ ! -s "$BATS_TEST_TMPDIR/workers" ]
}

@test "a worker killed mid-request: its client gets 500 (the request stays in the spool, the history says so), the next 200" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history" ASCBELL_NOW=2026-03-09T12:00:00Z
	start_server --workers 1 --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER"
	echo 30 >"$BATS_TEST_TMPDIR/slow"
	send_background "$BATS_TEST_TMPDIR/post" "$BATS_TEST_TMPDIR/answer"
	wait_for_file "$BATS_TEST_TMPDIR/sleeping"
	worker=$(cat "$BATS_TEST_TMPDIR/workers")
	[ "$(ps -o ppid= -p "$worker" | tr -d ' ')" = "$SERVER_PID" ]
	kill -KILL "$worker"
	wait_for_file "$BATS_TEST_TMPDIR/answer"
	wait_for_log "worker $worker killed by signal 9 while serving 127.0.0.1: answered 500"
	assert_equal "$(od -c <"$BATS_TEST_TMPDIR/answer")" "$(answer 500 'internal error' 'Internal Server Error' | od -c)"
	assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" 1
	rm "$BATS_TEST_TMPDIR/slow"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/workers")" != "$worker" ]
	# The parent's 500 has its line (no app or event: the worker had the request).
	assert_equal "$(jq -c '[.at, .answer, .outcome, .app, .event]' "$ASCBELL_HISTORY/2026-03-09.jsonl")" \
		"$(printf '%s\n' '["2026-03-09T12:00:00Z",500,"error",null,null]' '["2026-03-09T12:00:00Z",200,"delivered",null,null]')"
}

@test "a client gone before its answer: nothing of that answer reaches the worker's next client" {
	start_server --workers 1 -- "$HANDLER"
	echo 1 >"$BATS_TEST_TMPDIR/slow"
	# Sends the request, then resets the connection (SO_LINGER 0) while the handler works:
	# the worker's answer cannot be written.
	python3 -c 'import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(open(sys.argv[2], "rb").read())
time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$LISTEN_PORT" "$BATS_TEST_TMPDIR/post"
	wait_for_log '^asc-http: 127.0.0.1 POST / 200 '
	rm "$BATS_TEST_TMPDIR/slow"
	ANSWER=$(socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/post" | od -c)
	assert_equal "$ANSWER" "$(answer 200 delivered OK | od -c)"
}

@test "deadlines: a slow handler is 503 from its worker; a worker that hangs is killed, 503 from the parent" {
	export ASCBELL_HISTORY="$BATS_TEST_TMPDIR/history" ASCBELL_NOW=2026-03-09T12:00:00Z
	start_server --workers 1 --timeout 1 --handler-timeout 1 -- "$HANDLER"
	echo 30 >"$BATS_TEST_TMPDIR/slow"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$ANSWER" "$(answer 503 'try again later' 'Service Unavailable' | tr -d '\r')"
	# A worker that stops answering at all (stopped here) is killed after --timeout +
	# --handler-timeout + 3 s, and replaced.
	echo 0.5 >"$BATS_TEST_TMPDIR/slow"
	rm -f "$BATS_TEST_TMPDIR/sleeping"
	send_background "$BATS_TEST_TMPDIR/post" "$BATS_TEST_TMPDIR/answer"
	wait_for_file "$BATS_TEST_TMPDIR/sleeping"
	worker=$(tail -n 1 "$BATS_TEST_TMPDIR/workers")
	kill -STOP "$worker"
	for _ in $(seq 200); do [ -s "$BATS_TEST_TMPDIR/answer" ] && break; sleep 0.05; done
	assert_equal "$(od -c <"$BATS_TEST_TMPDIR/answer")" "$(answer 503 'try again later' 'Service Unavailable' | od -c)"
	wait_for_log "worker $worker held 127.0.0.1 for more than 5 s: killed"
	rm "$BATS_TEST_TMPDIR/slow"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	# A line for each answer: the worker's 503, the parent's 503, the 200.
	assert_equal "$(jq -c '[.answer, .outcome]' "$ASCBELL_HISTORY/2026-03-09.jsonl" | paste -sd ' ')" \
		'[503,"unavailable"] [503,"unavailable"] [200,"delivered"]'
}

@test "each request's CGI variables are its own: nothing of the one before stays in the worker" {
	start_server --workers 1 --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER"
	printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nX-Only-First: yes\r\nContent-Length: 2\r\n\r\n{}' \
		>"$BATS_TEST_TMPDIR/first"
	send_raw "$BATS_TEST_TMPDIR/first"
	assert_equal "$CODE" 200
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	mapfile -t envs < <(ls -tr "$BATS_TEST_TMPDIR"/env.*)
	assert_equal "${#envs[@]}" 2
	grep -qx 'HTTP_X_ONLY_FIRST=yes' "${envs[0]}"
	grep -qx 'CONTENT_TYPE=application/json' "${envs[0]}"
	run grep -E '^(HTTP_X_ONLY_FIRST|CONTENT_TYPE)=' "${envs[1]}"
	assert_failure
	[ "$(grep ASC_SPOOL_FILE "${envs[0]}")" != "$(grep ASC_SPOOL_FILE "${envs[1]}")" ]
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/workers" | wc -l)" 1
}

@test "--max-requests: a worker leaves after N requests and is replaced; every answer 200" {
	start_server --workers 1 --max-requests 2 -- "$HANDLER"
	for _ in 1 2 3 4 5; do
		send_raw "$BATS_TEST_TMPDIR/post"
		assert_equal "$CODE" 200
	done
	mapfile -t w <"$BATS_TEST_TMPDIR/workers"
	[ "${w[0]}" = "${w[1]}" ] && [ "${w[2]}" = "${w[3]}" ] && [ "${w[1]}" != "${w[2]}" ] && [ "${w[3]}" != "${w[4]}" ]
}

@test "SIGHUP under load: every request of parallel clients answered 200 while reloading" {
	start_server --workers 2 -- "$HANDLER"
	for k in 1 2 3 4; do
		(for _ in $(seq 25); do
			curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -d '{}' "http://127.0.0.1:$LISTEN_PORT/"
		done >"$BATS_TEST_TMPDIR/codes.$k") &
		CLIENTS="${CLIENTS:-} $!"
	done
	for _ in 1 2 3 4 5 6; do
		kill -HUP "$SERVER_PID"
		sleep 0.2
	done
	wait $CLIENTS
	CLIENTS=
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/codes.* | sort | uniq -c | tr -s ' ')" ' 100 200'
	assert_equal "$(grep -c 'reloaded: new workers serve from now on' "$LOG")" 6
	# The old workers are gone; the pool is two again.
	for _ in $(seq 100); do [ "$(pgrep -P "$SERVER_PID" | wc -l)" = 2 ] && break; sleep 0.05; done
	assert_equal "$(pgrep -P "$SERVER_PID" | wc -l)" 2
}

@test "SIGHUP: the env file is read again (not per request); a bad one leaves the old one in use" {
	printf 'ASCBELL_ALLOW=10.0.0.0/8\n' >"$ASCBELL_ENV"
	start_server -- "$HANDLER"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 403
	printf 'ASCBELL_ALLOW=127.0.0.1\n' >"$ASCBELL_ENV"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 403
	kill -HUP "$SERVER_PID"
	wait_for_log 'reloaded'
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	printf 'ASCBELL_ALLOW=$NOPE\n' >"$ASCBELL_ENV"
	kill -HUP "$SERVER_PID"
	wait_for_log 'the configuration in use stays'
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
}

@test "SIGHUP: a new secret file content takes effect; the old secret is refused" {
	start_fake
	secret=$(secret_file 'old secret')
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE="$secret"
	start_server -- "$RECEIVER"
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/old"
	send_raw "$BATS_TEST_TMPDIR/old"
	assert_equal "$CODE" 200
	printf 'new secret\n' >"$secret"
	kill -HUP "$SERVER_PID"
	wait_for_log 'reloaded'
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/new"
	send_raw "$BATS_TEST_TMPDIR/new"
	assert_equal "$CODE" 200
	send_raw "$BATS_TEST_TMPDIR/old"
	assert_equal "$CODE" 401
	assert_equal "$(fake_requests)" 2
}

@test "SIGTERM: the request in flight and the one waiting are served 200, then exit 0, port closed" {
	start_server --workers 1 -- "$HANDLER"
	echo 3 >"$BATS_TEST_TMPDIR/slow"
	send_background "$BATS_TEST_TMPDIR/post" "$BATS_TEST_TMPDIR/answer.1"
	wait_for_file "$BATS_TEST_TMPDIR/sleeping"
	send_background "$BATS_TEST_TMPDIR/post" "$BATS_TEST_TMPDIR/answer.2"
	wait_for_connections 2
	kill -TERM "$SERVER_PID"
	status=0
	wait "$RUNNER_PID" || status=$?
	assert_equal "$status" 0
	RUNNER_PID=
	wait $CLIENTS
	CLIENTS=
	assert_equal "$(od -c <"$BATS_TEST_TMPDIR/answer.1")" "$(answer 200 delivered OK | od -c)"
	assert_equal "$(od -c <"$BATS_TEST_TMPDIR/answer.2")" "$(answer 200 delivered OK | od -c)"
	run socat -u /dev/null "TCP:127.0.0.1:$LISTEN_PORT"
	assert_failure
	grep -q 'asc-http: stopped' "$LOG"
}

@test "socket activation (Accept=no): the listening socket on fd 3 from systemd-socket-activate" {
	LISTEN_PORT=$(free_port)
	timeout 60 systemd-socket-activate -l "127.0.0.1:$LISTEN_PORT" \
		"$ASCBELL_BIN/asc-http" -- "$HANDLER" 2>>"$LOG" 3>&- &
	RUNNER_PID=$!
	for _ in $(seq 100); do
		ss -Htln "( sport = :$LISTEN_PORT )" | grep -q . && break
		sleep 0.05
	done
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	SERVER_PID=$(pgrep -P "$RUNNER_PID")
	grep -q 'serving with 4 workers' "$LOG"
	# The LISTEN_* variables were for asc-http, not for its handlers.
	run grep -h '^LISTEN_' "$BATS_TEST_TMPDIR"/env.*
	assert_failure
}

@test "an idle server uses no CPU: no periodic wake-ups in the parent or the workers" {
	start_server --workers 2 -- "$HANDLER"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	sleep 0.5
	pids="$SERVER_PID $(pgrep -P "$SERVER_PID" | tr '\n' ' ')"
	before=$(cpu_ticks $pids)
	sleep 3
	assert_equal "$(cpu_ticks $pids)" "$before"
	# Not one system call in 2 s either: the parent sleeps in poll() with no timeout, the
	# workers in recvmsg() (strace shows them there, unfinished or restarted on attaching; nothing else).
	run timeout -s INT 2 strace -o "$BATS_TEST_TMPDIR/strace" $(printf -- '-p %s ' $pids)
	run grep -vE 'restart_syscall|unfinished|detached|attached' "$BATS_TEST_TMPDIR/strace"
	assert_output ''
	grep -qE "^$SERVER_PID +restart_syscall" "$BATS_TEST_TMPDIR/strace"
}

@test "--agent: the delivery agent runs beside, delivers what is queued, and is restarted when killed" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE=$(secret_file 'agent secret')
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	start_server --agent -- "$RECEIVER"
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$ANSWER" "$(answer 200 queued OK | tr -d '\r')"
	wait_for_requests 1
	agent=$(pgrep -P "$SERVER_PID" -x echobell-send)
	kill -KILL "$agent"
	wait_for_log 'the delivery agent ended (killed by signal 9): restarted in 1 s'
	signed_request / "$FIXTURES/asc/feedback-crash.json" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	wait_for_requests 2
	new_agent=$(pgrep -P "$SERVER_PID" -x echobell-send)
	[ -n "$new_agent" ] && [ "$new_agent" != "$agent" ]
	kill -TERM "$SERVER_PID"
	status=0
	wait "$RUNNER_PID" || status=$?
	assert_equal "$status" 0
	RUNNER_PID=
	run kill -0 "$new_agent"
	assert_failure
}

@test "--agent without an outbox: direct mode, said so, no agent; a reload that sets one starts it" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_server --agent -- "$HANDLER"
	grep -qx 'asc-http: warning: --agent: no outbox configured (ASCBELL_OUTBOX): direct mode, no delivery agent runs' "$LOG"
	run pgrep -P "$SERVER_PID" -x echobell-send
	assert_failure
	printf 'ASCBELL_OUTBOX=%s\n' "$BATS_TEST_TMPDIR/outbox" >"$ASCBELL_ENV"
	kill -HUP "$SERVER_PID"
	wait_for_log 'reloaded'
	for _ in $(seq 100); do pgrep -P "$SERVER_PID" -x echobell-send >/dev/null && break; sleep 0.05; done
	pgrep -P "$SERVER_PID" -x echobell-send
}

@test "options: server options without --listen, --cgi with it, a bad address or count, 64" {
	run --separate-stderr asc-http --workers 2 -- "$HANDLER"
	assert_equal "$status" 64
	run --separate-stderr timeout 10 asc-http --cgi --listen "127.0.0.1:$(free_port)" -- "$HANDLER"
	assert_equal "$status" 64
	run --separate-stderr asc-http --listen 127.0.0.1 -- "$HANDLER"
	assert_equal "$status" 64
	assert_equal "$stderr" 'asc-http: error: --listen: not ADDRESS:PORT: 127.0.0.1'
	run --separate-stderr asc-http --workers 0 --listen 127.0.0.1:1 -- "$HANDLER"
	assert_equal "$status" 64
}

# ---- the built-in receiver in the long-running mode ----

@test "built-in: a rotated secret (a second line in the file) holds at once, without SIGHUP" {
	start_fake
	secret=$(secret_file 'old secret')
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE="$secret" ASC_APP_ID=6447123456
	start_server --workers 1
	ASC_WEBHOOK_SECRET_FILE="$secret" signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/old"
	send_raw "$BATS_TEST_TMPDIR/old"
	assert_equal "$CODE" 200
	# asc-webhooks rotate writes the new secret beside the old one, by rename.
	printf 'new secret\nold secret\n' >"$BATS_TEST_TMPDIR/rotated"
	chmod 600 "$BATS_TEST_TMPDIR/rotated"
	mv "$BATS_TEST_TMPDIR/rotated" "$secret"
	ASC_WEBHOOK_SECRET_FILE=$(secret_file 'new secret') signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/new"
	send_raw "$BATS_TEST_TMPDIR/new"
	assert_equal "$CODE" 200
	send_raw "$BATS_TEST_TMPDIR/old"
	assert_equal "$CODE" 200
	# The old one retired: refused from the next request on.
	printf 'new secret\n' >"$BATS_TEST_TMPDIR/retired"
	chmod 600 "$BATS_TEST_TMPDIR/retired"
	mv "$BATS_TEST_TMPDIR/retired" "$secret"
	send_raw "$BATS_TEST_TMPDIR/old"
	assert_equal "$CODE" 401
	assert_equal "$(fake_requests)" 3
}

@test "built-in: one kept-alive connection to Echobell across requests, per worker" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret') ASC_APP_ID=6447123456
	start_server --workers 1
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	for _ in 1 2 3 4 5; do
		send_raw "$BATS_TEST_TMPDIR/request"
		assert_equal "$CODE" 200
	done
	assert_equal "$(fake_requests)" 5
	assert_equal "$(cat "$FAKE_DIR/connections")" 1
}

@test "built-in: SIGHUP with a template file that does not compile keeps the templates in use" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret') ASC_APP_ID=6447123456
	printf '{"*": {"title": "first {{status}}", "body": "b"}}\n' >"$BATS_TEST_TMPDIR/templates.json"
	printf 'ASCBELL_TEMPLATES=%s\n' "$BATS_TEST_TMPDIR/templates.json" >"$ASCBELL_ENV"
	start_server
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	printf '{"*": {"title": "{{broken", "body": "b"}}\n' >"$BATS_TEST_TMPDIR/templates.json"
	kill -HUP "$SERVER_PID"
	wait_for_log 'reload: the receiver cannot start with the new one: the configuration in use stays'
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	printf '{"*": {"title": "second {{status}}", "body": "b"}}\n' >"$BATS_TEST_TMPDIR/templates.json"
	kill -HUP "$SERVER_PID"
	wait_for_log 'reloaded'
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" "$(printf 'first Rejected\nfirst Rejected\nsecond Rejected')"
}

@test "built-in: a template file that does not compile at start: asc-http does not start (64)" {
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret')
	printf '{"*": {"title": "{{broken", "body": "b"}}\n' >"$BATS_TEST_TMPDIR/templates.json"
	printf 'ASCBELL_TEMPLATES=%s\n' "$BATS_TEST_TMPDIR/templates.json" >"$ASCBELL_ENV"
	run --separate-stderr timeout 20 "$ASCBELL_BIN/asc-http" --listen "127.0.0.1:$(free_port)"
	assert_failure 64
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/templates.json"* ]]
}

@test "built-in: the routes file is read once by a worker, and again when it changes (no SIGHUP needed)" {
	command -v strace >/dev/null
	start_fake
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'receiver secret') ASC_APP_ID=6447123456
	export ASCBELL_ROUTES="$BATS_TEST_TMPDIR/routes.json"
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/all.url"
	printf '{"routes": [{"name": "all", "urlFile": "%s"}]}\n' "$BATS_TEST_TMPDIR/all.url" >"$ASCBELL_ROUTES"
	start_server --workers 1
	worker=$(pgrep -P "$SERVER_PID" | head -n 1)
	strace -qq -e trace=openat -o "$BATS_TEST_TMPDIR/opens" -p "$worker" &
	tracer=$!
	sleep 0.5
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	for _ in 1 2 3; do
		send_raw "$BATS_TEST_TMPDIR/request"
		assert_equal "$CODE" 200
	done
	# The worker read it at start (before the trace): not once more for three deliveries.
	assert_equal "$(grep -c 'routes.json' "$BATS_TEST_TMPDIR/opens")" 0
	# A new file moved into place: read once, and used.
	printf '{"routes": [{"name": "all", "severity": "info", "urlFile": "%s"}]}\n' "$BATS_TEST_TMPDIR/all.url" >"$BATS_TEST_TMPDIR/new.json"
	mv "$BATS_TEST_TMPDIR/new.json" "$ASCBELL_ROUTES"
	for _ in 1 2; do
		send_raw "$BATS_TEST_TMPDIR/request"
		assert_equal "$CODE" 200
	done
	kill -INT "$tracer"
	wait "$tracer" || true
	assert_equal "$(grep -c 'routes.json' "$BATS_TEST_TMPDIR/opens")" 1
	# The rejection is an error: the new rule (severity info) matches nothing; only the
	# first three were sent.
	assert_equal "$(fake_requests)" 3
}
