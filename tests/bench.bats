#!/usr/bin/env bats
# scripts/bench-receiver (make bench): a smoke run of every receiver built, checking the
# table's shape and the answers seen, never the figures (they depend on the machine).

load helpers/common

TOP="$BATS_TEST_DIRNAME/.."
BENCH="$TOP/scripts/bench-receiver"
HEADER='| receiver | CPU ms per signed delivery | deliveries/s, 1 client | deliveries/s, 8 clients | forged rejected/s, 8 clients | p50 / p99 ms, 1 client | p50 / p99 ms, 8 clients | idle CPU ms/s | peak memory MiB | answers signed / forged | signed deliveries |'
NUM='[0-9]+(\.[0-9]+)?'

# A measured row: every figure a number, every signed delivery answered 200 and every
# forged one 401, at least one signed delivery.
assert_measured() {
	local line=$1
	[[ $line =~ ^\|\ [^|]+\ \|\ $NUM\ \|\ $NUM\ \|\ $NUM\ \|\ $NUM\ \|\ $NUM\ /\ $NUM\ \|\ $NUM\ /\ $NUM\ \|\ $NUM\ \|\ $NUM\ \|\ 200\ /\ 401\ \|\ [1-9][0-9]*\ \|$ ]] ||
		fail "not a measured row with answers 200 / 401: $line"
}

# Whether this build has asc-http's built-in receiver and its long-running mode (the rows
# that need them show "n/a (not built)" until then, and must be measured from then on).
has_builtin() {
	local said
	said=$(asc-http -q --spool "$BATS_TEST_TMPDIR/probe" </dev/null 2>&1) || true
	[[ $said != *"no COMMAND"* ]]
}
has_listen() {
	local help
	help=$(asc-http --help 2>&1) || true
	[[ $help == *--listen* ]]
}

@test "bench-receiver --quick: one table, a row per receiver, every answer 200 signed and 401 forged" {
	# The --compare example of the help text, run as written.
	example=$("$BENCH" --help | sed -n '/^--- example ---$/,/^--- end ---$/p' | sed '1d;$d')
	[ -n "$example" ]
	run --separate-stderr timeout 300 "$BENCH" --quick --compare "$example"
	assert_success
	assert_line --index 0 "$HEADER"
	assert_line --index 1 '|---|---|---|---|---|---|---|---|---|---|---|'
	labels=(
		"shell pipeline (socat, asc-http, sh, openssl, jq, curl)"
		"ascbell inetd-style, direct (socat, asc-http, scripts/asc-receiver)"
		"ascbell inetd-style, queued (socat, asc-http, scripts/asc-receiver)"
		"ascbell inetd-style, direct (socat, asc-http built-in)"
		"ascbell inetd-style, queued (socat, asc-http built-in)"
		"ascbell long-running, direct (asc-http --listen)"
		"ascbell long-running, queued (asc-http --listen)"
		"yours: python3 -c ' import hashlib, hmac, http.server, json, os, u"
	)
	for i in "${!labels[@]}"; do
		line=${lines[$((i + 2))]}
		[[ $line == "| ${labels[$i]} |"* ]] || fail "row $i is not ${labels[$i]}: $line"
		built=1
		case $i in
		3 | 4) has_builtin || built=0 ;;
		5 | 6) has_builtin && has_listen || built=0 ;;
		esac
		if [ "$built" = 1 ]; then
			assert_measured "$line"
		else
			[ "$line" = "| ${labels[$i]} | n/a (not built) | | | | | | | | | |" ] || fail "$line"
		fi
	done
	# The table ends there; then how it was measured.
	[ -z "${lines[10]:-}" ] || [[ ${lines[10]} != "|"* ]]
	assert_line '1 round(s), 0.5 s per phase; each request on a connection of its own (bench-load, C, epoll).'
	# CPU from a cgroup per receiver where this machine has cgroup v2 (this one and CI's
	# do), else from /proc, as the next test checks.
	assert_line --regexp '^CPU from (cgroup v2 cpu.stat usage_usec, one cgroup per receiver under /.*/ascbell-bench\.[0-9]+|/proc: .* \(no usable cgroup v2 here\)); the Echobell stand-ins run outside, not counted\.$'
	# The ratios: a row for every measured receiver but the shell, each target PASS or MISS.
	assert_line 'Against the shell pipeline, measured in the same run:'
	ratios=$(printf '%s\n' "${lines[@]}" | sed -n '/^| receiver | CPU per signed delivery | forged/,$p' | tail -n +3)
	measured=$(printf '%s\n' "${lines[@]:3:7}" | grep -vc 'n/a (not built)')
	[ "$(printf '%s\n' "$ratios" | grep -c .)" = "$measured" ]
	while IFS= read -r line; do
		[[ $line =~ \|\ (1/$NUM|${NUM}x)\ \|\ ${NUM}x\ \|\ (1/$NUM|${NUM}x)\ \|\ CPU\ 1/(150|200)\ (PASS|MISS),\ forged\ 500x\ (PASS|MISS)(,\ p99\ 1/20\ (PASS|MISS))?\ \|$ ]] ||
			fail "not a ratio row: $line"
	done <<<"$ratios"
	# Every receiver stopped: its cgroup is gone.
	cgroup=$(printf '%s\n' "${lines[@]}" | sed -n 's/.* under \(.*ascbell-bench\.[0-9]*\);.*/\1/p')
	[ -z "$cgroup" ] || [ ! -e "$cgroup" ]
}

@test "bench-receiver --no-cgroup counts the CPU of the receiver's process tree from /proc" {
	run --separate-stderr timeout 120 "$BENCH" --quick --no-cgroup --rows shell,script-queued
	assert_success
	assert_line --index 0 "$HEADER"
	assert_measured "${lines[2]}"
	assert_measured "${lines[3]}"
	[[ ${lines[2]} == "| shell pipeline "* ]]
	[[ ${lines[3]} == "| ascbell inetd-style, queued (socat, asc-http, scripts/asc-receiver) |"* ]]
	assert_line "CPU from /proc: utime+stime and reaped children's cutime+cstime of the receiver's process tree (--no-cgroup); the Echobell stand-ins run outside, not counted."
}

@test "bench-receiver refuses a row it does not know" {
	run --separate-stderr "$BENCH" --quick --rows shell,nginx
	assert_failure 64
	assert_output ''
	[ "$stderr" = "bench-receiver: no row named nginx" ]
}

@test "bench-receiver reports a receiver that does not start, with its log, without failing" {
	run --separate-stderr timeout 120 "$BENCH" --quick --rows compare --compare 'echo cannot listen >&2; exit 3'
	assert_success
	assert_line --index 0 "$HEADER"
	assert_line --index 2 '| yours: echo cannot listen >&2; exit 3 | failed to start (its log below) | | | | | | | | | |'
	[[ $stderr == *"== compare: failed to start (its log below)"$'\n'"cannot listen"* ]]
}
