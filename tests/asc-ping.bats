#!/usr/bin/env bats
# asc-ping against a server that answers with a chunked body (Python's http.server, as a
# proxy or another receiver may answer): the body is printed decoded, never chunk sizes.

load helpers/common

PING="$BATS_TEST_DIRNAME/../scripts/asc-ping"

setup() {
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'ping secret')
}

teardown() {
	[ -z "${SERVER_PID:-}" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }
}

# An HTTP/1.1 server that reads the request, then answers status $1 with the raw chunked
# body $2 (Python escapes allowed), and stops after one request or a minute.
start_chunked_server() {
	PORT=$(free_port)
	timeout 60 python3 -c '
import http.server, sys
status, chunks = int(sys.argv[2]), sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        with open(sys.argv[4], "wb") as f:
            f.write(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(chunks)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).handle_request()
' "$PORT" "$1" "$2" "$BATS_TEST_TMPDIR/received" 3>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		grep -q " $(printf '0100007F:%04X' "$PORT") 00000000:0000 0A " /proc/net/tcp && return 0
		sleep 0.05
	done
	return 1
}

@test "a chunked answer: the body decoded (chunks joined, extensions and trailers ignored)" {
	start_chunked_server 200 '10\r\n{"status":200,"m\r\n6;name=value\r\nessage\r\n0e\r\n":"delivered"}\r\n0\r\nX-Trailer: t\r\n\r\n'
	run --separate-stderr "$PING" "http://127.0.0.1:$PORT/hooks"
	assert_success
	assert_output "$(printf 'HTTP/1.1 200 OK\n{"status":200,"message":"delivered"}')"
	# What it posted is a signed ping.
	run asc-verify -s "$(asc-verify --sign <"$BATS_TEST_TMPDIR/received")" <"$BATS_TEST_TMPDIR/received"
	assert_success
	[[ "$output" == '{"data":{"type":"webhookPingCreated",'* ]]
}

@test "a chunked error answer: decoded, and a failure" {
	start_chunked_server 401 '36\r\n{"status":401,"message":"signature missing or wrong"}\n\r\n0\r\n\r\n'
	run --separate-stderr "$PING" "http://127.0.0.1:$PORT/"
	assert_failure 1
	assert_output "$(printf 'HTTP/1.1 401 Unauthorized\n{"status":401,"message":"signature missing or wrong"}')"
}

@test "a malformed or cut short chunked answer: an error, exit 65" {
	start_chunked_server 200 'zz\r\n{}\r\n0\r\n\r\n'
	run --separate-stderr "$PING" "http://127.0.0.1:$PORT/"
	assert_failure 65
	assert_equal "$stderr" 'asc-ping: error: the chunked answer is malformed or cut short'
	wait "$SERVER_PID" || true
	start_chunked_server 200 '40\r\n{"status":200}'
	run --separate-stderr "$PING" "http://127.0.0.1:$PORT/"
	assert_failure 65
	assert_equal "$stderr" 'asc-ping: error: the chunked answer is malformed or cut short'
}
