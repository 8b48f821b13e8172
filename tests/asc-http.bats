#!/usr/bin/env bats
# asc-http on its own: the request from standard input (as inetd hands it over) or through a
# real socat listener, the answer's bytes, limits, the spool's life cycle, the handler.

load helpers/common

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR SOCAT_PEERADDR TCPREMOTEIP
	HANDLER="$BATS_TEST_TMPDIR/handler"
	# A handler that records what it was given and exits with $EXIT_WITH (default 0).
	cat >"$HANDLER" <<'EOS'
#!/bin/sh
cat >"$RECORD.body"
env | grep -E '^(HTTP_|REQUEST_METHOD|PATH_INFO|QUERY_STRING|CONTENT_|REMOTE_|ASC_SPOOL_FILE)' | sort >"$RECORD.env"
exit "${EXIT_WITH:-0}"
EOS
	chmod +x "$HANDLER"
	export RECORD="$BATS_TEST_TMPDIR/record"
}

teardown() {
	stop_listener
}

request() {
	printf "$@" >"$BATS_TEST_TMPDIR/request"
}

@test "a POST runs the handler with the body and CGI variables; 0 is 200, exact bytes" {
	request 'POST /hooks/app?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nX-Apple-SIGNATURE: hmacsha256=ab\r\nContent-Length: 5\r\n\r\nhello'
	run --separate-stderr asc-http --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_success
	assert_output "$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 37\r\nConnection: close\r\n\r\n{"status":200,"message":"delivered"}')"
	assert_equal "$(cat "$RECORD.body")" hello
	assert_equal "$(cat "$RECORD.env")" "$(printf 'CONTENT_LENGTH=5\nCONTENT_TYPE=application/json\nHTTP_HOST=h\nHTTP_X_APPLE_SIGNATURE=hmacsha256=ab\nPATH_INFO=/app\nQUERY_STRING=x=1\nREMOTE_ADDR=-\nREMOTE_PORT=\nREQUEST_METHOD=POST')"
	[[ "$stderr" =~ ^asc-http:\ -\ POST\ /hooks/app\ 200\ 5\ [0-9]+ms$ ]]
}

