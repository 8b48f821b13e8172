#!/usr/bin/env bats
# The inetd-style launchers as shipped, with the real servers from Debian: socat
# (scripts/deploy/socat-plain.sh, socat-tls.sh) and xinetd (scripts/deploy/xinetd-ascbell).
# Each test generates its files FROM the shipped ones, changing only ports, paths and the
# user (nobody stands in for ascbell), so the files users copy are the files tested. The
# receiver's configuration is scripts/deploy/env.example with this test's paths.

load helpers/common

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"

setup() {
	ROOT="$BATS_TEST_TMPDIR/root"
	ETC="$ROOT/etc/ascbell"
	VAR="$ROOT/var/lib/ascbell"
	mkdir -p "$ETC" "$VAR"
	# The receiver runs as nobody: it must reach this test's files (bats makes the run's
	# directory 0700).
	chmod 711 "$BATS_RUN_TMPDIR"
	printf 'deploy secret\n' >"$ETC/webhook-secret"
	start_fake
	printf '%s\n' "$FAKE_URL" >"$ETC/echobell-url"
	# As the README says: credentials root:ascbell 0640, the state directory ascbell's.
	chgrp nogroup "$ETC/webhook-secret" "$ETC/echobell-url"
	chmod 640 "$ETC/webhook-secret" "$ETC/echobell-url"
	chown nobody:nogroup "$VAR"
	chmod 750 "$VAR"
	SERVER_PIDS=
}

teardown() {
	local pid
	for pid in $SERVER_PIDS; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	stop_fake
}

# The shipped env.example with this test's paths, in direct mode unless $1 is "queued".
write_env() {
	sed -e "s|/etc/ascbell|$ETC|g" -e "s|/var/lib/ascbell|$VAR|g" \
		$([ "${1:-}" = queued ] || echo "-e /^ASCBELL_OUTBOX=/d") \
		"$REPO/scripts/deploy/env.example" >"$ETC/env"
	chgrp nogroup "$ETC/env"
	chmod 640 "$ETC/env"
}

# A shipped file with this test's port, paths and user.
from_shipped() {
	sed -e "s|/usr/local/bin/asc-receiver|$REPO/scripts/asc-receiver|g" \
		-e "s|/usr/local/bin/|$ASCBELL_BIN/|g" \
		-e "s|/etc/ascbell|$ETC|g" -e "s|/var/lib/ascbell|$VAR|g" \
		-e "s|TCP-LISTEN:8080,|TCP-LISTEN:$PORT,|" \
		-e "s|OPENSSL-LISTEN:443,|OPENSSL-LISTEN:$PORT,bind=127.0.0.1,|" \
		-e "s|port        = 8080|port        = $PORT|" \
		-e "s|^user=ascbell$|user=nobody|" -e "s|user        = ascbell|user        = nobody|" \
		"$REPO/scripts/deploy/$1"
}

# A clean environment, as a service manager gives, with the programs on PATH (a command
# prefix, not a function: $! must be the server's own process).
CLEAN_ENV=(env -i PATH="$ASCBELL_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" LANG=C.UTF-8)

# Whether something listens on 127.0.0.1:$PORT (read from /proc: a probe connection would
# be a request in the log).
is_listening() {
	grep -q " $(printf '0100007F:%04X' "$PORT") 00000000:0000 0A " /proc/net/tcp
}

wait_listening() {
	for _ in $(seq 100); do
		is_listening && return 0
		sleep 0.05
	done
	return 1
}

