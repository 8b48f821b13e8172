#!/usr/bin/env bats
# No program leaves its secrets in a core file (issue 11): each sets RLIMIT_CORE to 0 and
# makes itself non-dumpable as it starts. Proved on the running process, run as another
# user: /proc/PID/limits says 0, and the kernel hands /proc/PID/* of a non-dumpable process
# to root, so a process of the same user can no longer read its environment or memory.
# (The systemd units' LimitCORE=0 is checked under a real systemd in deploy-systemd.bats.)

load helpers/common
load helpers/ownership

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root, to run the programs as another user (nobody)"
	let_through "$BATS_TEST_TMPDIR"
	let_through "$ASCBELL_BIN"
	PIDS=
	# A pipe that stays open: each program waits on its standard input, early in its work.
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	exec 7<>"$BATS_TEST_TMPDIR/stdin"
}

teardown() {
	local pid
	for pid in $PIDS; do
		# KILL: echobell-send takes SIGTERM as "stop after this message", and waits on.
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	exec 7>&-
	stop_fake
}

# Starts "$@" as nobody, reading the pipe; $PID is the program itself (setpriv execs it).
start_as_nobody() {
	setpriv --reuid nobody --regid nogroup --clear-groups -- "$@" <&7 7>&- >/dev/null 2>&1 3>&- &
	PID=$!
	PIDS="$PIDS $PID"
}

# Waits (at most 5 s) until the process runs the named program, past setpriv's exec.
wait_for_exec() {
	for _ in $(seq 50); do
		[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Waits (at most 5 s) until the process has given up its core limit: what follows is
# judged on a program past its first lines of main.
wait_for_no_core() {
	for _ in $(seq 50); do
		grep -q '^Max core file size *0 *0 ' "/proc/$PID/limits" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

assert_no_dumps() {
	wait_for_no_core
	run grep '^Max core file size' "/proc/$PID/limits"
	assert_output --regexp '^Max core file size +0 +0 +bytes'
	assert_equal "$(stat -c %U "/proc/$PID/status")" root
	run setpriv --reuid nobody --regid nogroup --clear-groups -- cat "/proc/$PID/environ"
	assert_failure
	assert_output --partial 'Permission denied'
}

@test "the control: a program that does nothing about it is dumpable, and its environment readable" {
	start_as_nobody env SECRET=visible sleep 60
	wait_for_exec sleep
	assert_equal "$(stat -c %U "/proc/$PID/status")" nobody
	run setpriv --reuid nobody --regid nogroup --clear-groups -- cat "/proc/$PID/environ"
	assert_success
	assert_output --partial SECRET=visible
}

@test "asc-verify, asc-parse, asc-render, asc-enrich, asc-route, echobell-send, asc-http: no core, not dumpable" {
	start_as_nobody env ASC_WEBHOOK_SECRET=s3cret asc-verify
	assert_no_dumps
	for prog in asc-parse asc-render asc-enrich; do
		start_as_nobody "$prog" -q
		assert_no_dumps
	done
	printf 'https://hook.echobell.one/t/%s\n' "$FAKE_TOKEN" >"$BATS_TEST_TMPDIR/url"
	printf '{"routes": [{"name": "all", "urlFile": "%s"}]}\n' "$BATS_TEST_TMPDIR/url" >"$BATS_TEST_TMPDIR/routes.json"
	chmod 644 "$BATS_TEST_TMPDIR/url" "$BATS_TEST_TMPDIR/routes.json"
	start_as_nobody asc-route -q -f "$BATS_TEST_TMPDIR/routes.json"
	assert_no_dumps
	start_as_nobody env ECHOBELL_WEBHOOK_URL="http://127.0.0.1:1/t/$FAKE_TOKEN" echobell-send
	assert_no_dumps
	start_as_nobody asc-http -q -- /bin/true
	assert_no_dumps
}

@test "asc-webhooks, waiting for a stalled API with the key in its memory: no core, not dumpable" {
	start_fake_api
	echo stall >"$API_DIR/mode"
	start_as_nobody env ASC_PRIVATE_KEY="$(cat "$ASC_PRIVATE_KEY_PATH")" ASC_PRIVATE_KEY_PATH= asc-webhooks get wh-1
	assert_no_dumps
	# It really was waiting on the API, key loaded, not stopped at an error.
	run cat "$API_DIR/log"
	assert_output --partial 'GET /v1/webhooks/wh-1'
}

@test "the limit reaches what asc-http starts: the handler, and so every program after it" {
	cat >"$BATS_TEST_TMPDIR/handler" <<'EOS'
#!/bin/sh
grep '^Max core file size' /proc/self/limits >"$1"
EOS
	chmod 755 "$BATS_TEST_TMPDIR/handler"
	printf 'POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx' | asc-http -q -- "$BATS_TEST_TMPDIR/handler" "$BATS_TEST_TMPDIR/limit" >/dev/null
	run cat "$BATS_TEST_TMPDIR/limit"
	assert_output --regexp '^Max core file size +0 +0 +bytes'
}