@test "exit statuses become HTTP answers, as the table in DESIGN.md says" {
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	for pair in 0:200 64:500 65:400 66:500 69:502 70:500 74:500 75:503 77:401 78:500 1:500; do
		EXIT_WITH=${pair%%:*} run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
		assert_line --index 0 "$(printf 'HTTP/1.1 %s ' "${pair##*:}")$(printf '%s' "$output" | head -n1 | cut -d' ' -f3- )"
		[[ "${lines[0]}" == "HTTP/1.1 ${pair##*:} "* ]]
	done
}

@test "a request that is not for us: 404; GET on the path: 405 with Allow; GET /healthz: 200" {
	request 'POST /other HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	run asc-http -q --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 404 Not Found\r'
	[ ! -e "$RECORD.body" ]
	request 'POST /hooksmith HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	run asc-http -q --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 404 Not Found\r'
	request 'GET /hooks HTTP/1.1\r\n\r\n'
	run asc-http -q --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 405 Method Not Allowed\r'
	assert_line --index 4 $'Allow: POST\r'
	request 'GET /healthz HTTP/1.1\r\n\r\n'
	run asc-http -q --path /hooks -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_output "$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{"status":200,"message":"ok"}')"
	[ ! -e "$RECORD.body" ]
}

@test "no Content-Length: 411; a chunked body is decoded for the handler" {
	request 'POST / HTTP/1.1\r\n\r\n'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 411 Length Required\r'
	request 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	assert_equal "$(cat "$RECORD.body")" abcde
}

@test "malformed requests are 400; headers too large 431; a declared 2 MiB body 413 at once" {
	request 'HELLO\r\n\r\n'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 400 Bad Request\r'
	request 'POST / HTTP/1.1\r\nX-Big: %s\r\n\r\n' "$(head -c 20000 /dev/zero | tr '\0' a)"
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 431 Request Header Fields Too Large\r'
	request 'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 400 Bad Request\r'
	# A request line alone over the header budget.
	request 'POST /%s HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' "$(head -c 20000 /dev/zero | tr '\0' a)"
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 431 Request Header Fields Too Large\r'
	[ ! -e "$RECORD.body" ]
}

@test "a chunked body framed in one-byte chunks is refused whole, never spooled cut short" {
	{
		printf 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
		for _ in $(seq 7000); do printf '1\r\nx\r\n'; done
		printf '0\r\n\r\n'
	} >"$BATS_TEST_TMPDIR/request"
	run asc-http -q --max-body 10K --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 413 Content Too Large\r'
	[ ! -e "$RECORD.body" ]
	[ -z "$(ls "$BATS_TEST_TMPDIR/spool/new" 2>/dev/null)" ]
	# The same body in one chunk is fine.
	{
		printf 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1b58\r\n'
		head -c 7000 /dev/zero | tr '\0' x
		printf '\r\n0\r\n\r\n'
	} >"$BATS_TEST_TMPDIR/request"
	run asc-http -q --max-body 10K --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	assert_equal "$(wc -c <"$RECORD.body")" 7000
}

@test "through socat: a 2 MiB body is 413 without waiting for it, a slow client 408" {
	start_listener --timeout 1 -- "$HANDLER"
	{
		printf 'POST / HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n'
		head -c 2097152 /dev/zero
	} >"$BATS_TEST_TMPDIR/big"
	send_raw "$BATS_TEST_TMPDIR/big"
	assert_equal "$CODE" 413
	# One byte a second: the whole request never arrives within the 1 s timeout.
	ANSWER=$( (printf 'P'; for c in O S T ' '; do sleep 1; printf '%s' "$c"; done) | socat -t 5 - TCP:127.0.0.1:"$LISTEN_PORT" | tr -d '\r')
	assert_equal "$(printf '%s\n' "$ANSWER" | head -n1)" "HTTP/1.1 408 Request Timeout"
	[ ! -e "$RECORD.body" ]
}

@test "Transfer-Encoding as RFC 9112 reads it: chunked last and once (else 400), no other coding (501)" {
	for te in 'chunked, identity' identity gzip 'chunked\r\nTransfer-Encoding: identity' 'chunked, chunked' \
		'chunked\r\nTransfer-Encoding: chunked' '' ' , '; do
		request "POST / HTTP/1.1\r\nTransfer-Encoding: $te\r\n\r\n1\r\nx\r\n0\r\n\r\n"
		run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
		assert_output "$(printf 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 61\r\nConnection: close\r\n\r\n{"status":400,"message":"not an App Store Connect delivery"}')"
	done
	# A list http-parser would not frame as chunked, although its last coding is: refused
	# rather than read by another framing than the one the header names.
	request 'POST / HTTP/1.1\r\nTransfer-Encoding: , chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 400 Bad Request\r'
	for te in 'gzip, chunked' 'gzip\r\nTransfer-Encoding: chunked'; do
		request "POST / HTTP/1.1\r\nTransfer-Encoding: $te\r\n\r\n1\r\nx\r\n0\r\n\r\n"
		run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
		assert_output "$(printf 'HTTP/1.1 501 Not Implemented\r\nContent-Type: application/json\r\nContent-Length: 59\r\nConnection: close\r\n\r\n{"status":501,"message":"transfer coding not implemented"}')"
	done
	[ ! -e "$RECORD.body" ]
	# The coding's name in any case.
	request 'POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n'
	run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	assert_equal "$(cat "$RECORD.body")" x
}

@test "through socat, the client waiting: a chunk size over the limit is 413 at once, not 408 after the timeout" {
	start_listener -- "$HANDLER"
	for size in 8000000000000000 100001 FFFFFFFFFFFFFFF; do
		# The client sends the chunk's size and one byte, then waits for the answer.
		run python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + sys.argv[2].encode() + b"\r\nx")
s.settimeout(30)
print(s.recv(200).decode().split("\r\n")[0])' "$LISTEN_PORT" "$size"
		assert_output 'HTTP/1.1 413 Content Too Large'
	done
	[ ! -e "$RECORD.body" ]
}

@test "through socat: Expect: 100-continue gets its interim answer, then the body is read" {
	start_listener -- "$HANDLER"
	request 'POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody'
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$(printf '%s\n' "$ANSWER" | head -n 3)" "$(printf 'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK')"
	assert_equal "$(cat "$RECORD.body")" body
}

