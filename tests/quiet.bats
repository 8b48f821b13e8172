#!/usr/bin/env bats
# Quiet hours (ascbell(7), QUIET HOURS): with the clock pinned ($ASCBELL_NOW), a receiver in
# queued mode holds what arrives during the window in the outbox (new/NAME,t=END) and lets
# errors through; the delivery agent sends the held messages at the window's end, in their
# order, never before. Both shapes of the receiver (scripts/asc-receiver and asc-http's
# built-in one) answer and queue alike; every bad spec is refused with 78.

load helpers/common

RECEIVER="$BATS_TEST_DIRNAME/../scripts/asc-receiver"

# 2026-01-15 23:30 in Berlin (CET): inside 22:00-07:00, which ends 2026-01-16 07:00 CET.
NIGHT=2026-01-15T22:30:00Z
END=1768543200 # 2026-01-16T06:00:00Z
MORNING=2026-01-16T06:00:00Z

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_DEDUP_DIR ECHOBELL_ESCALATION_URL_FILE ECHOBELL_URL_FILE \
		ASCBELL_EVENTS ASCBELL_TEMPLATES ASCBELL_DRY_RUN ASC_KEY_ID ASCBELL_UNSENT SOCAT_PEERADDR \
		ASCBELL_QUIET_HOURS ASCBELL_QUIET_ZONE ASCBELL_QUIET_BELOW
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=$NIGHT ASCBELL_RECEIVED=2026-01-15T22:29:58Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'quiet secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp ASCBELL_TZ=Europe/Berlin
	export ECHOBELL_WEBHOOK_URL=http://127.0.0.1:9/t/unused
}

teardown() {
	[ -z "${WATCHER_PID:-}" ] || { kill "$WATCHER_PID" 2>/dev/null; wait "$WATCHER_PID" 2>/dev/null; } || true
	stop_fake
}

# Sends fixture $2 (a name in tests/fixtures/asc) to the receiver of shape $1 (script or
# builtin) at path $3 (default /), inetd style; the answer's last line is appended to
# $BATS_TEST_TMPDIR/answers-$1, asc-http's log to log-$1.
deliver() {
	local shape=$1 handler=()
	[ "$shape" = script ] && handler=(-- "$RECEIVER")
	signed_request "${3:-/}" "$FIXTURES/asc/$2.json" "$BATS_TEST_TMPDIR/request"
	asc-http -q "${handler[@]}" <"$BATS_TEST_TMPDIR/request" 2>>"$BATS_TEST_TMPDIR/log-$shape" |
		tail -n 1 >>"$BATS_TEST_TMPDIR/answers-$shape"
}

# The night's four events: info, warning, error, success.
NIGHT_EVENTS="app-version-state feedback-crash app-version-rejected build-beta-state"