# Runs the socat script $1 (generated from the shipped one) as root, as an init script
# would; at most two minutes.
start_socat_script() {
	PORT=$(free_port)
	from_shipped "$1" >"$BATS_TEST_TMPDIR/$1"
	# The part both scripts share, beside them as shipped.
	from_shipped socat-common.sh >"$BATS_TEST_TMPDIR/socat-common.sh"
	if [ "$1" = socat-tls.sh ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
			-subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
			-keyout "$ETC/key.pem" -out "$ETC/cert.pem" 2>/dev/null
		chmod 600 "$ETC/key.pem"
		CONNECT="OPENSSL:127.0.0.1:$PORT,cafile=$ETC/cert.pem"
		URL="https://127.0.0.1:$PORT/"
	else
		CONNECT="TCP:127.0.0.1:$PORT"
		URL="http://127.0.0.1:$PORT/"
	fi
	"${CLEAN_ENV[@]}" timeout 120 sh "$BATS_TEST_TMPDIR/$1" 2>>"$BATS_TEST_TMPDIR/server.log" 3>&- &
	SERVER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVER_PID"
	wait_listening
}

# A syslog daemon's socket for the programs started by run_with_syslog: datagrams to
# $BATS_TEST_TMPDIR/log.sock are appended to $SYSLOG, one per line.
start_syslog_sink() {
	SYSLOG="$BATS_TEST_TMPDIR/syslog"
	: >"$SYSLOG"
	timeout 120 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(8192).rstrip(b"\n") + b"\n")
' "$BATS_TEST_TMPDIR/log.sock" "$SYSLOG" 3>&- &
	SERVER_PIDS="$SERVER_PIDS $!"
	for _ in $(seq 100); do
		[ -S "$BATS_TEST_TMPDIR/log.sock" ] && break
		sleep 0.05
	done
	# Every user may log, as with a syslog daemon's /dev/log.
	chmod 666 "$BATS_TEST_TMPDIR/log.sock"
}

# Sends request file $1; the answer's bytes in $BATS_TEST_TMPDIR/answer.
send() {
	socat -t 15 - "$CONNECT" <"$1" >"$BATS_TEST_TMPDIR/answer"
}

