#!/usr/bin/env bats
# Faults: the whole receiver (socat, asc-http, asc-receiver and the programs) under load, with
# an Echobell that fails the way a real one can, processes killed at random, a full disk and
# a stalled Echobell. What counts is what reached the fake Echobell: every event notified
# exactly once (counted by event id), after the recovery an operator has: the agent, its
# restart, `echobell-send --flush`, `asc-replay`, and App Store Connect's own retry.
#
# The sizes come from the environment, the issue's figures by default:
#   FAULTS_DELIVERIES (1000)  FAULTS_CLIENTS (32)  FAULTS_KILLS (100)
#   FAULTS_KILL_DELIVERIES (300)  FAULTS_SEED (11)
# Each scenario's figures (delivered, lost, doubled, seconds) go to the TAP output and, when
# FAULTS_FIGURES names a file, are appended to it.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"
REPLAY="$BATS_TEST_DIRNAME/../scripts/asc-replay"
LOAD="$BATS_TEST_DIRNAME/helpers/load-client"

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_OUTBOX ECHOBELL_ESCALATION_URL_FILE \
		ECHOBELL_URL_FILE ASC_WEBHOOK_SECRET ASCBELL_DRY_RUN ASC_KEY_ID
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'faults secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	STATE=${STATE:-$BATS_TEST_TMPDIR/state}
	DELIVERIES=${FAULTS_DELIVERIES:-1000}
	CLIENTS=${FAULTS_CLIENTS:-32}
	SEED=${FAULTS_SEED:-11}
	STARTED=$SECONDS
}

teardown() {
	stop_agent
	stop_listener
	stop_fake
	if [ -n "${DISK:-}" ]; then
		umount "$DISK" 2>/dev/null || umount -l "$DISK" 2>/dev/null || true
	fi
}

# The receiver's directories under $1: the request spool, the outbox (queued mode), the
# unsent spool (direct mode) and the de-duplication markers, which are on in every scenario.
use_state() {
	STATE=$1
	SPOOL="$STATE/spool"
	export ASCBELL_UNSENT="$STATE/unsent" ASCBELL_DEDUP_DIR="$STATE/dedup"
	OUTBOX="$STATE/outbox"
}

start_receiver() {
	start_listener --spool "$SPOOL" "$@" -- "$RECEIVER"
}

# The delivery agent, as its service runs it, with a short schedule for the test's sake.
start_agent() {
	echobell-send --watch "$OUTBOX" --schedule 1,1,1,2,2,2,2,2,2,2 --retries 1 --retry-max-time 2 \
		--timeout 2 --rescan 1 2>>"$BATS_TEST_TMPDIR/agent.log" 3>&- &
	AGENT_PID=$!
}

stop_agent() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