# Copies of the messages in outbox $1's new/, oldest first, as $BATS_TEST_TMPDIR/m.1, m.2...
# (the agent removes the originals).
save_messages() {
	local f n=0
	for f in "$1"/new/*; do
		n=$((n + 1))
		cp "$f" "$BATS_TEST_TMPDIR/m.$n"
	done
}

# The outbox's new/ as "NAME-SUFFIX" words (",t=END" or "-"), oldest first.
holds() {
	local f
	for f in $(ls "$1/new"); do
		case $f in
		*,*) printf '%s ' "${f#*,}" ;;
		*) printf -- '- ' ;;
		esac
	done
}

@test "during the window, both shapes hold all but the error in the outbox until the window ends" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=Europe/Berlin
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		for event in $NIGHT_EVENTS; do deliver $shape $event; done
		cat "$ASCBELL_OUTBOX"/new/* >"$BATS_TEST_TMPDIR/queued-$shape"
		assert_equal "$(holds "$ASCBELL_OUTBOX")" "t=$END t=$END - t=$END "
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-builtin")" \
		'{"status":200,"message":"held"}
{"status":200,"message":"held"}
{"status":200,"message":"queued"}
{"status":200,"message":"held"}'
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	run diff "$BATS_TEST_TMPDIR/queued-script" "$BATS_TEST_TMPDIR/queued-builtin"
	assert_success
}

@test "the agent sends the error at once, the held messages only at the window's end, in order" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=Europe/Berlin
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	for event in $NIGHT_EVENTS; do deliver builtin $event; done
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	save_messages "$ASCBELL_OUTBOX"
	m=$BATS_TEST_TMPDIR/m

	# A minute later, still night: only the error goes.
	ASCBELL_NOW=2026-01-15T22:31:00Z run --separate-stderr echobell-send --flush "$ASCBELL_OUTBOX"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(cat "$m.3")"
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '❌ MyApp: Rejected'
	assert_equal "$(holds "$ASCBELL_OUTBOX")" "t=$END t=$END t=$END "

	# One second before the end: still nothing.
	ASCBELL_NOW=2026-01-16T05:59:59Z run --separate-stderr echobell-send --flush "$ASCBELL_OUTBOX"
	assert_success
	assert_equal "$(fake_requests)" 1

	# 07:00 in Berlin: the three held ones, in the order they arrived, byte for byte.
	ASCBELL_NOW=$MORNING run --separate-stderr echobell-send --flush "$ASCBELL_OUTBOX"
	assert_success
	assert_equal "$(fake_requests)" 4
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(cat "$m.3" "$m.1" "$m.2" "$m.4")"
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies" | tr '\n' '|')" \
		'❌ MyApp: Rejected|🔔 MyApp: Waiting for Review|💥 MyApp: TestFlight crash report|✅ MyApp: Beta Approved|'
	assert_equal "$(ls -A "$ASCBELL_OUTBOX/new" "$ASCBELL_OUTBOX/failed" | grep -c .)" 2
}

@test "the delivery agent (--watch) with its clock at the window's end sends the held messages in order" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=Europe/Berlin
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	for event in app-version-state feedback-crash build-beta-state; do deliver script $event; done
	save_messages "$ASCBELL_OUTBOX"
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	ASCBELL_NOW=$MORNING timeout 60 echobell-send --watch "$ASCBELL_OUTBOX" --rescan 60 \
		2>>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHER_PID=$!
	wait_for_requests 3
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$(cat "$BATS_TEST_TMPDIR"/m.[123])"
}

@test "below: a warning goes at once when only what is below warning is held" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_BELOW=warning
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		for event in feedback-crash build-beta-state; do deliver $shape $event; done
		# No zone: ASCBELL_TZ's (Europe/Berlin).
		assert_equal "$(holds "$ASCBELL_OUTBOX")" "- t=$END "
	done
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	assert_equal "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/answers-builtin")" \
		'{"status":200,"message":"queued"} {"status":200,"message":"held"} '
}

@test "outside the window nothing is held" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_NOW=2026-01-15T20:59:59Z
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		deliver $shape app-version-state
		assert_equal "$(holds "$ASCBELL_OUTBOX")" "- "
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin" | sort -u)" \
		'{"status":200,"message":"queued"}'
}

@test "per app: quiet hours from the app's env file; another app, and one that empties them, are not held" {
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ASCBELL_QUIET_HOURS=23:00-06:30\nASCBELL_QUIET_ZONE=Asia/Tokyo\n' >"$BATS_TEST_TMPDIR/apps/tokyo.env"
	: >"$BATS_TEST_TMPDIR/apps/loud.env"
	printf 'ASCBELL_QUIET_HOURS=\n' >"$BATS_TEST_TMPDIR/apps/never.env"
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps"
	# 2026-01-16 00:00 in Tokyo, 01:00 in Berlin.
	export ASCBELL_NOW=2026-01-15T15:00:00Z
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		deliver $shape app-version-state /tokyo
		deliver $shape app-version-state /loud
		ASCBELL_QUIET_HOURS=00:00-12:00 deliver $shape app-version-state /never
		# Tokyo's 06:30 is 2026-01-15T21:30:00Z.
		assert_equal "$(holds "$ASCBELL_OUTBOX")" "t=1768512600 - - "
	done
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	assert_equal "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/answers-builtin")" \
		'{"status":200,"message":"held"} {"status":200,"message":"queued"} {"status":200,"message":"queued"} '
}

@test "the escalation channel gets an error at once during the window" {
	export ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	FAKE_NAME=escalation start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/escalation-url"
	export ECHOBELL_ESCALATION_URL_FILE="$BATS_TEST_TMPDIR/escalation-url"
	for shape in script builtin; do deliver $shape app-version-rejected; done
	assert_equal "$(fake_requests)" 2
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies" | sort -u)" '❌ MyApp: Rejected'
	assert_equal "$(holds "$ASCBELL_OUTBOX")" "- - "
}

# A bad spec in the environment: both shapes answer 500 (the request stays spooled for a
# replay once it is fixed) and say why; echobell-send --quiet-hours exits 78 with it.
refused() {
	local expected=$1 shape
	for shape in script builtin; do
		: >"$BATS_TEST_TMPDIR/answers-$shape"
		: >"$BATS_TEST_TMPDIR/log-$shape"
		ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape" deliver $shape app-version-state
		assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-$shape")" '{"status":500,"message":"internal error"}'
		assert_equal "$(grep -c "error: $expected" "$BATS_TEST_TMPDIR/log-$shape")" 1
		assert_equal "$(ls "$BATS_TEST_TMPDIR/outbox-$shape/new" 2>/dev/null)" ""
	done
	run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/outbox" --quiet-hours <<<'{"severity":"info"}'
	assert_failure 78
	assert_equal "$stderr" "echobell-send: error: $expected"
}

@test "bad specs are refused: a truncated window, hour 25, an unknown zone, a zone not UTF-8, a bad severity" {
	ASCBELL_QUIET_HOURS=22:00- refused \
		'ASCBELL_QUIET_HOURS: not a daily window like 22:00-07:00 (HH:MM-HH:MM, 24-hour clock): 22:00-'
	ASCBELL_QUIET_HOURS=25:00-07:00 refused \
		'ASCBELL_QUIET_HOURS: not a daily window like 22:00-07:00 (HH:MM-HH:MM, 24-hour clock): 25:00-07:00'
	ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=Mars/Olympus refused \
		'ASCBELL_QUIET_ZONE: not a time zone this machine knows: Mars/Olympus (an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)'
	ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=$'Europe/Berl\xffn' refused \
		'ASCBELL_QUIET_ZONE: not a time zone this machine knows: (not printable) (an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)'
	ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_BELOW=critical refused \
		'ASCBELL_QUIET_BELOW: not a severity: critical (info, success, warning or error)'
}

@test "a bad spec in an app's env file is refused for that app alone" {
	mkdir -p "$BATS_TEST_TMPDIR/apps"
	printf 'ASCBELL_QUIET_HOURS=7-22\n' >"$BATS_TEST_TMPDIR/apps/bad.env"
	: >"$BATS_TEST_TMPDIR/apps/good.env"
	export ASCBELL_APPS_DIR="$BATS_TEST_TMPDIR/apps" ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	for shape in script builtin; do
		deliver $shape app-version-state /bad
		deliver $shape app-version-state /good
	done
	assert_equal "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/answers-builtin")" \
		'{"status":500,"message":"internal error"} {"status":200,"message":"queued"} '
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	grep -q 'error: ASCBELL_QUIET_HOURS: not a daily window like 22:00-07:00 (HH:MM-HH:MM, 24-hour clock): 7-22' \
		"$BATS_TEST_TMPDIR/log-builtin"
}

@test "direct mode: quiet hours need the outbox (500, nothing sent); a dry run still shows the message" {
	export ASCBELL_QUIET_HOURS=22:00-07:00
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	for shape in script builtin; do deliver $shape app-version-state; done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin" | sort -u)" \
		'{"status":500,"message":"internal error"}'
	for shape in script builtin; do
		assert_equal "$(grep -c 'error: ASCBELL_QUIET_HOURS: quiet hours need the outbox (set ASCBELL_OUTBOX, with echobell-send --watch delivering it)' \
			"$BATS_TEST_TMPDIR/log-$shape")" 1
	done
	assert_equal "$(fake_requests)" 0
	export ASCBELL_DRY_RUN=1
	for shape in script builtin; do deliver $shape app-version-state; done
	assert_equal "$(grep -c '^POST http://127.0.0.1:[0-9]*/t/\*\*\*\*$' "$BATS_TEST_TMPDIR/log-script" "$BATS_TEST_TMPDIR/log-builtin" | cut -d: -f2)" "1
1"
}