# Passes when the answer is exactly: status $1 (reason $2) with the message $3.
assert_answer() {
	local body
	body=$(printf '{"status":%s,"message":"%s"}' "$1" "$3")
	printf 'HTTP/1.1 %s %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
		"$1" "$2" $((${#body} + 1)) "$body" >"$BATS_TEST_TMPDIR/expected"
	if ! cmp -s "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/answer"; then
		echo "expected:" && od -c "$BATS_TEST_TMPDIR/expected"
		echo "got:" && od -c "$BATS_TEST_TMPDIR/answer"
		return 1
	fi
}

# Payload $1 signed with the deployment's secret, posted to path $2 (default /); extra
# header lines in $HEADERS.
post() {
	local body=$1 signature
	signature=$(ASC_WEBHOOK_SECRET_FILE="$ETC/webhook-secret" asc-verify --sign <"$body")
	{
		printf 'POST %s HTTP/1.1\r\nHost: receiver.test\r\nContent-Type: application/json\r\n%s' "${2:-/}" "${HEADERS:-}"
		printf 'x-apple-signature: %s\r\nContent-Length: %d\r\n\r\n' "$signature" "$(wc -c <"$body")"
		cat "$body"
	} >"$BATS_TEST_TMPDIR/request"
	send "$BATS_TEST_TMPDIR/request"
}

# What every launcher must do in direct mode: a signed delivery reaches Echobell, a forged
# one gets a well-formed 401, an unknown event type and a duplicate a well-formed 200, and
# nothing is written as root.
check_direct_mode() {
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_answer 200 OK delivered
	assert_equal "$(fake_requests)" 1
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '❌ MyApp: Rejected'
	send "$FIXTURES/http/forged.http"
	assert_answer 401 Unauthorized 'signature missing or wrong'
	post "$FIXTURES/asc/unknown-future-event.json"
	assert_answer 200 OK delivered
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_answer 200 OK duplicate
	assert_equal "$(fake_requests)" 2
	assert_equal "$(stat -c %U "$VAR/spool/cur"/* "$VAR/dedup"/* | sort -u)" nobody
	# env.example's history: a line per answer, the forged one without its event, in a
	# file of the launcher's user (ascbell(7), HISTORY).
	run jq -c '[.answer, .outcome, .app, (.event | type)]' "$VAR"/history/*.jsonl
	assert_output '[200,"delivered",null,"object"]
[401,"forged","asc","null"]
[200,"delivered",null,"object"]
[200,"duplicate",null,"object"]'
	assert_equal "$(stat -c %U "$VAR"/history/*.jsonl | sort -u)" nobody
	refute_token "$(cat "$BATS_TEST_TMPDIR"/*.log 2>/dev/null)"
}

# The allow-list, set in the env file while the server runs: from now on only Apple.
check_allow_list() {
	printf 'ASCBELL_ALLOW=17.0.0.0/8\n' >>"$ETC/env"
	post "$FIXTURES/asc/build-beta-state.json"
	assert_answer 403 Forbidden 'not allowed from this address'
}

# Queued mode: answered "queued", delivered by the agent the launcher runs.
check_queued_mode() {
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_answer 200 OK queued
	wait_for_requests 1
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '❌ MyApp: Rejected'
	# Removed once sent: nothing left, nothing failed.
	for _ in $(seq 50); do
		[ -z "$(find "$VAR/outbox" -type f)" ] && break
		sleep 0.1
	done
	assert_equal "$(find "$VAR/outbox" -type f)" ""
}

@test "socat-plain.sh: signed, forged, unknown, duplicate; served as the user of su=, not root" {
	write_env
	start_socat_script socat-plain.sh
	check_direct_mode
	# GET /healthz through the same line.
	printf 'GET /healthz HTTP/1.1\r\n\r\n' >"$BATS_TEST_TMPDIR/healthz"
	send "$BATS_TEST_TMPDIR/healthz"
	assert_answer 200 OK ok
}

@test "socat-plain.sh: the allow-list in the env file holds (and a trusted proxy's client counts)" {
	write_env
	start_socat_script socat-plain.sh
	check_allow_list
	HEADERS=$'X-Forwarded-For: 17.58.1.2\r\n' post "$FIXTURES/asc/build-beta-state.json"
	assert_answer 200 OK delivered
	assert_equal "$(fake_requests)" 1
}

@test "socat-plain.sh, queued mode: the script starts the delivery agent, and stops it" {
	write_env queued
	start_socat_script socat-plain.sh
	check_queued_mode
	agent=$(pgrep -f "^$ASCBELL_BIN/echobell-send --watch $VAR/outbox\$")
	assert_equal "$(ps -o user= -p "$agent")" nobody
	kill "$SERVER_PID"
	wait "$SERVER_PID" || true
	for _ in $(seq 50); do
		kill -0 "$agent" 2>/dev/null || break
		sleep 0.1
	done
	run kill -0 "$agent"
	assert_failure
	run is_listening
	assert_failure
}

@test "socat-plain.sh: at most 64 connections served at once (max-children), the rest wait; no core files" {
	write_env
	start_socat_script socat-plain.sh
	listener=$(pgrep -f "^socat -t 15 TCP-LISTEN:$PORT,")
	run grep '^Max core file size' "/proc/$listener/limits"
	assert_output --regexp '^Max core file size +0 +0 +bytes'
	# 70 clients that connect and send nothing (asc-http waits 10 s for their requests).
	timeout 60 python3 -c 'import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(70)]
time.sleep(60)' "$PORT" 3>&- &
	SERVER_PIDS="$SERVER_PIDS $!"
	# socat serves 64 and leaves 6 in the listening socket's accept queue (for a listening
	# socket, /proc/net/tcp's rx_queue); without max-children it would take all 70 at once.
	for _ in $(seq 50); do
		served=$(ps -o pid= --ppid "$listener" | wc -l)
		queued=$(( 0x$(awk -v a="$(printf '0100007F:%04X' "$PORT")" '$2 == a && $4 == "0A" {split($5, q, ":"); print q[2]}' /proc/net/tcp) ))
		[ "$served" -eq 64 ] && [ "$queued" -eq 6 ] && break
		sleep 0.1
	done
	assert_equal "$served $queued" "64 6"
}

@test "socat-tls.sh: signed, forged, unknown, duplicate over TLS; asc-ping checks the certificate" {
	write_env
	start_socat_script socat-tls.sh
	check_direct_mode
	ASCBELL_CAFILE="$ETC/cert.pem" run "$REPO/scripts/asc-ping" -k "$ETC/webhook-secret" "$URL"
	assert_success
	assert_output "$(printf 'HTTP/1.1 200 OK\n{"status":200,"message":"delivered"}')"
	assert_equal "$(fake_requests)" 3
	# The listener alone stays root (it holds port 443 and the key): while a connection is
	# open, the socat process that serves it (TLS session, then the handler) is nobody's.
	listener=$(pgrep -f "^socat -t 15 OPENSSL-LISTEN:$PORT,")
	assert_equal "$(ps -o user= -p "$listener" | tr -d ' ')" root
	sleep 5 | socat - "$CONNECT" >/dev/null 2>&1 3>&- &
	client=$!
	for _ in $(seq 50); do
		[ -n "$(ps -o user= --ppid "$listener")" ] && break
		sleep 0.1
	done
	assert_equal "$(ps -o user= --ppid "$listener" | tr -d ' ' | sort -u)" nobody
	kill "$client"
}

@test "socat-tls.sh: the allow-list holds; queued mode delivered by the agent it starts" {
	write_env queued
	start_socat_script socat-tls.sh
	check_queued_mode
	check_allow_list
	assert_equal "$(fake_requests)" 1
}

# xinetd in the foreground with the shipped service; its own log to a file, the receiver's
# to syslog (the socket of start_syslog_sink).
start_xinetd() {
	PORT=$(free_port)
	{
		printf 'defaults\n{\n\tlog_type = FILE %s\n}\n' "$BATS_TEST_TMPDIR/xinetd.log"
		from_shipped xinetd-ascbell
	} >"$BATS_TEST_TMPDIR/xinetd.conf"
	CONNECT="TCP:127.0.0.1:$PORT"
	start_syslog_sink
	# In a mount namespace of its own, /dev is a copy whose log is the sink's socket: the
	# programs' syslog(3) reach it as they would reach a real daemon, and the machine's
	# /dev is left alone.
	mkdir -p "$BATS_TEST_TMPDIR/dev"
	"${CLEAN_ENV[@]}" timeout 120 unshare -m sh -c '
		dev=$1 sock=$2
		shift 2
		mount --rbind /dev "$dev" && mount -t tmpfs -o mode=755 ascbell-test-dev /dev || exit 1
		for n in null zero full random urandom; do
			: >"/dev/$n" && mount --bind "$dev/$n" "/dev/$n" || exit 1
		done
		ln -s /proc/self/fd /dev/fd && ln -s "$sock" /dev/log && exec "$@"
	' sh "$BATS_TEST_TMPDIR/dev" "$BATS_TEST_TMPDIR/log.sock" \
		xinetd -dontfork -f "$BATS_TEST_TMPDIR/xinetd.conf" 2>>"$BATS_TEST_TMPDIR/server.log" 3>&- &
	SERVER_PIDS="$SERVER_PIDS $!"
	wait_listening
}

@test "xinetd: signed, forged, unknown, duplicate; nothing but the answer on the wire, the log in syslog" {
	write_env
	start_xinetd
	check_direct_mode
	# The log lines, and the programs' messages, reached syslog (daemon.info = 30,
	# daemon.err = 27), not the client.
	grep -q '^<30>.* asc-http: 127\.0\.0\.1 POST / 200 [0-9]* [0-9]*ms [0-9.]*$' "$SYSLOG"
	grep -q '^<30>.* asc-http: 127\.0\.0\.1 POST /asc/hook 401 13 [0-9]*ms$' "$SYSLOG"
	grep -q '^<27>.* asc-http: error: signature mismatch ' "$SYSLOG"
	grep -q '^<28>.* asc-http: warning: event 9d4e2b71-0c6a-4f3e-8b15-7a2c9e0d6f43 was already notified: not again$' "$SYSLOG"
	refute_token "$(cat "$SYSLOG")"
}

@test "xinetd: the allow-list holds; queued mode delivered by the agent of ascbell-deliver.service" {
	write_env queued
	start_xinetd
	# The agent as the unit runs it: its ExecStart, its User, its EnvironmentFile.
	unit="$REPO/scripts/deploy/ascbell-deliver.service"
	agent=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s|/usr/local/bin/|$ASCBELL_BIN/|g" -e "s|/var/lib/ascbell|$VAR|g")
	[ "$(sed -n 's/^User=//p' "$unit")" = ascbell ]
	[ "$(sed -n 's/^EnvironmentFile=-*//p' "$unit")" = /etc/ascbell/env ]
	"${CLEAN_ENV[@]}" timeout 120 sh -c 'set -a; . "$1"; set +a; shift; exec setpriv --reuid=nobody --regid=nogroup --init-groups -- "$@"' \
		sh "$ETC/env" $agent 2>>"$BATS_TEST_TMPDIR/agent.log" 3>&- &
	SERVER_PIDS="$SERVER_PIDS $!"
	check_queued_mode
	check_allow_list
	HEADERS=$'X-Forwarded-For: 17.58.1.2\r\n' post "$FIXTURES/asc/build-beta-state.json"
	assert_answer 200 OK queued
	wait_for_requests 2
}