@test "through socat: REMOTE_ADDR and REMOTE_PORT come from socat" {
	start_listener -- "$HANDLER"
	request 'POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx'
	send_raw "$BATS_TEST_TMPDIR/request"
	grep -qx 'REMOTE_ADDR=127.0.0.1' "$RECORD.env"
	grep -qE '^REMOTE_PORT=[0-9]+$' "$RECORD.env"
}

@test "inherited HTTP_* variables never reach the handler, nor a Proxy header as HTTP_PROXY" {
	request 'POST / HTTP/1.1\r\nProxy: http://evil.example\r\nContent-Length: 1\r\n\r\nx'
	HTTP_X_APPLE_SIGNATURE=stale HTTP_PROXY=http://inherited run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	run grep -c HTTP_ "$RECORD.env"
	assert_output 0
}

@test "inherited HTTP_* variables of any name length, or without '=', are removed too" {
	request 'POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx'
	for len in 250 251 256 300 5000; do
		name=HTTP_$(head -c "$len" /dev/zero | tr '\0' A)
		env "$name=stale" timeout 10 asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request" >/dev/null
		run grep -c HTTP_ "$RECORD.env"
		assert_output 0
	done
	# execve takes any string as an environment entry; unsetenv cannot remove one without '='.
	python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def strings(items):
    array = (ctypes.c_char_p * (len(items) + 1))(*[i.encode() for i in items], None)
    return array
argv = ["asc-http", "-q", "--", sys.argv[1]]
envp = ["PATH=" + os.environ["PATH"], "RECORD=" + os.environ["RECORD"], "HTTP_NO_EQUALS", "HTTP_X=1"]
libc.execve(os.path.join(sys.argv[2], "asc-http").encode(), strings(argv), strings(envp))
sys.exit("execve failed")' "$HANDLER" "$ASCBELL_BIN" <"$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/answer" &
	pid=$!
	# Bounded: the old loop never ended on such an entry.
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill $pid 2>/dev/null || true
	wait $pid
	assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/answer")" $'HTTP/1.1 200 OK\r'
	run grep -c HTTP_ "$RECORD.env"
	assert_output 0
}

@test "--spool: the request is in new/ (whole) while the handler runs; success moves it to cur/" {
	cat >"$BATS_TEST_TMPDIR/check" <<'EOS'
#!/bin/sh
cat >/dev/null
cp "$ASC_SPOOL_FILE" "$RECORD.spooled"
exit "${EXIT_WITH:-0}"
EOS
	chmod +x "$BATS_TEST_TMPDIR/check"
	request 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
	run --separate-stderr asc-http --spool "$BATS_TEST_TMPDIR/spool" -- "$BATS_TEST_TMPDIR/check" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	cmp "$RECORD.spooled" "$BATS_TEST_TMPDIR/request"
	name=$(ls "$BATS_TEST_TMPDIR/spool/cur")
	cmp "$BATS_TEST_TMPDIR/spool/cur/$name" "$BATS_TEST_TMPDIR/request"
	run ls "$BATS_TEST_TMPDIR/spool/new"
	assert_output ''
	[[ "$stderr" == *" 200 5 "*"ms $name" ]]
}

@test "--spool: 401 and 400 delete the request, 503 and 500 leave it in new/ for replay" {
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	for pair in 77:0 65:0 75:1 70:1; do
		rm -rf "$BATS_TEST_TMPDIR/spool"
		EXIT_WITH=${pair%%:*} asc-http -q --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request" >/dev/null
		assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" "${pair##*:}"
		assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/cur" | wc -l)" 0
	done
}

# Runs asc-http under strace, which notes (with the paths of descriptors) its fsyncs,
# renames, execs and writes in $BATS_TEST_TMPDIR/trace; the answer goes to $BATS_TEST_TMPDIR/answer.
traced_http() {
	# LeakSanitizer cannot run under ptrace (make sanitize): memory errors are still checked.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} strace -f -qq -y -s 24 \
		-e trace=fsync,fdatasync,syncfs,rename,execve,write -e signal=none \
		-o "$BATS_TEST_TMPDIR/trace" "$ASCBELL_BIN/asc-http" -q "$@" >"$BATS_TEST_TMPDIR/answer"
}

# The line number in the trace of the first line matching the extended regex $1 (fails
# when there is none).
trace_line() {
	local n
	n=$(grep -nE -m1 -- "$1" "$BATS_TEST_TMPDIR/trace" | cut -d: -f1)
	[ -n "$n" ] || { echo "not in the trace: $1" >&2; cat "$BATS_TEST_TMPDIR/trace" >&2; return 1; }
	echo "$n"
}

@test "--spool with a COMMAND: the request and new/ are fsync'd before the command runs" {
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	traced_http --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	head -n 1 "$BATS_TEST_TMPDIR/answer" | grep -qxF $'HTTP/1.1 200 OK\r'
	file=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/spool/tmp/[0-9.]+>\) += 0")
	dir=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/spool/new>\) += 0")
	handler=$(trace_line "execve\(\"$HANDLER\"")
	moved=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/spool/cur>\) += 0")
	answer=$(trace_line 'write\(1<[^>]*>, "HTTP/1.1 200')
	((file < dir && dir < handler && handler < moved && moved < answer))
}