# $1 signed deliveries with event ids of their own, from every fixture, in $LOAD_DIR.
make_deliveries() {
	LOAD_DIR="$BATS_TEST_TMPDIR/load"
	"$LOAD" make "$LOAD_DIR" "$1" "$ASC_WEBHOOK_SECRET_FILE" "$FIXTURES"/asc/*.json "$FIXTURES"/asc-more/*.json
}

# App Store Connect sending them all, $CLIENTS at a time.
send_all() {
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --clients "$CLIENTS" --timeout 120
}

# App Store Connect's retry: every delivery whose last answer was not 2xx is sent again.
retry_failed() {
	awk '{last[$1] = $2} END {for (n in last) if (last[n] !~ /^2/) print n}' "$LOAD_DIR/answers" >"$LOAD_DIR/retry"
	[ -s "$LOAD_DIR/retry" ] || return 0
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --clients "$CLIENTS" --timeout 120 --only "$LOAD_DIR/retry"
}

# Waits (bounded: 60 s) until the directory $1 holds no file in new/ and cur/.
wait_drained() {
	for _ in $(seq 600); do
		[ -z "$(find "$1/new" "$1/cur" -type f 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# The recovery after a bad day: Echobell answers again, App Store Connect retries what it
# was not answered 2xx, the spooled requests are replayed, the agent empties the outbox and
# what direct mode kept is flushed.
recover() {
	echo 200 >"$FAKE_DIR/mode"
	retry_failed
	"$REPLAY" "$SPOOL" "$RECEIVER" 2>>"$BATS_TEST_TMPDIR/replay.log" || true
	if [ -d "$OUTBOX" ]; then
		[ -n "${AGENT_PID:-}" ] || start_agent
		wait_drained "$OUTBOX" || true
		stop_agent
		echobell-send --flush "$OUTBOX" 2>>"$BATS_TEST_TMPDIR/flush.log" || true
	fi
	if [ -d "$ASCBELL_UNSENT" ]; then
		echobell-send --flush "$ASCBELL_UNSENT" 2>>"$BATS_TEST_TMPDIR/flush.log" || true
	fi
}

# Counts, by event id, what Echobell notified against what App Store Connect sent; prints
# and records the figures, then fails unless each event was notified exactly once.
assert_each_once() {
	local scenario=$1 notified="$BATS_TEST_TMPDIR/notified-ids" delivered lost doubled line
	jq -r .id "$FAKE_DIR/notified" 2>/dev/null | sort >"$notified" || true
	delivered=$(sort -u "$notified" | comm -12 - <(sort "$LOAD_DIR/ids") | wc -l)
	lost=$(sort "$LOAD_DIR/ids" | comm -23 - <(sort -u "$notified") | wc -l)
	doubled=$(uniq -d "$notified" | wc -l)
	line="$scenario: $(wc -l <"$LOAD_DIR/ids") sent, delivered $delivered, lost $lost, doubled $doubled, $((SECONDS - STARTED)) s${FIGURES_EXTRA:-}"
	echo "# $line" >&3
	[ -z "${FAULTS_FIGURES:-}" ] || echo "$line" >>"$FAULTS_FIGURES"
	echo "$line"
	assert_equal "$lost $doubled" "0 0"
	# Nothing else notified, and nothing left behind: no request waiting in new/, nothing
	# rejected (failed/) or still waiting in the outbox or the unsent spool.
	assert_equal "$(jq -r .id "$FAKE_DIR/notified" | grep -vxF -f "$LOAD_DIR/ids")" ''
	assert_equal "$(find "$SPOOL/new" "$OUTBOX" "$ASCBELL_UNSENT" -type f 2>/dev/null)" ''
}

@test "queued mode, Echobell flaky (503 20%, stalls 5%): every event notified exactly once" {
	use_state "$BATS_TEST_TMPDIR/state"
	export ASCBELL_OUTBOX=$OUTBOX
	start_fake --flaky "$SEED" --stall 10 --lifetime 600
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries "$DELIVERIES"
	start_receiver --handler-timeout 60
	start_agent
	send_all
	# Queued: every delivery is answered 200 "queued", whatever Echobell does.
	assert_equal "$(awk '$2 != 200' "$LOAD_DIR/answers")" ''
	recover
	assert_each_once "queued, flaky Echobell"
}

@test "direct mode, Echobell flaky (503 20%, stalls 5%): every event notified exactly once" {
	use_state "$BATS_TEST_TMPDIR/state"
	start_fake --flaky "$SEED" --stall 10 --lifetime 600
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries "$DELIVERIES"
	LISTEN_LINGER=120 start_receiver --handler-timeout 60
	send_all
	# Direct: delivered, or kept in the unsent spool; 200 either way.
	assert_equal "$(awk '$2 != 200' "$LOAD_DIR/answers")" ''
	FIGURES_EXTRA=", $(ls "$ASCBELL_UNSENT/new" 2>/dev/null | wc -l) kept for --flush"
	recover
	assert_each_once "direct, flaky Echobell"
}
