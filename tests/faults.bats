#!/usr/bin/env bats
# Faults: the whole receiver (socat, asc-http, asc-receiver and the programs; in
# faults-builtin.bats, a link to this file, socat and asc-http's built-in receiver; in
# faults-listen.bats, the long-running asc-http) under load, with
# an Echobell that fails the way a real one can, processes killed at random, a full disk and
# a stalled Echobell. What counts is what reached the fake Echobell: every event notified
# exactly once (counted by event id), after the recovery an operator has: the agent, its
# restart, `echobell-send --flush`, `asc-replay`, and App Store Connect's own retry.
#
# The sizes come from the environment, the issue's figures by default:
#   FAULTS_DELIVERIES (1000)  FAULTS_CLIENTS (32)  FAULTS_KILLS (100)
#   FAULTS_KILL_DELIVERIES (450, sent over 10 s at least)  FAULTS_SEED (11)
# (under make sanitize, FAULTS_DELIVERIES defaults to 250: ASan programs are several times
# slower, and the suite runs every file).
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
	DELIVERIES=${FAULTS_DELIVERIES:-$([ -n "${ASCBELL_SANITIZE:-}" ] && echo 250 || echo 1000)}
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
	case $(receiver_shape) in
	builtin) start_listener --spool "$SPOOL" "$@" ;;
	# Workers enough for 32 clients while Echobell stalls some of them for seconds.
	listen) start_long_running --workers 16 --spool "$SPOOL" "$@" ;;
	*) start_listener --spool "$SPOOL" "$@" -- "$RECEIVER" ;;
	esac
}

# The process whose descendants the killer may kill: socat's children, or the long-running
# asc-http's workers (never that parent: it is the service, and systemd would restart it).
kill_root() {
	if [ "$(receiver_shape)" = listen ]; then
		pgrep -P "$LISTENER_PID" -x asc-http
	else
		echo "$LISTENER_PID"
	fi
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
	if [ -n "${KILLS_DONE:-}" ]; then
		window_doubles
		doubled="$doubled ($in_window extra POSTs in the documented windows, $outside outside them)"
	fi
	line="$scenario: $(wc -l <"$LOAD_DIR/ids") sent, delivered $delivered, lost $lost, doubled $doubled, $((SECONDS - STARTED)) s${FIGURES_EXTRA:-}"
	echo "# $line" >&3
	[ -z "${FAULTS_FIGURES:-}" ] || echo "$line" >>"$FAULTS_FIGURES"
	echo "$line"
	if [ -n "${KILLS_DONE:-}" ]; then
		assert_equal "$lost $outside" "0 0"
	else
		assert_equal "$lost $doubled" "0 0"
	fi
	# Nothing else notified, and nothing left behind: no request waiting in new/, nothing
	# rejected (failed/) or still waiting in the outbox or the unsent spool.
	assert_equal "$(jq -r .id "$FAKE_DIR/notified" | grep -vxF -f "$LOAD_DIR/ids")" ''
	assert_equal "$(find "$SPOOL/new" "$OUTBOX" "$ASCBELL_UNSENT" -type f 2>/dev/null)" ''
}