@test "echobell-send --queue --not-before: epoch seconds or a time with its zone; held, then sent when due" {
	outbox="$BATS_TEST_TMPDIR/outbox"
	run --separate-stderr echobell-send --queue "$outbox" --not-before 1768543200 <<<'{"n":1}'
	assert_success
	run --separate-stderr echobell-send --queue "$outbox" --not-before 2026-01-16T07:00:00+01:00 <<<'{"n":2}'
	assert_success
	# A time already past holds nothing.
	run --separate-stderr echobell-send --queue "$outbox" --not-before 2026-01-15T00:00:00Z <<<'{"n":3}'
	assert_success
	assert_equal "$(holds "$outbox")" "t=$END t=$END - "
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	run --separate-stderr echobell-send --flush "$outbox"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":3}'
	ASCBELL_NOW=$MORNING run --separate-stderr echobell-send --flush "$outbox"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies" | tr '\n' ' ')" '{"n":3} {"n":1} {"n":2} '
}

@test "echobell-send: --not-before and --quiet-hours only with --queue; a bad time is 64" {
	run --separate-stderr echobell-send --not-before 1768543200 <<<'{}'
	assert_failure 64
	assert_equal "$stderr" 'echobell-send: error: --not-before and --quiet-hours: only with --queue (the agent sends held messages when their time comes)'
	run --separate-stderr echobell-send --flush "$BATS_TEST_TMPDIR/o" --quiet-hours
	assert_failure 64
	for when in tomorrow 2026-01-16T07:00:00 -5 ''; do
		run --separate-stderr echobell-send --queue "$BATS_TEST_TMPDIR/o" --not-before "$when" <<<'{}'
		assert_failure 64
		assert_equal "$stderr" "echobell-send: error: --not-before: not a time: $when (epoch seconds, or like 2026-03-02T07:00:00Z or 2026-03-02T07:00:00+01:00)"
	done
	assert_equal "$(ls "$BATS_TEST_TMPDIR/o/new" 2>/dev/null)" ""
}