# The built-in receiver's durability (asc-http(1), "Files on disk"): a 2xx rests on the
# notification (delivered, or fsync'd into the outbox), so the spool's copy is not synced;
# a request that stays in new/ for asc-replay is.
builtin_setup() {
	export ASC_WEBHOOK_SECRET=durable ASCBELL_ENV=/nonexistent ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	unset ASC_WEBHOOK_SECRET_FILE ASCBELL_OUTBOX ASCBELL_UNSENT ASCBELL_DEDUP_DIR ECHOBELL_URL_FILE
	signed_request / "$BATS_TEST_DIRNAME/fixtures/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
}

@test "built-in receiver, queued: 200 only after the outbox file and its new/ are fsync'd; the spool's copy is not synced" {
	builtin_setup
	export ECHOBELL_WEBHOOK_URL=http://127.0.0.1:9/t/never ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	traced_http --spool "$BATS_TEST_TMPDIR/spool" <"$BATS_TEST_TMPDIR/request"
	head -n 1 "$BATS_TEST_TMPDIR/answer" | grep -qxF $'HTTP/1.1 200 OK\r'
	file=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/outbox/tmp/[0-9.]+>\) += 0")
	dir=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/outbox/new>\) += 0")
	answer=$(trace_line 'write\(1<[^>]*>, "HTTP/1.1 200')
	((file < dir && dir < answer))
	run grep -c "sync.*<$BATS_TEST_TMPDIR/spool" "$BATS_TEST_TMPDIR/trace"
	assert_output 0
	assert_equal "$(ls "$BATS_TEST_TMPDIR/outbox/new" | wc -l)" 1
	assert_equal "$(ls "$BATS_TEST_TMPDIR/spool/cur" | wc -l)" 1
	cmp "$BATS_TEST_TMPDIR/spool/cur/"* "$BATS_TEST_TMPDIR/request"
}

@test "built-in receiver, Echobell unreachable and nowhere to keep it: the request and new/ are fsync'd before the 503" {
	builtin_setup
	export ECHOBELL_WEBHOOK_URL=http://127.0.0.1:$(free_port)/t/down
	traced_http --spool "$BATS_TEST_TMPDIR/spool" <"$BATS_TEST_TMPDIR/request"
	head -n 1 "$BATS_TEST_TMPDIR/answer" | grep -qxF $'HTTP/1.1 503 Service Unavailable\r'
	name=$(ls "$BATS_TEST_TMPDIR/spool/new")
	cmp "$BATS_TEST_TMPDIR/spool/new/$name" "$BATS_TEST_TMPDIR/request"
	file=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/spool/new/$name>\) += 0")
	dir=$(trace_line "fsync\([0-9]+<$BATS_TEST_TMPDIR/spool/new>\) += 0")
	answer=$(trace_line 'write\(1<[^>]*>, "HTTP/1.1 503')
	((file < dir && dir < answer))
}