# Doubles after SIGKILLs, told apart ($in_window, $outside): a kill in one of the two
# windows that echobell-send(1) and ascbell(7) document makes a second POST of an event, and
# nothing but Echobell itself could close them:
# - the agent killed while Echobell had the message, or its 2xx was on the way back, cannot
#   know it was sent and sends it again after its restart. Such a copy is the last request
#   on its connection; a copy after which the agent went on to the next message on the same
#   connection had been answered and recorded, and sending it again is a fault;
# - a handler killed after its message was queued and before the event's marker was done:
#   App Store Connect's retry (or the replay) queues the event again. Only an event whose
#   first delivery was not answered 2xx (its handler was killed) can be in this window.
# (Every request is answered 200 here, so request N's body is line N of the fake's bodies.)
window_doubles() {
	awk '!seen[$1]++ && $2 !~ /^2/ {print $1}' "$LOAD_DIR/answers" | sed 's/\.http$//' |
		awk 'NR == FNR {killed[$1 + 1] = 1; next} FNR in killed' - "$LOAD_DIR/ids" >"$BATS_TEST_TMPDIR/killed-ids"
	paste -d' ' "$FAKE_DIR/connlog" <(jq -r .id "$FAKE_DIR/bodies") | sort -n |
		awk 'NR == FNR {killed[$1] = 1; next}
		{ conn[$1] = $2; id[$1] = $3; last_on[$2] = $1 + 0; copies[$3]++; last_copy[$3] = $1 + 0 }
		END {
			for (n in id)
				if (copies[id[n]] > 1 && n + 0 != last_copy[id[n]]) {
					if (last_on[conn[n]] > n + 0 && !(id[n] in killed)) outside++
					else in_window++
				}
			print in_window + 0, outside + 0
		}' "$BATS_TEST_TMPDIR/killed-ids" - >"$BATS_TEST_TMPDIR/doubles"
	read -r in_window outside <"$BATS_TEST_TMPDIR/doubles"
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

# The agent under a supervisor that starts it again whenever it dies, as its service's
# Restart= does (bounded: 1,000 starts); $AGENT_PID is the supervisor.
start_supervised_agent() {
	(
		for _ in $(seq 1000); do
			[ -e "$BATS_TEST_TMPDIR/agent.stop" ] && break
			echobell-send --watch "$OUTBOX" --schedule 1,1,1,2,2,2,2,2,2,2 --retries 1 \
				--retry-max-time 2 --timeout 2 --rescan 1 2>>"$BATS_TEST_TMPDIR/agent.log" || true
		done
	) 2>/dev/null 3>&- &
	AGENT_PID=$!
}

stop_supervised_agent() {
	touch "$BATS_TEST_TMPDIR/agent.stop"
	kill -TERM $(pgrep -P "$AGENT_PID") 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}

@test "100 SIGKILLs at random moments (handler, asc-http, agent), queued mode: none lost, none doubled outside the documented windows" {
	local want=${FAULTS_KILLS:-100}
	# Under make sanitize, without leak checks here: LeakSanitizer checks a program at its
	# exit from a tracer, a process of its own with the program's name, which the killer
	# may pick. Killed, it leaves the program spinning in sched_yield() for good (seen:
	# three such asc-verify and echobell-send, a third of a core each, to the end of the
	# run). The other ASan and UBSan checks stay on.
	[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
	use_state "$BATS_TEST_TMPDIR/state"
	export ASCBELL_OUTBOX=$OUTBOX
	start_fake --lifetime 600
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries "${FAULTS_KILL_DELIVERIES:-450}"
	start_receiver --handler-timeout 60
	start_supervised_agent
	# Spread over 10 s at least: the kills (about 20 ms apart) all fall while deliveries
	# come, however fast the receiver's shape serves them.
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --clients "$CLIENTS" --timeout 120 --pace 10 &
	load=$!
	kinds=handler,asc-http,agent
	[ "$(receiver_shape)" = script ] || kinds=asc-http,agent
	"$BATS_TEST_DIRNAME/helpers/killer" "$want" "$SEED" --listener "$(kill_root)" \
		--agent-parent "$AGENT_PID" --while "$load" --kinds "$kinds" >"$BATS_TEST_TMPDIR/killed"
	wait "$load"
	stop_supervised_agent
	FIGURES_EXTRA=", SIGKILLs: $(paste -sd' ' "$BATS_TEST_TMPDIR/killed" | sed 's/\([0-9]\) /\1, /g')"
	FIGURES_EXTRA="$FIGURES_EXTRA; answers: $(awk '{print $2}' "$LOAD_DIR/answers" | tally)"
	KILLS_DONE=1
	recover
	assert_equal "$(awk '{n += $2} END {print n}' "$BATS_TEST_TMPDIR/killed")" "$want"
	assert_each_once "queued, SIGKILLs"
}

# "3 x, 2 y" from lines x x x y y.
tally() {
	sort | uniq -c | awk '{s = s (NR > 1 ? ", " : "") $1 " " $2} END {print s}'
}

# Brings the filesystem at $DISK to $1 free pages of 4 KiB (tmpfs counts whole pages).
leave_free_pages() {
	dd if=/dev/zero bs=4096 count=100000 >>"$DISK/fill" 2>/dev/null || true
	[ "$1" -eq 0 ] || truncate -s "-$(($1 * 4096))" "$DISK/fill"
}

@test "a full spool filesystem: 503 and never 2xx; when space returns, every event notified once" {
	DISK="$BATS_TEST_TMPDIR/disk"
	mkdir -p "$DISK"
	if ! out=$(mount -t tmpfs -o size=1m,mode=0700 ascbell-faults "$DISK" 2>&1); then
		DISK=
		skip "a tmpfs cannot be mounted here ($out)"
	fi
	use_state "$DISK/state"
	export ASCBELL_OUTBOX=$OUTBOX
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries 20
	start_receiver
	# The first delivery while there is room: the directories exist, as on a running receiver.
	echo 00000.http >"$LOAD_DIR/first"
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --only "$LOAD_DIR/first"
	assert_equal "$(cat "$LOAD_DIR/answers")" "00000.http 200"
	# Full, then with room for one, two or three pages: the request, the message, the
	# marker each need some. Whatever fails is 503, and a 2xx only for what was kept whole.
	for step in $(seq 1 19); do
		free=$(((step - 1) / 5))
		leave_free_pages "$free"
		printf '%05d.http\n' "$step" >"$LOAD_DIR/one"
		"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --only "$LOAD_DIR/one"
		answer=$(tail -n 1 "$LOAD_DIR/answers" | cut -d' ' -f2)
		echo "free pages $free: $answer"
		if [ "$free" -eq 0 ]; then
			assert_equal "$answer" 503
		else
			assert_regex "$answer" '^(200|503)$'
		fi
	done
	FIGURES_EXTRA=", answers while full or nearly: $(tail -n 19 "$LOAD_DIR/answers" | awk '{print $2}' | tally)"
	# Space returns: App Store Connect's retries, the replay and the agent deliver the rest.
	rm -f "$DISK/fill"
	recover
	assert_each_once "full spool filesystem"
}

@test "Echobell stalled, handler deadline 2 s: App Store Connect is answered 503, and each event is notified once later" {
	use_state "$BATS_TEST_TMPDIR/state"
	start_fake --script stall --lifetime 600
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries 8
	start_receiver --handler-timeout 2
	# The client's own bound (20 s) is only there to end the test: the deadline is asc-http's.
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --timeout 20
	assert_equal "$(awk '{print $2}' "$LOAD_DIR/answers" | sort | uniq -c | awk '{print $1, $2}')" "8 503"
	# Kept for the replay, nothing notified yet.
	assert_equal "$(ls "$SPOOL/new" | wc -l)" 8
	assert_equal "$(cat "$FAKE_DIR/notified" 2>/dev/null)" ''
	recover
	assert_each_once "stalled Echobell, handler killed at its deadline"
}

@test "Echobell stalled, handler deadline 30 s: App Store Connect is answered 200 (kept), and each event is notified once later" {
	use_state "$BATS_TEST_TMPDIR/state"
	start_fake --script stall --lifetime 600
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	make_deliveries 8
	LISTEN_LINGER=40 start_receiver --handler-timeout 30
	"$LOAD" send "$LOAD_DIR" "$LISTEN_PORT" --timeout 60
	# Direct mode's own retry budget (asc-receiver: --timeout 3 --retry-max-time 5) ends
	# well before the deadline: the message is kept in the unsent spool.
	assert_equal "$(awk '{print $2}' "$LOAD_DIR/answers" | sort | uniq -c | awk '{print $1, $2}')" "8 200"
	assert_equal "$(ls "$ASCBELL_UNSENT/new" | wc -l)" 8
	recover
	assert_each_once "stalled Echobell, message kept"
}
