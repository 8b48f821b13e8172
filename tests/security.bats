#!/usr/bin/env bats
# Secrets: the webhook secret, the Echobell URL's token and the App Store Connect API key
# never show in any process's argv, in any log line or error message, or in a file of ours
# that others may read; and no process holding one can leave it in a core dump.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASC_KEY_ID
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z
	# Secrets of this test alone (other tests on the machine use the common ones), made of
	# letters no message is made of, so that even four of their bytes in a row are a leak.
	# Not X: mktemp's templates (asc-receiver.XXXXXX) are in argv, and XXXX came by chance.
	WEBHOOK_SECRET="QZWJ$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 0-9a-f QJZKVWQJZKVWQJZK)"
	FAKE_TOKEN="VKQZ$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 0-9a-f JZKVWQJZKVWQJZKV)"
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file "$WEBHOOK_SECRET")
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	SPOOL="$BATS_TEST_TMPDIR/spool"
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
}

teardown() {
	# KILL: an echobell-send waiting on a stalled Echobell would finish its POST first.
	[ -z "${PIDS:-}" ] || kill -KILL $PIDS 2>/dev/null || true
	[ -z "${PIDS:-}" ] || wait $PIDS 2>/dev/null || true
	stop_listener_traced
	stop_traced
	stop_listener
	stop_fake
}

# The secrets to look for, each after the length of a piece of it that counts as a leak:
# four bytes of the webhook secret and of the token (letters that nothing else is made of),
# eight of any of the key's base64 lines (any one of them is part of the key; shorter pieces
# of base64 turn up by chance).
secrets_list() {
	printf '4 %s\n' "$WEBHOOK_SECRET" "$FAKE_TOKEN"
	[ -z "${API_DIR:-}" ] || grep -v -- '-----' "$API_DIR/AuthKey.p8" | sed 's/^/8 /'
}