@test "built-in receiver with ASCBELL_APPS_DIR: the app's file is read once per request (checked before the spool, used after)" {
	builtin_setup
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	echo ASC_APP_NAME=Mine >"$BATS_TEST_TMPDIR/apps/one.env"
	export ECHOBELL_WEBHOOK_URL=http://127.0.0.1:9/t/never ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	signed_request /one "$BATS_TEST_DIRNAME/fixtures/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} strace -f -qq -s 4096 -e trace=openat,open -e signal=none \
		-o "$BATS_TEST_TMPDIR/trace" "$ASCBELL_BIN/asc-http" -q \
		<"$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/answer"
	head -n 1 "$BATS_TEST_TMPDIR/answer" | grep -qxF $'HTTP/1.1 200 OK\r'
	run grep -c "\"$BATS_TEST_TMPDIR/apps/one.env\", O_RDONLY" "$BATS_TEST_TMPDIR/trace"
	assert_output 1
	grep -q '"app":{"id":"6447123456","name":"Mine"' "$BATS_TEST_TMPDIR/outbox/new/"*
}

@test "--spool that cannot be written: 503, and the handler does not run" {
	touch "$BATS_TEST_TMPDIR/file"
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	run --separate-stderr asc-http --spool "$BATS_TEST_TMPDIR/file/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 503 Service Unavailable\r'
	[ ! -e "$RECORD.body" ]
}

@test "--async: 202 as soon as the request is spooled; the handler finishes on its own" {
	cat >"$BATS_TEST_TMPDIR/slow" <<'EOS'
#!/bin/sh
sleep 3
cat >"$RECORD.body"
EOS
	chmod +x "$BATS_TEST_TMPDIR/slow"
	request 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nlater'
	start=$(date +%s%N)
	# (stderr goes to a file: the detached handler keeps it open, as it keeps socat's log)
	run sh -c '"$1" --async --spool "$2" -- "$3" <"$4" 2>>"$5"' sh "$ASCBELL_BIN/asc-http" \
		"$BATS_TEST_TMPDIR/spool" "$BATS_TEST_TMPDIR/slow" "$BATS_TEST_TMPDIR/request" "$BATS_TEST_TMPDIR/log"
	# Answered long before the 3 s handler could have finished.
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 2500 ]
	assert_line --index 0 $'HTTP/1.1 202 Accepted\r'
	for _ in $(seq 100); do [ -n "$(ls "$BATS_TEST_TMPDIR/spool/cur")" ] && break; sleep 0.1; done
	assert_equal "$(cat "$RECORD.body")" later
	run asc-http --async -- true
	assert_failure 64
}

@test "--handler-timeout kills the handler's whole process group: 503, request kept" {
	cat >"$BATS_TEST_TMPDIR/stuck" <<'EOS'
#!/bin/sh
sleep 30 &
echo $! >"$RECORD.child"
wait
EOS
	chmod +x "$BATS_TEST_TMPDIR/stuck"
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	run --separate-stderr asc-http --handler-timeout 0.5 --spool "$BATS_TEST_TMPDIR/spool" -- "$BATS_TEST_TMPDIR/stuck" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 503 Service Unavailable\r'
	[[ "$stderr" == *"took more than 0 s: stopped"* || "$stderr" == *"took more than 1 s: stopped"* ]]
	sleep 0.2
	! kill -0 "$(cat "$RECORD.child")" 2>/dev/null
	[ "$(ls "$BATS_TEST_TMPDIR/spool/new" | wc -l)" -eq 1 ]
}

@test "--cgi: the request from a CGI server's environment, answered with Status:" {
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" REQUEST_METHOD=POST PATH_INFO=/hooks/app QUERY_STRING= \
		CONTENT_LENGTH=5 CONTENT_TYPE=application/json HTTP_X_APPLE_SIGNATURE=hmacsha256=ab REMOTE_ADDR=192.0.2.7 REMOTE_PORT=4444 \
		"$ASCBELL_BIN/asc-http" --cgi --path /hooks -- "$HANDLER" <<<'hello'
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":200,"message":"delivered"}')"
	assert_equal "$(cat "$RECORD.body")" hello
	grep -qx 'HTTP_X_APPLE_SIGNATURE=hmacsha256=ab' "$RECORD.env"
	grep -qx 'REMOTE_ADDR=192.0.2.7' "$RECORD.env"
	grep -qx 'PATH_INFO=/app' "$RECORD.env"
	run env -i REQUEST_METHOD=POST CONTENT_LENGTH=3000000 "$ASCBELL_BIN/asc-http" -q --cgi -- "$HANDLER" </dev/null
	assert_line --index 0 $'Status: 413 Content Too Large\r'
}

