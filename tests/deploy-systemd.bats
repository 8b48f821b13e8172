#!/usr/bin/env bats
# The systemd deployment, for real: Debian's systemd boots as PID 1 of its own namespaces over
# an overlay of / (tests/helpers/systemd-container), ascbell is installed and started in it
# exactly as the README's "Deploying" says, with the unit files of scripts/deploy/ as
# shipped, and deliveries go to the socket on the machine's own 127.0.0.1:8080, where
# ascbell.service (asc-http long-running, its agent beside it) takes them. The fake
# Echobell runs in the machine's network namespace. Outside the machine: the tmpfiles.d
# entry, the cron line and `systemd-analyze verify`.

load helpers/common
load helpers/machine

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
DEPLOY="$TOP/scripts/deploy"
SECRET='systemd test secret'

setup_file() {
	# The source tree and the build under test, read-only in the machine.
	build=$(cd "$ASCBELL_BIN/.." && pwd)
	case $build in "$TOP"/*) set -- "$TOP" ;; *) set -- "$TOP" "$build" ;; esac
	start_machine "$BATS_FILE_TMPDIR/machine" 300 "$BATS_FILE_TMPDIR/fake" "$@"
	FAKE_URL="http://127.0.0.1:$(cat "$FAKE_DIR/port")/t/$FAKE_TOKEN"

	# README, Deploying with systemd, steps 1-4, word for word (the build under test is
	# installed: BUILD names it, for make sanitize).
	in_machine sh -ec '
		cd "$1"
		make -s install BUILD="$2" >/dev/null
		useradd --system --home /var/lib/ascbell --shell /usr/sbin/nologin ascbell
		install -m 644 scripts/deploy/ascbell.tmpfiles /etc/tmpfiles.d/ascbell.conf
		systemd-tmpfiles --create ascbell.conf
		install -d -m 750 -g ascbell /etc/ascbell
		install -m 640 -g ascbell scripts/deploy/env.example /etc/ascbell/env
		install -m 640 -g ascbell /dev/null /etc/ascbell/webhook-secret
		install -m 640 -g ascbell /dev/null /etc/ascbell/echobell-url
		' sh "$TOP" "$build"
	printf '%s\n' "$SECRET" | in_machine sh -c 'cat >/etc/ascbell/webhook-secret'
	printf '%s\n' "$FAKE_URL" | in_machine sh -c 'cat >/etc/ascbell/echobell-url'
	in_machine sh -ec '
		cd "$1"
		install -m 644 scripts/deploy/ascbell.socket scripts/deploy/ascbell.service \
			scripts/deploy/ascbell-prune.service scripts/deploy/ascbell-prune.timer /etc/systemd/system/
		systemctl daemon-reload
		systemctl enable --now ascbell.socket ascbell.service ascbell-prune.timer
		' sh "$TOP" 2>"$BATS_FILE_TMPDIR/enable.log"
}

teardown_file() {
	stop_machine
}

setup() {
	export ASC_WEBHOOK_SECRET=$SECRET
	# A test that edits the env file gets the shipped one (as installed) back afterwards.
	in_machine cp -p /etc/ascbell/env "/root/env.saved"
	# A test may have stopped the receiver; the socket would start it at the first
	# connection anyway, but the agent is needed before that. The tests start and restart
	# it more often than systemd's start limit (5 in 10 s) allows a real service: each
	# test begins with a clean count.
	in_machine systemctl reset-failed ascbell.service ascbell.socket
	in_machine systemctl start ascbell.service
	STOPPED_AGENT=
}

teardown() {
	[ -z "$STOPPED_AGENT" ] || in_machine kill -CONT "$STOPPED_AGENT" 2>/dev/null || true
	if ! in_machine cmp -s /root/env.saved /etc/ascbell/env; then
		in_machine cp -p /root/env.saved /etc/ascbell/env
		# The receiver reads the env file at start and on reload only.
		if in_machine systemctl -q is-active ascbell.service; then reload_receiver; fi
	fi
}

# Sends the raw request in file $1 to the socket unit; $ANSWER, $CODE as send_raw sets them.
send_to_machine() {
	ANSWER=$(in_net socat -t 15 - TCP:127.0.0.1:8080 <"$1" | tr -d '\r')
	CODE=$(printf '%s\n' "$ANSWER" | head -n 1 | cut -d' ' -f2)
}

# Sets (or adds) NAME=VALUE in the machine's /etc/ascbell/env; no VALUE comments it out.
set_env() {
	if [ $# -eq 2 ]; then
		in_machine sh -ec 'sed -i "/^#*$1=/d" /etc/ascbell/env; printf "%s=%s\n" "$1" "$2" >>/etc/ascbell/env' sh "$1" "$2"
	else
		in_machine sed -i "s/^$1=/#&/" /etc/ascbell/env
	fi
}

# How many reloads the receiver has logged, over every run of ascbell.service.
reloads() {
	in_machine journalctl -q -o cat -u ascbell.service -g '^asc-http: reloaded: ' | grep -c . || true
}

# `systemctl reload ascbell.service`, then waits (10 s at most) for asc-http to say that the
# new configuration serves: systemctl returns once the SIGHUP is sent, not once it is handled.
reload_receiver() {
	local before
	before=$(reloads)
	in_machine systemctl reload ascbell.service
	for _ in $(seq 100); do
		[ "$(reloads)" -gt "$before" ] && return 0
		sleep 0.1
	done
	echo "ascbell.service did not log its reload" >&2
	return 1
}

# ascbell.service's processes, "PID PPID COMMAND" one a line, from its cgroup.
service_processes() {
	local cg
	cg=$(in_machine systemctl show -p ControlGroup --value ascbell.service)
	in_machine sh -c 'for p in $(cat "/sys/fs/cgroup$1/cgroup.procs"); do
		printf "%s %s %s\n" "$p" "$(sed -n "s/^PPid:\t//p" /proc/$p/status)" "$(cat /proc/$p/comm)"
	done' sh "$cg"
}

# The agent's pid (echobell-send in ascbell.service's cgroup); waits 10 s at most for it.
agent_pid() {
	local pid
	for _ in $(seq 100); do
		pid=$(service_processes | awk '$3 == "echobell-send" { print $1 }')
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
	done
	return 1
}

# Owner, group and mode of each path in the machine, one per line.
machine_stat() {
	in_machine stat -c '%U %G %a %n' "$@"
}

# The JSON body of $ANSWER.
answer_body() {
	printf '%s\n' "$ANSWER" | sed '1,/^$/d'
}

@test "installed as the README says: socket and service enabled and running, healthz 200" {
	run cat "$BATS_FILE_TMPDIR/enable.log"
	assert_line --partial 'Created symlink /etc/systemd/system/sockets.target.wants/ascbell.socket'
	assert_line --partial 'Created symlink /etc/systemd/system/multi-user.target.wants/ascbell.service'
	assert_line --partial 'Created symlink /etc/systemd/system/timers.target.wants/ascbell-prune.timer'
	run in_machine systemctl is-active ascbell.socket ascbell.service ascbell-prune.timer
	assert_output "$(printf 'active\nactive\nactive')"
	run in_machine systemctl show -p Accept --value ascbell.socket
	assert_output no
	run in_net curl -sS http://127.0.0.1:8080/healthz
	assert_success
	assert_output --partial '"status":200'
}

@test "one service, two processes' work: asc-http's workers and the agent, its own process, in the unit's cgroup" {
	main=$(in_machine systemctl show -p MainPID --value ascbell.service)
	agent=$(agent_pid)
	# The parent, its 4 workers (the default) and the agent, each a child of the parent.
	for _ in $(seq 100); do
		[ "$(service_processes | wc -l)" = 6 ] && break
		sleep 0.1
	done
	run service_processes
	assert_equal "$(awk '{ print $2, $3 }' <<<"$output" | sort)" \
		"$(printf '%s\n' '1 asc-http' "$main asc-http" "$main asc-http" "$main asc-http" "$main asc-http" \
			"$main echobell-send" | sort)"
	assert_equal "$(awk -v p="$main" '$1 == p { print $3 }' <<<"$output")" asc-http
	assert_equal "$(in_machine cat "/proc/$agent/cmdline" | tr '\0' ' ')" \
		'echobell-send --watch /var/lib/ascbell/outbox '
}

@test "no core files: LimitCORE=0 in every unit; the receiver and its agent (user ascbell) are not dumpable" {
	run in_machine systemctl show -p LimitCORE --value ascbell.service ascbell-prune.service
	assert_equal "$(grep -v '^$' <<<"$output" | tr '\n' ' ')" '0 0 '
	for pid in "$(in_machine systemctl show -p MainPID --value ascbell.service)" "$(agent_pid)"; do
		run in_machine grep '^Max core file size' "/proc/$pid/limits"
		assert_output --regexp '^Max core file size +0 +0 +bytes'
		assert_equal "$(in_machine stat -c %U "/proc/$pid")" ascbell
		# The kernel gives /proc/PID/* of a non-dumpable process to root.
		assert_equal "$(in_machine stat -c %U "/proc/$pid/environ")" root
	done
}

@test "the state directories: ascbell:ascbell 2770 from tmpfiles, and still after the units start" {
	run machine_stat /var/lib/ascbell /var/lib/ascbell/spool /var/lib/ascbell/spool/cur \
		/var/lib/ascbell/outbox/new /var/lib/ascbell/outbox/failed /var/lib/ascbell/dedup /var/lib/ascbell/unsent \
		/var/lib/ascbell/history
	assert_output "$(printf 'ascbell ascbell 2770 %s\n' /var/lib/ascbell /var/lib/ascbell/spool \
		/var/lib/ascbell/spool/cur /var/lib/ascbell/outbox/new /var/lib/ascbell/outbox/failed \
		/var/lib/ascbell/dedup /var/lib/ascbell/unsent /var/lib/ascbell/history)"
}

@test "restarting the service keeps the shared modes and another writer's files (a CGI user in group ascbell)" {
	in_machine sh -ec 'install -m 660 -o www-data -g ascbell /dev/null /var/lib/ascbell/spool/new/by-www-data'
	in_machine systemctl restart ascbell.service
	run machine_stat /var/lib/ascbell /var/lib/ascbell/spool /var/lib/ascbell/spool/new/by-www-data
	assert_output "$(printf 'ascbell ascbell 2770 /var/lib/ascbell\nascbell ascbell 2770 /var/lib/ascbell/spool\nwww-data ascbell 660 /var/lib/ascbell/spool/new/by-www-data')"
	# And www-data can still write there.
	run in_machine setpriv --reuid=www-data --regid=www-data --groups="$(in_machine getent group ascbell | cut -d: -f3)" \
		touch /var/lib/ascbell/outbox/tmp/www-data-was-here
	assert_success
	in_machine rm -f /var/lib/ascbell/spool/new/by-www-data /var/lib/ascbell/outbox/tmp/www-data-was-here
}

@test "queued mode (the shipped env): answered \"queued\", in the outbox until the service's agent sends it" {
	# The agent held still, to see the message wait for it.
	STOPPED_AGENT=$(agent_pid)
	in_machine kill -STOP "$STOPPED_AGENT"
	before=$(fake_requests)
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	assert_equal "$(answer_body)" '{"status":200,"message":"queued"}'
	run in_machine sh -c 'stat -c "%U %G" /var/lib/ascbell/outbox/new/*'
	assert_output 'ascbell ascbell'
	assert_equal "$(fake_requests)" "$before"
	in_machine kill -CONT "$STOPPED_AGENT"
	STOPPED_AGENT=
	wait_for_requests $((before + 1))
	assert_equal "$(tail -n 1 "$FAKE_DIR/bodies" | jq -r .title)" '❌ MyApp: Rejected'
	run in_machine ls /var/lib/ascbell/outbox/new /var/lib/ascbell/outbox/failed
	assert_output "$(printf '/var/lib/ascbell/outbox/failed:\n\n/var/lib/ascbell/outbox/new:')"
	# The delivery itself was kept in spool/cur/, owned for the group.
	run in_machine sh -c 'stat -c "%U %G" /var/lib/ascbell/spool/cur/* | sort -u'
	assert_output 'ascbell ascbell'
	run in_machine journalctl -q -o cat -u ascbell.service -g 'POST / 200'
	assert_output --regexp '^asc-http: 127\.0\.0\.1 POST / 200 [0-9]+ [0-9]+ms [^ ]+$'
}

@test "direct mode (ASCBELL_OUTBOX unset in the env file, then a reload): sent by the receiver, no agent runs" {
	set_env ASCBELL_OUTBOX
	reload_receiver
	for _ in $(seq 100); do
		service_processes | grep -q ' echobell-send$' || break
		sleep 0.1
	done
	run service_processes
	refute_output --partial echobell-send
	before=$(fake_requests)
	signed_request / "$FIXTURES/asc/feedback-crash.json" "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	assert_equal "$(answer_body)" '{"status":200,"message":"delivered"}'
	assert_equal "$(fake_requests)" $((before + 1))
	tail -n 1 "$FAKE_DIR/bodies" | jq -e '.title | startswith("💥 MyApp")'
}

@test "a forged delivery: a well-formed 401, nothing sent, nothing kept" {
	before=$(fake_requests)
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	sed -i 's/REJECTED/ACCEPTED/' "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 401
	# Status line, headers, and a body of exactly Content-Length bytes: nothing else.
	length=$(printf '%s\n' "$ANSWER" | sed -n 's/^Content-Length: //p')
	body=$(answer_body)
	assert_equal "$((${#body} + 1))" "$length"
	assert_equal "$(jq -c .status <<<"$body")" 401
	run in_machine ls -A /var/lib/ascbell/spool/new /var/lib/ascbell/outbox/new
	assert_output "$(printf '/var/lib/ascbell/outbox/new:\n\n/var/lib/ascbell/spool/new:')"
	sleep 0.5
	assert_equal "$(fake_requests)" "$before"
	run in_machine journalctl -q -o cat -u ascbell.service -g ' 401 '
	assert_output --partial 'asc-http: 127.0.0.1 POST / 401'
	# The shipped env's history has its line, in a file of the shared group (ascbell(7),
	# HISTORY): the unit's user made it 0660 under UMask=0007.
	run in_machine sh -c 'tail -q -n 1 /var/lib/ascbell/history/*.jsonl | tail -n 1 | cut -d, -f2-'
	assert_output '"answer":401,"outcome":"forged","app":null,"event":null}'
	run in_machine sh -c 'stat -c "%U %G %a" /var/lib/ascbell/history/*.jsonl | sort -u'
	assert_output 'ascbell ascbell 660'
}

@test "an unknown event type: a well-formed 200" {
	signed_request / "$FIXTURES/asc/unknown-future-event.json" "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	assert_equal "$(answer_body | jq -c .status)" 200
}

@test "the allow-list in the env file holds; the unit trusts X-Forwarded-For from the local proxy only" {
	set_env ASCBELL_ALLOW 192.0.2.0/24
	reload_receiver
	signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 403
	# The proxy on this host (the unit's --trust-proxy 127.0.0.1) names an allowed client.
	sed -i 's/^Host: receiver\.test\r$/&\nX-Forwarded-For: 192.0.2.7\r/' "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	set_env ASCBELL_ALLOW 17.0.0.0/8
	reload_receiver
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 403
}

# Four clients in the background, each sending $BATS_TEST_TMPDIR/request ten times in a
# row to the socket; assert_every_client_200 waits for them and wants 40 answers 200.
start_clients() {
	clients=
	for k in 1 2 3 4; do
		(for _ in $(seq 10); do
			in_net socat -t 15 - TCP:127.0.0.1:8080 <"$BATS_TEST_TMPDIR/request" | head -n 1 | tr -d '\r'
		done >"$BATS_TEST_TMPDIR/codes.$k") &
		clients="$clients $!"
	done
}

assert_every_client_200() {
	wait $clients
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/codes.* | sort | uniq -c | tr -s ' ')" ' 40 HTTP/1.1 200 OK'
}

@test "systemctl reload: every request of parallel clients answered 200 meanwhile; the env file read again then, not before" {
	signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
	start_clients
	before=$(reloads)
	for _ in 1 2 3; do
		reload_receiver
	done
	assert_every_client_200
	assert_equal "$(reloads)" $((before + 3))
	# A changed value holds from the reload on: ASCBELL_ALLOW refuses this client only then.
	set_env ASCBELL_ALLOW 192.0.2.0/24
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	reload_receiver
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 403
	run in_machine systemctl is-active ascbell.service
	assert_output active
}

@test "systemctl stop drains: the request in flight is answered 200, then asc-http exits 0, nothing killed" {
	# A delivery whose body is still on its way when the stop comes.
	signed_request / "$FIXTURES/asc/app-version-state.json" "$BATS_TEST_TMPDIR/request"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/request")
	head -c $((size - 10)) "$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/part1"
	tail -c 10 "$BATS_TEST_TMPDIR/request" >"$BATS_TEST_TMPDIR/part2"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	in_net socat -t 15 - TCP:127.0.0.1:8080 <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/answer" &
	client=$!
	exec 5>"$BATS_TEST_TMPDIR/fifo"
	cat "$BATS_TEST_TMPDIR/part1" >&5
	# Taken by asc-http (not only waiting in the socket's backlog).
	for _ in $(seq 100); do
		in_net ss -Htnp state established '( sport = :8080 )' | grep -q asc-http && break
		sleep 0.1
	done
	invocation=$(in_machine systemctl show -p InvocationID --value ascbell.service)
	in_machine systemctl stop --no-block ascbell.service
	for _ in $(seq 100); do
		[ "$(in_machine systemctl show -p ActiveState --value ascbell.service)" = deactivating ] && break
		sleep 0.1
	done
	run in_machine systemctl show -p ActiveState --value ascbell.service
	assert_output deactivating
	cat "$BATS_TEST_TMPDIR/part2" >&5
	exec 5>&-
	wait "$client"
	assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/answer" | tr -d '\r')" 'HTTP/1.1 200 OK'
	assert_equal "$(sed '1,/^\r$/d' "$BATS_TEST_TMPDIR/answer")" '{"status":200,"message":"queued"}'
	for _ in $(seq 300); do
		[ "$(in_machine systemctl show -p ActiveState --value ascbell.service)" = inactive ] && break
		sleep 0.1
	done
	assert_equal "$(in_machine systemctl show -p ActiveState --value ascbell.service)" inactive
	assert_equal "$(in_machine systemctl show -p Result --value ascbell.service)" success
	assert_equal "$(in_machine systemctl show -p ExecMainStatus --value ascbell.service)" 0
	# What this run of the service logged, and systemd about it: no process was killed.
	for _ in $(seq 100); do
		in_machine journalctl -q -o cat _SYSTEMD_INVOCATION_ID="$invocation" | grep -qx 'asc-http: stopped' && break
		sleep 0.1
	done
	run in_machine journalctl -q -o cat _SYSTEMD_INVOCATION_ID="$invocation" + INVOCATION_ID="$invocation"
	assert_line 'asc-http: stopping: 1 busy, 0 waiting'
	assert_line 'asc-http: stopped'
	refute_output --partial SIGKILL
	refute_output --partial 'Killing process'
	# The socket stays, for the next start.
	run in_machine systemctl is-active ascbell.socket
	assert_output active
}

@test "the socket outlives the service: a delivery to a stopped service starts it; none is lost over a restart" {
	in_machine systemctl stop ascbell.service
	run in_machine systemctl is-active ascbell.socket ascbell.service
	assert_output "$(printf 'active\ninactive')"
	signed_request / "$FIXTURES/asc/ping.json" "$BATS_TEST_TMPDIR/request"
	send_to_machine "$BATS_TEST_TMPDIR/request"
	assert_equal "$CODE" 200
	run in_machine systemctl is-active ascbell.service
	assert_output active
	# Clients sending all along while the service restarts: the socket holds what comes in.
	start_clients
	in_machine systemctl restart ascbell.service
	assert_every_client_200
}

@test "ascbell-deliver.service (the agent alone, for xinetd and CGI hosts): delivers the outbox; one agent at a time" {
	# The README's xinetd and CGI sections, word for word.
	in_machine sh -ec 'cd "$1"; install -m 644 scripts/deploy/ascbell-deliver.service /etc/systemd/system/
		systemctl daemon-reload' sh "$TOP"
	in_machine systemctl stop ascbell.socket
	run in_machine systemctl is-active ascbell.socket ascbell.service
	assert_output "$(printf 'inactive\ninactive')"
	# A message queued as a receiver under xinetd queues it (as ascbell).
	before=$(fake_requests)
	in_machine setpriv --reuid=ascbell --regid=ascbell --init-groups sh -c \
		'printf "%s\n" "{\"title\":\"by the agent alone\",\"body\":\"b\"}" | /usr/local/bin/echobell-send --queue /var/lib/ascbell/outbox'
	in_machine systemctl start ascbell-deliver.service
	wait_for_requests $((before + 1))
	assert_equal "$(tail -n 1 "$FAKE_DIR/bodies" | jq -r .title)" 'by the agent alone'
	run in_machine systemctl show -p LimitCORE --value ascbell-deliver.service
	assert_output 0
	pid=$(in_machine systemctl show -p MainPID --value ascbell-deliver.service)
	assert_equal "$(in_machine stat -c %U "/proc/$pid")" ascbell
	assert_equal "$(in_machine stat -c %U "/proc/$pid/environ")" root
	# ascbell.service runs its own agent: starting it stops this one (Conflicts=).
	in_machine systemctl start ascbell.socket ascbell.service
	# The conflicting stop job may still be finishing (the agent ends its exchange first).
	for _ in $(seq 100); do
		[ "$(in_machine systemctl is-active ascbell-deliver.service)" = inactive ] && break
		sleep 0.1
	done
	run in_machine systemctl is-active ascbell-deliver.service ascbell.socket ascbell.service
	assert_output "$(printf 'inactive\nactive\nactive')"
}

@test "ascbell-prune.service removes delivered requests, markers and history older than ASCBELL_KEEP_DAYS, nothing else" {
	# The agent would take the test's files out of outbox/new/ (nothing connects meanwhile,
	# so the socket does not start the service again).
	in_machine systemctl stop ascbell.service
	# The history as the receiver keeps it (asc-prune judges its files by the date in the name).
	old_day=$(date -u -d '100 days ago' +%F) recent_day=$(date -u -d '10 days ago' +%F)
	had_history=$(in_machine sh -c 'test -d /var/lib/ascbell/history && echo yes || true')
	in_machine sh -ec '
		cd /var/lib/ascbell
		install -d -m 2770 -o ascbell -g ascbell history
		for f in spool/cur/old spool/new/old outbox/new/old outbox/failed/old unsent/new/old dedup/old-id \
			history/$1.jsonl; do
			install -m 660 -o www-data -g ascbell /dev/null "$f"
			touch -d "100 days ago" "$f"
		done
		for f in spool/cur/recent dedup/recent-id history/$2.jsonl; do
			install -m 660 -o ascbell -g ascbell /dev/null "$f"
			touch -d "10 days ago" "$f"
		done' sh "$old_day" "$recent_day"
	run in_machine systemctl start ascbell-prune.service
	assert_success
	run in_machine sh -c 'cd /var/lib/ascbell && find spool outbox unsent dedup history -type f | grep -e old -e recent -e "$1" -e "$2" | sort' sh "$old_day" "$recent_day"
	assert_output "$(printf '%s\n' dedup/recent-id "history/$recent_day.jsonl" outbox/failed/old outbox/new/old spool/cur/recent \
		spool/new/old unsent/new/old)"
	# A shorter keep, from the env file.
	set_env ASCBELL_KEEP_DAYS 7
	in_machine systemctl start ascbell-prune.service
	run in_machine sh -c 'cd /var/lib/ascbell && find spool/cur dedup history -type f | grep -e recent -e "$1"' sh "$recent_day"
	assert_output ''
	# Not a number: the service fails and removes nothing.
	set_env ASCBELL_KEEP_DAYS '7 -o -true'
	in_machine touch -d '100 days ago' /var/lib/ascbell/dedup/old-id
	run in_machine systemctl start ascbell-prune.service
	assert_failure
	run in_machine journalctl -q -o cat -u ascbell-prune.service -g 'not a number'
	assert_output 'asc-prune: error: ASCBELL_KEEP_DAYS=7 -o -true is not a number of days (1 to 36500)'
	run in_machine find /var/lib/ascbell/dedup -name old-id
	assert_output /var/lib/ascbell/dedup/old-id
	in_machine rm -f /var/lib/ascbell/dedup/old-id /var/lib/ascbell/spool/new/old /var/lib/ascbell/outbox/new/old \
		/var/lib/ascbell/outbox/failed/old /var/lib/ascbell/unsent/new/old
	# The tree the other tests compare with the tmpfiles.d entry as it was.
	[ "$had_history" = yes ] || in_machine rmdir /var/lib/ascbell/history
}

@test "the README's install -d lines (no systemd-tmpfiles) make the same tree as the tmpfiles.d entry" {
	# Word for word from the README, in a second place to compare.
	in_machine sh -ec '
		s=/var/lib/ascbell-by-hand
		install -d -m 2770 -o ascbell -g ascbell $s $s/dedup $s/history
		for d in spool outbox unsent; do
			install -d -m 2770 -o ascbell -g ascbell $s/$d $s/$d/tmp $s/$d/new $s/$d/cur $s/$d/failed
		done'
	run in_machine sh -c 'cd /var/lib/ascbell-by-hand && find . -type d -printf "%u %g %m %p\n" | sort -k4'
	by_hand=$output
	run in_machine sh -c 'cd /var/lib/ascbell && find . -type d -printf "%u %g %m %p\n" | sort -k4'
	assert_equal "$by_hand" "$output"
	assert_equal "$(grep -c 'ascbell ascbell 2770' <<<"$output")" 18
}

@test "ascbell-prune.timer: daily" {
	run in_machine systemctl show -p TimersCalendar --value ascbell-prune.timer
	assert_output --partial 'OnCalendar=*-*-* 00:00:00'
}

@test "systemd-analyze verify: every unit as installed, with the programs at the paths they name" {
	in_machine sh -ec 'cd "$1"; install -m 644 scripts/deploy/ascbell-deliver.service /etc/systemd/system/' sh "$TOP"
	run in_machine systemd-analyze verify /etc/systemd/system/ascbell.socket /etc/systemd/system/ascbell.service \
		/etc/systemd/system/ascbell-deliver.service /etc/systemd/system/ascbell-prune.service \
		/etc/systemd/system/ascbell-prune.timer
	assert_success
	assert_output ''
}

@test "the tmpfiles.d entry makes exactly the shared tree, with any systemd-tmpfiles (--root)" {
	root="$BATS_TEST_TMPDIR/root"
	mkdir -p "$root/etc"
	printf 'root:x:0:0::/root:/bin/sh\nascbell:x:990:990::/var/lib/ascbell:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:x:0:\nascbell:x:990:\n' >"$root/etc/group"
	run systemd-tmpfiles --create --root="$root" "$DEPLOY/ascbell.tmpfiles"
	assert_success
	run sh -c 'cd "$1/var/lib" && find ascbell -printf "%U:%G %m %p\n" | sort -k3' sh "$root"
	expected=''
	for d in ascbell ascbell/dedup ascbell/history ascbell/outbox ascbell/outbox/cur ascbell/outbox/failed ascbell/outbox/new \
		ascbell/outbox/tmp ascbell/spool ascbell/spool/cur ascbell/spool/failed ascbell/spool/new ascbell/spool/tmp \
		ascbell/unsent ascbell/unsent/cur ascbell/unsent/failed ascbell/unsent/new ascbell/unsent/tmp; do
		expected+="990:990 2770 $d"$'\n'
	done
	assert_output "${expected%$'\n'}"
	# A tree made earlier with other modes (the old units' 0700) is put right.
	chmod 700 "$root/var/lib/ascbell"
	systemd-tmpfiles --create --root="$root" "$DEPLOY/ascbell.tmpfiles"
	assert_equal "$(stat -c %a "$root/var/lib/ascbell")" 2770
}

@test "the cron line for hosts without systemd removes what the service removes" {
	tree="$BATS_TEST_TMPDIR/state"
	old_day=$(date -u -d '100 days ago' +%F) recent_day=$(date -u -d '10 days ago' +%F)
	for f in spool/cur/old spool/cur/recent spool/new/old outbox/new/old outbox/failed/old outbox/cur/old \
		unsent/new/old dedup/old-id dedup/recent-id "history/$old_day.jsonl" "history/$recent_day.jsonl"; do
		mkdir -p "$tree/$(dirname "$f")"
		: >"$tree/$f"
	done
	touch -d '100 days ago' "$tree"/*/*/old "$tree/dedup/old-id" "$tree/history/$old_day.jsonl"
	touch -d '10 days ago' "$tree/spool/cur/recent" "$tree/dedup/recent-id" "$tree/history/$recent_day.jsonl"
	line=$(grep -v '^#' "$DEPLOY/ascbell-prune.cron")
	# m h dom mon dow user command: daily, as ascbell.
	assert_equal "$(awk '{print $3, $4, $5, $6}' <<<"$line")" '* * * ascbell'
	command=$(sed -E "s/^([^ ]+ +){6}//; s|/var/lib/ascbell|$tree|g; s|/usr/local/bin/|$ASCBELL_BIN/|g" <<<"$line")
	run sh -c "$command"
	assert_success
	run sh -c 'cd "$1" && find . -type f | sort' sh "$tree"
	assert_output "$(printf '%s\n' ./dedup/recent-id "./history/$recent_day.jsonl" ./outbox/cur/old ./outbox/failed/old \
		./outbox/new/old ./spool/cur/recent ./spool/new/old ./unsent/new/old)"
}
