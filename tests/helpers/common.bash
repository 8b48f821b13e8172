# Loaded by every test file: assertions, the programs under test, the fixtures.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# `make bats` points this at build/bin, `make sanitize` at the ASan build.
ASCBELL_BIN=${ASCBELL_BIN:-$(cd "$BATS_TEST_DIRNAME/../build/bin" && pwd)}
PATH="$ASCBELL_BIN:$PATH"
FIXTURES="$BATS_TEST_DIRNAME/fixtures"

# Under `make sanitize`, each test's reports go to files named after it (asc-http.12.asan.PID),
# so a report found at the end of the run says which test made it.
if [ -n "${ASCBELL_SANITIZE:-}" ] && [ -n "${BATS_TEST_NUMBER:-}" ]; then
	_san_name="$(basename "$BATS_TEST_FILENAME" .bats).$BATS_TEST_NUMBER"
	ASAN_OPTIONS=${ASAN_OPTIONS//\/asan:/\/$_san_name.asan:}
	UBSAN_OPTIONS=${UBSAN_OPTIONS//\/ubsan:/\/$_san_name.ubsan:}
	export ASAN_OPTIONS UBSAN_OPTIONS
fi

# Apple's documented example.
APPLE_SECRET='This is my secret'
APPLE_SIGNATURE='hmacsha256=7f062172b01cb00b53ca068614674a3d982a34062a0f5d37687d5e3377e54657'

# A file holding secrets, one per argument, readable by its owner alone.
secret_file() {
	local file
	file=$(mktemp "$BATS_TEST_TMPDIR/secret.XXXXXX")
	printf '%s\n' "$@" >"$file"
	chmod 600 "$file"
	printf '%s' "$file"
}

# The HMAC-SHA256 of a file under a secret, from the openssl command: an implementation
# independent of ours, to check ours against.
openssl_signature() {
	local secret=$1 file=$2
	printf 'hmacsha256=%s' "$(openssl dgst -sha256 -hmac "$secret" -r <"$file" | cut -d' ' -f1)"
}

# A fake Echobell (tests/helpers/fake-echobell) in $BATS_TEST_TMPDIR/$FAKE_NAME (default
# "fake"); its URL, with a token that must never show in a message, in $FAKE_URL. Arguments
# go to the fake. Every fake started is stopped by stop_fake.
FAKE_TOKEN=tok3n-S3CRET-9f8e7d
start_fake() {
	FAKE_DIR="$BATS_TEST_TMPDIR/${FAKE_NAME:-fake}"
	rm -rf "$FAKE_DIR"
	mkdir -p "$FAKE_DIR"
	"$BATS_TEST_DIRNAME/helpers/fake-echobell" "$FAKE_DIR" --lifetime 120 "$@" 3>&- &
	FAKE_PID=$!
	FAKE_PIDS="${FAKE_PIDS:-} $FAKE_PID"
	for _ in $(seq 100); do
		[ -s "$FAKE_DIR/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$FAKE_DIR/port")
	FAKE_URL="http://127.0.0.1:$FAKE_PORT/t/$FAKE_TOKEN"
}

stop_fake() {
	local pid
	for pid in ${FAKE_PIDS:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	FAKE_PIDS=
}

# How many requests the fake has seen (the file may be caught half written: read again).
fake_requests() {
	local n
	for _ in 1 2 3 4 5; do
		n=$(cat "$FAKE_DIR/requests" 2>/dev/null)
		[ -n "$n" ] && break
		[ -e "$FAKE_DIR/requests" ] || { n=0; break; }
		sleep 0.01
	done
	echo "${n:-0}"
}

# Waits (at most $2 tenths of a second, default 100) until the fake has seen $1 requests.
wait_for_requests() {
	local want=$1 tries=${2:-100}
	for _ in $(seq "$tries"); do
		[ "$(fake_requests)" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# Fails when the token appears anywhere in the given text.
refute_token() {
	if [[ "$1" == *"$FAKE_TOKEN"* ]]; then
		echo "the URL token leaked: $1" >&2
		return 1
	fi
}

# A TCP port that was free a moment ago.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# socat listening on 127.0.0.1:$LISTEN_PORT, running asc-http ARGS for each connection (the
# binary $ASC_HTTP, default the one under test); its
# log (asc-http's lines) in $BATS_TEST_TMPDIR/listener.log. Extra socat address options for
# the listening side may come in $LISTEN_OPTIONS (for the EXEC side in $LISTEN_EXEC_OPTIONS),
# and LISTEN_TYPE replaces TCP-LISTEN.
start_listener() {
	LISTEN_PORT=$(free_port)
	# -t: after the client half-closes, socat waits this long for the answer (its default,
	# half a second, would cut off any handler slower than that). backlog: socat's default
	# of 5 drops the SYNs of a burst of clients, who then wait a second for the retry.
	# LISTEN_WRAPPER: a command to run socat under (strace in the secret tests).
	${LISTEN_WRAPPER:-} socat -t "${LISTEN_LINGER:-15}" "${LISTEN_TYPE:-TCP-LISTEN}:$LISTEN_PORT,bind=127.0.0.1,reuseaddr,fork,backlog=128${LISTEN_OPTIONS:-}" \
		EXEC:"${ASC_HTTP:-$ASCBELL_BIN/asc-http} $*${LISTEN_EXEC_OPTIONS:-}" 2>>"$BATS_TEST_TMPDIR/listener.log" 3>&- &
	LISTENER_PID=$!
	for _ in $(seq 100); do
		socat -u /dev/null TCP:127.0.0.1:"$LISTEN_PORT" 2>/dev/null && break
		sleep 0.05
	done
}

# A listener started under LISTEN_WRAPPER: socat is the wrapper's child, stopped first so
# the wrapper (strace) sees it end; then the wrapper itself (or socat, when there was none).
stop_listener_traced() {
	[ -n "${LISTENER_PID:-}" ] || return 0
	pkill -TERM -P "$LISTENER_PID" 2>/dev/null || true
	kill "$LISTENER_PID" 2>/dev/null || true
	wait "$LISTENER_PID" 2>/dev/null || true
	LISTENER_PID=
}

stop_listener() {
	[ -n "${LISTENER_PID:-}" ] || return 0
	kill "$LISTENER_PID" 2>/dev/null || true
	wait "$LISTENER_PID" 2>/dev/null || true
	LISTENER_PID=
}

# Sends the raw request in file $1 to the listener; the answer lands in $ANSWER and its status
# code in $CODE. Extra socat options for the connecting side in $CONNECT_OPTIONS.
send_raw() {
	ANSWER=$(socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT${CONNECT_OPTIONS:-}" <"$1" | tr -d '\r')
	CODE=$(printf '%s\n' "$ANSWER" | head -n 1 | cut -d' ' -f2)
}

# A signed POST of body file $2 to path $1, as App Store Connect sends it, into file $3.
# The secret is $ASC_WEBHOOK_SECRET (or its file).
signed_request() {
	local path=$1 body=$2 out=$3 signature
	signature=$(asc-verify --sign <"$body")
	{
		printf 'POST %s HTTP/1.1\r\nHost: receiver.test\r\nContent-Type: application/json\r\n' "$path"
		printf 'x-apple-signature: %s\r\nContent-Length: %d\r\n\r\n' "$signature" "$(wc -c <"$body")"
		cat "$body"
	} >"$out"
}

# A fake App Store Connect API (tests/helpers/fake-asc-api) with a fresh ES256 key pair; sets
# the ASC_* variables asc-enrich reads, and $API_DIR.
start_fake_api() {
	API_DIR="$BATS_TEST_TMPDIR/api"
	mkdir -p "$API_DIR"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$API_DIR/AuthKey.p8" 2>/dev/null
	openssl pkey -in "$API_DIR/AuthKey.p8" -pubout -out "$API_DIR/public.pem"
	"$BATS_TEST_DIRNAME/helpers/fake-asc-api" "$API_DIR" "${1:-$API_DIR/public.pem}" --lifetime 120 3>&- &
	FAKE_PIDS="${FAKE_PIDS:-} $!"
	for _ in $(seq 100); do
		[ -s "$API_DIR/port" ] && break
		sleep 0.05
	done
	export ASC_KEY_ID=ABC123DEFG ASC_ISSUER_ID=57246542-96fe-1a63-e053-0824d011072a
	export ASC_PRIVATE_KEY_PATH="$API_DIR/AuthKey.p8" ASC_API_BASE="http://127.0.0.1:$(cat "$API_DIR/port")"
}

api_requests() {
	cat "$API_DIR/requests" 2>/dev/null || echo 0
}

# The receiver's shape, for the suites run once per shape (tests/receiver*.bats and their
# symlinks): the test file's name says which. "script": asc-http runs scripts/asc-receiver,
# which runs the filters; "builtin": asc-http's own in-process receiver, no COMMAND;
# "listen": the same built-in receiver in asc-http's long-running mode (--listen).
receiver_shape() {
	case $BATS_TEST_FILENAME in
	*-builtin.bats) echo builtin ;;
	*-listen.bats) echo listen ;;
	*) echo script ;;
	esac
}

# start_listener's counterpart for the listen shape: asc-http --listen ARGS on a free port,
# bounded by a lifetime; stop_listener stops it (timeout passes SIGTERM on: a drain).
start_long_running() {
	LISTEN_PORT=$(free_port)
	# -k: a server still there 20 s after its SIGTERM (stop_listener's, or the lifetime's) is
	# killed. Under make sanitize, LeakSanitizer at the exit of the long-running parent was
	# once seen spinning for good after "stopped" (cause not found; perhaps its tracer and
	# a process that no_core_dumps made not dumpable): the test must still end.
	timeout -k 20 "${LISTEN_LIFETIME:-300}" "${ASC_HTTP:-$ASCBELL_BIN/asc-http}" --listen "127.0.0.1:$LISTEN_PORT" "$@" \
		2>>"$BATS_TEST_TMPDIR/listener.log" 3>&- &
	LISTENER_PID=$!
	for _ in $(seq 100); do
		socat -u /dev/null TCP:127.0.0.1:"$LISTEN_PORT" 2>/dev/null && break
		sleep 0.05
	done
}

# asc-http's arguments that choose the handler in this shape (after its options).
receiver_handler_args() {
	if [ "$(receiver_shape)" = script ]; then
		printf '%s\n' -- "$BATS_TEST_DIRNAME/../scripts/asc-receiver"
	fi
}

# LeakSanitizer cannot run under ptrace: a program traced by strace in make sanitize runs
# with it off (the rest of ASan stays on). Put before the traced command: strace ...
# $TRACED_ENV echobell-send ...
TRACED_ENV=
[ -z "${ASAN_OPTIONS:-}" ] || TRACED_ENV="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"