@test "--allow: an allowed peer is served, another gets 403 before its body is read" {
	start_listener --allow 127.0.0.1/32 -- "$HANDLER"
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	rm -f "$RECORD.body"
	CONNECT_OPTIONS=,bind=127.0.0.2 send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 403
	[ ! -e "$RECORD.body" ]
}

@test "ASCBELL_ALLOW, and a CIDR range; a bad range is a usage error" {
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	SOCAT_PEERADDR=17.58.1.2 ASCBELL_ALLOW='17.0.0.0/8, 2620:149::/32' run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	SOCAT_PEERADDR=18.0.0.1 ASCBELL_ALLOW='17.0.0.0/8' run asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 403 Forbidden\r'
	SOCAT_PEERADDR=::ffff:17.1.1.1 run asc-http -q --allow 17.0.0.0/8 -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	run asc-http --allow 17.0.0.0/33 -- true
	assert_failure 64
}

@test "--trust-proxy: the client comes from X-Forwarded-For only when the peer is that proxy" {
	request 'POST / HTTP/1.1\r\nX-Forwarded-For: 10.9.9.9, 17.5.5.5\r\nContent-Length: 2\r\n\r\n{}'
	SOCAT_PEERADDR=127.0.0.1 run asc-http -q --allow 17.0.0.0/8 --trust-proxy 127.0.0.1 -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	grep -qx 'REMOTE_ADDR=17.5.5.5' "$RECORD.env"
	# The same header from a peer that is no trusted proxy changes nothing.
	SOCAT_PEERADDR=192.0.2.1 run asc-http -q --allow 17.0.0.0/8 --trust-proxy 127.0.0.1 -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 403 Forbidden\r'
}

@test "--apps-dir: a known app is served; unknown names, ../etc and odd characters are 404" {
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	touch "$BATS_TEST_TMPDIR/apps/myapp.env" "$BATS_TEST_TMPDIR/secret.env"
	for path in /hooks/myapp:200 /hooks/other:404 /hooks/..:404 /hooks/../secret:404 '/hooks/my%20app:404' /hooks/:404 /hooks/.:404; do
		request 'POST %s HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' "${path%:*}"
		run asc-http -q --path /hooks --apps-dir "$BATS_TEST_TMPDIR/apps" -- "$HANDLER" <"$BATS_TEST_TMPDIR/request"
		[[ "${lines[0]}" == "HTTP/1.1 ${path##*:} "* ]]
	done
}

@test "closed standard descriptors are reopened, so nothing lands on the wrong one" {
	request 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'
	run sh -c '"$1" -- "$2" <"$3" 2>&-' sh "$ASCBELL_BIN/asc-http" "$HANDLER" "$BATS_TEST_TMPDIR/request"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
}

@test "options: a bad --path, a bad timeout are 64; no COMMAND is the built-in receiver" {
	run asc-http </dev/null
	assert_success
	assert_line --index 0 $'HTTP/1.1 400 Bad Request\r'
	run asc-http --path hooks -- true
	assert_failure 64
	run asc-http --timeout 0 -- true
	assert_failure 64
}

@test "the handler gets ASCBELL_RECEIVED, the arrival in UTC; one already set (asc-replay's) is kept" {
	cat >"$BATS_TEST_TMPDIR/when" <<'EOS'
#!/bin/sh
cat >/dev/null
printf '%s' "$ASCBELL_RECEIVED" >"$RECORD.received"
EOS
	chmod +x "$BATS_TEST_TMPDIR/when"
	request 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'
	before=$(date -u +%s)
	unset ASCBELL_RECEIVED
	run --separate-stderr asc-http -- "$BATS_TEST_TMPDIR/when" <"$BATS_TEST_TMPDIR/request"
	after=$(date -u +%s)
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	received=$(cat "$RECORD.received")
	[[ "$received" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	seconds=$(date -u -d "$received" +%s)
	[ "$seconds" -ge "$before" ] && [ "$seconds" -le "$after" ]
	ASCBELL_RECEIVED=2026-03-07T10:02:30Z run --separate-stderr asc-http -- "$BATS_TEST_TMPDIR/when" <"$BATS_TEST_TMPDIR/request"
	assert_equal "$(cat "$RECORD.received")" 2026-03-07T10:02:30Z
}