# Fails, naming it, when a piece of a secret is in the files given.
refute_secrets() {
	local size secret i file
	while read -r size secret; do
		for ((i = 0; i + size <= ${#secret}; i++)); do
			for file in "$@"; do
				if grep -qF -- "${secret:i:size}" "$file"; then
					echo "part of a secret (${secret:0:4}..., bytes $i-$((i + size - 1))) in $file:" >&2
					grep -F -- "${secret:i:size}" "$file" >&2
					return 1
				fi
			done
		done
	done < <(secrets_list)
}

deliver_signed() {
	signed_request "${2:-/}" "$1" "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
}

# Runs "$@" in the background under strace, which writes the argv of every program that
# process and its descendants exec into $1 (strace's own file): every process is seen,
# however short its life. Its pid in $TRACED; stop_traced stops the program and strace.
TRACE_EXECS="strace -f -qq --seccomp-bpf -e trace=execve -e signal=none -s 65536 -o"
# LeakSanitizer cannot run under ptrace (it stops threads with it): under make sanitize the
# traced programs check memory errors but not leaks; the rest of the suite checks leaks.
[ -z "${ASAN_OPTIONS:-}" ] || TRACE_EXECS="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 $TRACE_EXECS"
start_traced() {
	local out=$1
	shift
	$TRACE_EXECS "$out" "$@" 3>&- &
	TRACED="${TRACED:-} $!"
}

stop_traced() {
	local pid
	for pid in ${TRACED:-}; do
		pkill -TERM -P "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	TRACED=
}

@test "argv: no secret in the command line of any process the receiver or the agent runs" {
	start_fake --script delay:1500
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_fake_api
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	LISTEN_WRAPPER="$TRACE_EXECS $BATS_TEST_TMPDIR/argv.receiver"
	start_traced "$BATS_TEST_TMPDIR/argv.agent" echobell-send --watch "$ASCBELL_OUTBOX"
	# Queued mode, every program of the receiver (the agent waits 1.5 s on each answer)...
	start_listener --spool "$SPOOL" -- "$RECEIVER"
	for payload in "$FIXTURES"/asc/feedback-screenshot.json "$FIXTURES"/asc/app-version-rejected.json \
		"$FIXTURES"/asc/build-upload-state.json "$FIXTURES"/asc/ping.json; do
		deliver_signed "$payload"
		assert_equal "$CODE" 200
	done
	stop_listener_traced
	# ...then direct mode: echobell-send itself talking to Echobell.
	unset ASCBELL_OUTBOX
	LISTEN_WRAPPER="$TRACE_EXECS $BATS_TEST_TMPDIR/argv.direct"
	start_listener --spool "$SPOOL" -- "$RECEIVER"
	deliver_signed "$FIXTURES/asc/app-version-state.json"
	assert_equal "$CODE" 200
	wait_for_requests 5 100
	stop_listener_traced
	stop_traced
	cat "$BATS_TEST_TMPDIR"/argv.* >"$BATS_TEST_TMPDIR/argv"
	# Every program was traced at its exec, with its whole argv.
	for prog in asc-http asc-verify asc-parse asc-enrich asc-render echobell-send; do
		grep -qE "execve\(\"[^\"]*/$prog\"" "$BATS_TEST_TMPDIR/argv" || { echo "$prog never run" >&2; return 1; }
	done
	grep -q -- '"--watch"' "$BATS_TEST_TMPDIR/argv"
	refute_secrets "$BATS_TEST_TMPDIR/argv"
}

@test "Echobell's error answers quoting the URL at every offset around the 200-byte cut: no part of the token shown" {
	local script= offset
	# The URL quoted after 0 to 230 bytes: the token before the cut, across it, after it.
	for offset in $(seq 0 230); do
		script="$script,quote:400:$offset"
	done
	start_fake --script "${script#,}"
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	for offset in $(seq 0 230); do
		echo '{"title":"t","body":"b"}' | echobell-send 2>>"$BATS_TEST_TMPDIR/errors" || echo "$?" >>"$BATS_TEST_TMPDIR/status"
	done
	assert_equal "$(fake_requests)" 231
	# Each one rejected (65) with Echobell's answer quoted, and its start in every message.
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/status")" 65
	assert_equal "$(grep -c 'HTTP 400: ' "$BATS_TEST_TMPDIR/errors")" 231
	refute_secrets "$BATS_TEST_TMPDIR/errors"
	# The agent's reasons and log too.
	script=
	for offset in $(seq 160 200); do
		script="$script,quote:400:$offset"
		echo '{"title":"t","body":"b"}' | echobell-send --queue "$BATS_TEST_TMPDIR/outbox"
	done
	echo "${script#,}" | tr , '\n' >"$BATS_TEST_TMPDIR/actions"
	stop_fake
	start_fake --script "$(paste -sd, "$BATS_TEST_TMPDIR/actions")"
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	echobell-send --watch "$BATS_TEST_TMPDIR/outbox" --rescan 1 2>>"$BATS_TEST_TMPDIR/agent.log" 3>&- &
	PIDS=$!
	for _ in $(seq 200); do
		[ "$(ls "$BATS_TEST_TMPDIR/outbox/failed" | grep -c '\.reason$')" -ge 41 ] && break
		sleep 0.05
	done
	assert_equal "$(ls "$BATS_TEST_TMPDIR/outbox/failed" | grep -c '\.reason$')" 41
	refute_secrets "$BATS_TEST_TMPDIR/agent.log" "$BATS_TEST_TMPDIR"/outbox/failed/*
}

@test "every log line and error message of a bad day: forged, refused, unreachable, API failing: no secret" {
	start_fake --script 503
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_fake_api
	echo 500 >"$API_DIR/mode"
	start_listener --spool "$SPOOL" -- "$RECEIVER"
	# Forged, then good ones while Echobell fails (kept) and the API fails (enrichError).
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	sed -i 's/REJECTED/ACCEPTED/' "$BATS_TEST_TMPDIR/request"
	send_raw "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 401
	deliver_signed "$FIXTURES/asc/feedback-screenshot.json"
	assert_equal "$CODE" 200
	# Echobell refusing the message: 400 from the receiver, with Echobell's answer logged.
	echo 404 >"$FAKE_DIR/mode"
	deliver_signed "$FIXTURES/asc/app-version-state.json"
	assert_equal "$CODE" 400
	# Unreachable, verbose, and a URL that is not allowed.
	stop_fake
	run -75 echobell-send -v --retries 0 <<<'{"title":"t"}'
	echo "$output" >"$BATS_TEST_TMPDIR/errors"
	run -78 env ECHOBELL_WEBHOOK_URL="http://example.com/t/$FAKE_TOKEN" echobell-send <<<'{"title":"t"}'
	echo "$output" >>"$BATS_TEST_TMPDIR/errors"
	run echobell-send --dry-run <<<'{"title":"t"}'
	echo "$output" >>"$BATS_TEST_TMPDIR/errors"
	assert_line --index 0 --regexp '^POST http://127\.0\.0\.1:[0-9]+/t/\*\*\*\*$'
	run -77 asc-verify -v -s "hmacsha256=$(printf '%064d' 0)" <<<'{}'
	echo "$output" >>"$BATS_TEST_TMPDIR/errors"
	grep -q 'asc-enrich' "$BATS_TEST_TMPDIR/listener.log"
	refute_secrets "$BATS_TEST_TMPDIR/listener.log" "$BATS_TEST_TMPDIR/errors" $(find "$SPOOL" "$ASCBELL_UNSENT" -type f)
}

@test "files we write: none holds a secret but make run's secret file, 0600 in a 0700 directory" {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_DEDUP_DIR="$BATS_TEST_TMPDIR/dedup"
	start_fake_api
	# No name configured: asc-enrich asks the API for it and keeps it in its cache.
	unset ASC_APP_NAME
	mkdir -p "$XDG_CACHE_HOME"
	start_listener --spool "$SPOOL" -- "$RECEIVER"
	deliver_signed "$FIXTURES/asc/feedback-screenshot.json"
	assert_equal "$CODE" 200
	deliver_signed "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$CODE" 200
	echo 503 >"$FAKE_DIR/mode"
	deliver_signed "$FIXTURES/asc/build-beta-state.json"
	assert_equal "$CODE" 200
	echo '{"title":"t"}' | echobell-send --queue "$BATS_TEST_TMPDIR/outbox"
	# The spool of requests, the unsent spool, the outbox, the markers and asc-enrich's cache
	# (app names; never the key, nor a JWT made from it) hold no secret at all.
	[ -n "$(ls "$XDG_CACHE_HOME"/ascbell/*)" ]
	[ -n "$(ls "$ASCBELL_UNSENT/new")" ]
	run grep -rl 'eyJhbGciOi' "$XDG_CACHE_HOME" "$SPOOL" "$ASCBELL_UNSENT" "$BATS_TEST_TMPDIR/outbox"
	assert_output ''
	refute_secrets $(find "$XDG_CACHE_HOME" "$SPOOL" "$ASCBELL_UNSENT" "$BATS_TEST_TMPDIR/outbox" "$ASCBELL_DEDUP_DIR" -type f)
	# make run's secret file: its owner's alone, in a directory of its owner's alone.
	export ASCBELL_VAR="$BATS_TEST_TMPDIR/var" PORT=$(free_port)
	unset ECHOBELL_WEBHOOK_URL ASC_WEBHOOK_SECRET_FILE ASCBELL_BIN
	(umask 000 && exec sh "$BATS_TEST_DIRNAME/../scripts/run-local") >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- &
	PIDS=$!
	for _ in $(seq 100); do
		[ -s "$ASCBELL_VAR/secret" ] && socat -u /dev/null TCP:127.0.0.1:"$PORT" 2>/dev/null && break
		sleep 0.05
	done
	assert_equal "$(stat -c %a "$ASCBELL_VAR/secret") $(stat -c %a "$ASCBELL_VAR")" "600 700"
}

# Runs COMMAND as nobody in the background ($PID): a process of root's can always be read,
# so only another user shows what PR_SET_DUMPABLE changes.
as_nobody() {
	# <&0: a background command would read /dev/null instead of the function's input.
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" <&0 3>&- &
	PID=$!
	PIDS="${PIDS:-} $PID"
}

# Notes in $BATS_TEST_TMPDIR/cores whether process $1 ($2 for the note) can leave a core:
# "no core" with RLIMIT_CORE 0, or when it is not dumpable (PR_SET_DUMPABLE 0: then
# /proc/PID/environ and its kin belong to root, not to the process's user); "CORE" otherwise.
note_core() {
	local limit owner verdict=CORE
	limit=$(awk '/^Max core file size/ {print $5}' "/proc/$1/limits")
	owner=$(stat -c %u "/proc/$1/environ")
	{ [ "$limit" = 0 ] || [ "$owner" = 0 ]; } && verdict='no core'
	echo "$verdict: $2 (core limit $limit, /proc/PID/environ owned by uid $owner)" >>"$BATS_TEST_TMPDIR/cores"
}

@test "core dumps: every process holding a secret can leave none (asc-verify, echobell-send, the agent, asc-enrich, asc-webhooks)" {
	# The files nobody must read, in directories it may pass through.
	d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	chown 65534:65534 "$ASC_WEBHOOK_SECRET_FILE"
	mkdir -m 0777 "$BATS_TEST_TMPDIR/nobody"
	ulimit -c unlimited
	start_fake --script stall
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	start_fake_api
	chown 65534:65534 "$ASC_PRIVATE_KEY_PATH"
	echo stall >"$API_DIR/mode"
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/nobody/cache"

	# The observation itself, on two processes of nobody's that say what they are: one that
	# made itself not dumpable, one left as it was.
	as_nobody /usr/bin/python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); print(1, flush=True); time.sleep(30)' >"$BATS_TEST_TMPDIR/nobody/ready"
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/nobody/ready" ] && break
		sleep 0.05
	done
	note_core "$PID" "control: prctl(PR_SET_DUMPABLE, 0)"
	as_nobody sleep 30
	note_core "$PID" "control: sleep"
	assert_equal "$(cut -d' ' -f1-4 "$BATS_TEST_TMPDIR/cores")" "$(printf 'no core: control: prctl(PR_SET_DUMPABLE,\nCORE: control: sleep (core')"
	: >"$BATS_TEST_TMPDIR/cores"

	# asc-verify, the secret loaded, waiting for the body.
	# (<> opens the fifo without waiting for a reader; the function's redirection would.)
	mkfifo "$BATS_TEST_TMPDIR/nobody/in"
	exec 5<>"$BATS_TEST_TMPDIR/nobody/in"
	as_nobody asc-verify -s "hmacsha256=$(printf %064d 0)" <"$BATS_TEST_TMPDIR/nobody/in" >/dev/null
	for _ in $(seq 100); do
		[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = asc-verify ] && [ "$(awk '{print $3}' "/proc/$PID/stat")" = S ] && break
		sleep 0.05
	done
	note_core "$PID" asc-verify
	exec 5>&-

	# echobell-send, waiting on Echobell with the URL.
	as_nobody echobell-send --timeout 30 --retries 0 <<<'{"title":"t"}'
	wait_for_requests 1
	note_core "$PID" echobell-send

	# The agent, idle with the URL.
	echo '{"title":"t"}' | echobell-send --queue "$BATS_TEST_TMPDIR/nobody/outbox"
	chown -R 65534:65534 "$BATS_TEST_TMPDIR/nobody/outbox"
	as_nobody echobell-send --watch "$BATS_TEST_TMPDIR/nobody/outbox" --timeout 30
	wait_for_requests 2
	note_core "$PID" "echobell-send --watch"

	# asc-enrich and asc-webhooks, waiting on the API with the key (and a JWT made with it).
	asc-parse <"$FIXTURES/asc/feedback-screenshot.json" >"$BATS_TEST_TMPDIR/nobody/event"
	as_nobody asc-enrich --timeout 30 <"$BATS_TEST_TMPDIR/nobody/event" >/dev/null
	for _ in $(seq 100); do
		[ "$(api_requests)" -ge 1 ] && break
		sleep 0.05
	done
	note_core "$PID" asc-enrich
	as_nobody asc-webhooks --timeout 30 list --app 6447123456 >/dev/null
	for _ in $(seq 100); do
		[ "$(api_requests)" -ge 2 ] && break
		sleep 0.05
	done
	note_core "$PID" asc-webhooks
	cat "$BATS_TEST_TMPDIR/cores"
	assert_equal "$(grep -c '^no core: ' "$BATS_TEST_TMPDIR/cores")" 5
}

@test "core dumps: every shipped systemd unit that runs our programs sets LimitCORE=0" {
	local units=0
	for unit in "$BATS_TEST_DIRNAME"/../scripts/deploy/*.service; do
		grep -qE '^ExecStart=.*/(asc-[a-z]+|echobell-send)( |$)' "$unit" || continue
		units=$((units + 1))
		grep -qx 'LimitCORE=0' "$unit" || { echo "no LimitCORE=0 in $unit" >&2; return 1; }
	done
	# The receiver's and the agent's units at least.
	[ "$units" -ge 2 ]
}