@test "a running agent is woken by a held message (inotify), not only by its rescan" {
	outbox="$BATS_TEST_TMPDIR/outbox"
	echobell-send --queue "$outbox" </dev/null
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL"
	ASCBELL_NOW=$MORNING timeout 60 echobell-send --watch "$outbox" --rescan 600 \
		2>>"$BATS_TEST_TMPDIR/watch.log" 3>&- &
	WATCHER_PID=$!
	sleep 0.3
	echo '{"n":1,"severity":"info"}' | ASCBELL_QUIET_HOURS=22:00-07:00 \
		echobell-send -v --queue "$outbox" --quiet-hours 2>"$BATS_TEST_TMPDIR/queue.log"
	grep -q "message 1: held until $END" "$BATS_TEST_TMPDIR/queue.log"
	# Well before the 600 s rescan: the held name woke it, and its time has come.
	wait_for_requests 1 50
	assert_equal "$(cat "$FAKE_DIR/bodies")" '{"n":1,"severity":"info"}'
}

# A routes file: "night" holds what is below error from 22:00 to 07:00 in Berlin, "day" has
# no quiet hours of its own. Both take every event.
routes_with_quiet() {
	printf '%s\n' "http://127.0.0.1:9/t/night" >"$BATS_TEST_TMPDIR/night.url"
	printf '%s\n' "http://127.0.0.1:9/t/day" >"$BATS_TEST_TMPDIR/day.url"
	cat >"$BATS_TEST_TMPDIR/routes.json" <<JSON
{"routes": [
  {"name": "night", "urlFile": "$BATS_TEST_TMPDIR/night.url",
   "quiet": {"hours": "22:00-07:00", "zone": "Europe/Berlin", "below": "error"}},
  {"name": "day", "urlFile": "$BATS_TEST_TMPDIR/day.url"}
]}
JSON
	export ASCBELL_ROUTES="$BATS_TEST_TMPDIR/routes.json"
}

@test "routes: a route's own quiet hours hold its messages alone, in both shapes; the others go at once" {
	routes_with_quiet
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		for event in app-version-state app-version-rejected; do deliver $shape $event; done
		assert_equal "$(holds "$ASCBELL_OUTBOX/route.night")" "t=$END - "
		assert_equal "$(holds "$ASCBELL_OUTBOX/route.day")" "- - "
		cat "$ASCBELL_OUTBOX"/route.*/new/* >"$BATS_TEST_TMPDIR/queued-$shape"
	done
	# Not every message of the first request is held: queued, as for the main channel.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-builtin")" \
		'{"status":200,"message":"queued"}
{"status":200,"message":"queued"}'
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
	run diff "$BATS_TEST_TMPDIR/queued-script" "$BATS_TEST_TMPDIR/queued-builtin"
	assert_success
}

@test "routes: a route without quiet hours of its own has the configuration's; its own replace them" {
	routes_with_quiet
	# The configuration's window (all but errors, until 09:00 UTC) is the day route's; the
	# night route keeps its own (until 07:00 Berlin).
	export ASCBELL_QUIET_HOURS=20:00-09:00 ASCBELL_QUIET_ZONE=UTC
	for shape in script builtin; do
		export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox-$shape"
		deliver $shape app-version-state
		assert_equal "$(holds "$ASCBELL_OUTBOX/route.night")" "t=$END "
		assert_equal "$(holds "$ASCBELL_OUTBOX/route.day")" "t=1768554000 " # 2026-01-16T09:00:00Z
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-builtin")" '{"status":200,"message":"held"}'
	run diff "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin"
	assert_success
}

@test "routes: a route's bad quiet hours are refused when the file is read (asc-route, both receivers)" {
	routes_with_quiet
	sed -i 's/22:00-07:00/22:00-/' "$ASCBELL_ROUTES"
	run --separate-stderr asc-route -f "$ASCBELL_ROUTES" </dev/null
	assert_failure 78
	assert_equal "$stderr" "asc-route: error: $ASCBELL_ROUTES: route night: quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, 24-hour clock): 22:00-"
	export ASCBELL_OUTBOX="$BATS_TEST_TMPDIR/outbox"
	for shape in script builtin; do deliver $shape app-version-state; done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin" | jq -r .status | tr '\n' ' ')" "500 500 "
	assert_equal "$(find "$ASCBELL_OUTBOX" -type f | wc -l)" 0
}

@test "routes, direct mode: a route with quiet hours is not sent (500, kept for replay); the others are" {
	routes_with_quiet
	start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/day.url"
	for shape in script builtin; do
		deliver $shape app-version-state
		grep -q "route night: quiet hours need the outbox" "$BATS_TEST_TMPDIR/log-$shape"
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/answers-script" "$BATS_TEST_TMPDIR/answers-builtin" | jq -r .status | tr '\n' ' ')" "500 500 "
	# The day route got its message from each shape.
	assert_equal "$(fake_requests)" 2
	# echobell-send --route refuses the direct send the same way, and a dry run shows it.
	run --separate-stderr echobell-send --route night --url-file "$BATS_TEST_TMPDIR/day.url" <<<'{"title":"t","severity":"info"}'
	assert_failure 78
	assert_equal "$stderr" "echobell-send: error: route night: quiet hours need the outbox (set ASCBELL_OUTBOX, with echobell-send --watch delivering it)"
	run --separate-stderr echobell-send --route nosuch --queue "$BATS_TEST_TMPDIR/o" <<<'{}'
	assert_failure 78
	assert_equal "$stderr" "echobell-send: error: --route nosuch: no such route in $ASCBELL_ROUTES"
	run --separate-stderr echobell-send --route night --flush "$BATS_TEST_TMPDIR/o"
	assert_failure 64
}
