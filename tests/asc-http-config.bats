#!/usr/bin/env bats
# asc-http's configuration file ($ASCBELL_ENV, read per request), GET /healthz, the
# handler's outcome word, and where the log goes when standard error is the connection.

load helpers/common

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR ASCBELL_TRUST_PROXY ASCBELL_OUTBOX SOCAT_PEERADDR TCPREMOTEIP \
		ASC_WEBHOOK_SECRET_FILE ECHOBELL_URL_FILE
	export ASCBELL_ENV="$BATS_TEST_TMPDIR/env"
	HANDLER="$BATS_TEST_TMPDIR/handler"
	# Records that it ran, says $SAY on the outcome channel, exits $EXIT_WITH.
	cat >"$HANDLER" <<'EOS'
#!/bin/sh
cat >/dev/null
echo ran >>"$RECORD"
echo "handler's stdout"
echo "handler: warning: something to log" >&2
[ -z "${SAY:-}" ] || printf '%s\n' "$SAY" >&"$ASCBELL_OUTCOME_FD"
exit "${EXIT_WITH:-0}"
EOS
	chmod +x "$HANDLER"
	export RECORD="$BATS_TEST_TMPDIR/ran"
	printf 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' >"$BATS_TEST_TMPDIR/post"
	printf 'GET /healthz HTTP/1.1\r\n\r\n' >"$BATS_TEST_TMPDIR/healthz"
}

teardown() {
	stop_listener
}

# The whole answer asc-http gives for a status and message, byte for byte.
answer() {
	local body
	body=$(printf '{"status":%s,"message":"%s"}' "$1" "$2")
	printf 'HTTP/1.1 %s %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
		"$1" "$3" $((${#body} + 1)) "$body"
}

@test "healthz: 200 when the spool takes a file (made when missing), and nothing is left in tmp/" {
	run --separate-stderr asc-http --spool "$BATS_TEST_TMPDIR/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 200 ok OK)"
	[ -d "$BATS_TEST_TMPDIR/spool/tmp" ]
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/spool/tmp")" ''
	[ ! -e "$RECORD" ]
}

@test "healthz: 503 with the reason when the spool cannot be written; the path only in the log" {
	: >"$BATS_TEST_TMPDIR/file"
	run --separate-stderr asc-http --spool "$BATS_TEST_TMPDIR/file/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'spool not writable (Not a directory)' 'Service Unavailable')"
	assert_equal "${stderr_lines[0]}" "asc-http: error: healthz: spool $BATS_TEST_TMPDIR/file/spool not writable: Not a directory"
	# And a delivery is indeed refused: health told the truth.
	run --separate-stderr asc-http -q --spool "$BATS_TEST_TMPDIR/file/spool" -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 503 'try again later' 'Service Unavailable')"
}

@test "healthz: 503 when the outbox, the secret file or the URL file named in the env file is unusable" {
	: >"$BATS_TEST_TMPDIR/file"
	printf 'ASCBELL_OUTBOX=%s\n' "$BATS_TEST_TMPDIR/file/outbox" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'outbox not writable (Not a directory)' 'Service Unavailable')"
	printf 'ASCBELL_OUTBOX=%s\nASC_WEBHOOK_SECRET_FILE=%s\n' "$BATS_TEST_TMPDIR/outbox" "$BATS_TEST_TMPDIR/nosecret" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'secret file not readable (No such file or directory)' 'Service Unavailable')"
	[ -d "$BATS_TEST_TMPDIR/outbox/new" ]
	secret=$(secret_file s)
	printf 'ASC_WEBHOOK_SECRET_FILE=%s\nECHOBELL_URL_FILE=%s\n' "$secret" "$BATS_TEST_TMPDIR/nourl" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'Echobell URL file not readable (No such file or directory)' 'Service Unavailable')"
	echo https://hook.echobell.one/t/x >"$BATS_TEST_TMPDIR/url"
	printf 'ASC_WEBHOOK_SECRET_FILE=%s\nECHOBELL_URL_FILE=%s\n' "$secret" "$BATS_TEST_TMPDIR/url" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 200 ok OK)"
	# Without the env file, the inherited environment counts.
	rm "$ASCBELL_ENV"
	ASC_WEBHOOK_SECRET_FILE=$BATS_TEST_TMPDIR/nosecret run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'secret file not readable (No such file or directory)' 'Service Unavailable')"
}

@test "ASCBELL_ALLOW in the env file holds: other peers get 403 before the handler runs" {
	printf '# only Apple\nASCBELL_ALLOW="17.0.0.0/8"\n' >"$ASCBELL_ENV"
	SOCAT_PEERADDR=192.0.2.7 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 403 'not allowed from this address' Forbidden)"
	[ ! -e "$RECORD" ]
	SOCAT_PEERADDR=17.58.1.2 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 200 delivered OK)"
}

@test "precedence: --allow over the env file, the env file over the environment; '' in the file unsets" {
	printf 'ASCBELL_ALLOW=17.0.0.0/8\n' >"$ASCBELL_ENV"
	SOCAT_PEERADDR=192.0.2.7 run --separate-stderr asc-http -q --allow 192.0.2.0/24 -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	SOCAT_PEERADDR=192.0.2.7 ASCBELL_ALLOW=192.0.2.0/24 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_line --index 0 $'HTTP/1.1 403 Forbidden\r'
	printf 'ASCBELL_ALLOW=\n' >"$ASCBELL_ENV"
	SOCAT_PEERADDR=198.51.100.1 ASCBELL_ALLOW=192.0.2.0/24 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
	# ASCBELL_ENV empty: no file at all, the environment counts.
	printf 'ASCBELL_ALLOW=17.0.0.0/8\n' >"$BATS_TEST_TMPDIR/env"
	SOCAT_PEERADDR=192.0.2.7 ASCBELL_ENV= ASCBELL_ALLOW=192.0.2.0/24 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_line --index 0 $'HTTP/1.1 200 OK\r'
}

@test "ASCBELL_TRUST_PROXY and ASCBELL_APPS_DIR from the env file" {
	mkdir "$BATS_TEST_TMPDIR/apps"
	: >"$BATS_TEST_TMPDIR/apps/one.env"
	printf "ASCBELL_ALLOW=17.0.0.0/8\nASCBELL_TRUST_PROXY=127.0.0.1\nexport ASCBELL_APPS_DIR='%s'\n" "$BATS_TEST_TMPDIR/apps" >"$ASCBELL_ENV"
	printf 'POST /one HTTP/1.1\r\nX-Forwarded-For: 17.1.2.3\r\nContent-Length: 2\r\n\r\n{}' >"$BATS_TEST_TMPDIR/proxied"
	SOCAT_PEERADDR=127.0.0.1 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/proxied"
	assert_output "$(answer 200 delivered OK)"
	SOCAT_PEERADDR=127.0.0.1 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 403 'not allowed from this address' Forbidden)"
	sed 's,/one ,/two ,' "$BATS_TEST_TMPDIR/proxied" >"$BATS_TEST_TMPDIR/two"
	SOCAT_PEERADDR=127.0.0.1 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/two"
	assert_output "$(answer 404 'no such path' 'Not Found')"
}

@test "healthz: 503 when the routes file (ASCBELL_ROUTES) is one a delivery would refuse, or the escalation URL file is missing" {
	secret=$(secret_file s)
	echo https://hook.echobell.one/t/x >"$BATS_TEST_TMPDIR/url"
	printf '{"routes":[{"name":"qa","urlFile":"%s"}]}\n' "$BATS_TEST_TMPDIR/qa.url" >"$BATS_TEST_TMPDIR/routes.json"
	printf 'ASC_WEBHOOK_SECRET_FILE=%s\nASCBELL_ROUTES=%s\n' "$secret" "$BATS_TEST_TMPDIR/routes.json" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'routes file unusable (see the log)' 'Service Unavailable')"
	assert_equal "${stderr_lines[0]}" "asc-http: error: healthz: $BATS_TEST_TMPDIR/routes.json: route qa: urlFile $BATS_TEST_TMPDIR/qa.url cannot be read: No such file or directory"
	# Now there: 200. Then not JSON: 503 again.
	cp "$BATS_TEST_TMPDIR/url" "$BATS_TEST_TMPDIR/qa.url"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 200 ok OK)"
	echo '{"routes":[' >"$BATS_TEST_TMPDIR/routes.json"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'routes file unusable (see the log)' 'Service Unavailable')"
	# With routes, the escalation URL file is a route's (checked as such); without, a file.
	printf 'ASC_WEBHOOK_SECRET_FILE=%s\nECHOBELL_URL_FILE=%s\nECHOBELL_ESCALATION_URL_FILE=%s\n' "$secret" \
		"$BATS_TEST_TMPDIR/url" "$BATS_TEST_TMPDIR/nourl" >"$ASCBELL_ENV"
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'escalation URL file not readable (No such file or directory)' 'Service Unavailable')"
}

@test "an env file asc-http cannot read like sh: 500 for deliveries, 503 for healthz, the line in the log" {
	printf 'ASC_APP_NAME=$HOME\nASCBELL_ALLOW=$APPLE_NET\n' >"$ASCBELL_ENV"
	run --separate-stderr asc-http -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 500 'configuration error (see the log)' 'Internal Server Error')"
	[ ! -e "$RECORD" ]
	assert_equal "${stderr_lines[0]}" "asc-http: error: $ASCBELL_ENV line 2: ASCBELL_ALLOW's value needs a shell (\$, \`, ~ or a special character): write the value itself"
	[[ "${stderr_lines[1]}" =~ ^asc-http:\ -\ POST\ /\ 500\ 0\ [0-9]+ms$ ]]
	run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/healthz"
	assert_output "$(answer 503 'configuration unreadable (see the log)' 'Service Unavailable')"
	for bad in '. /etc/ascbell/more' "ASCBELL_ALLOW='17.0.0.0/8" 'ASCBELL_ALLOW=17.0.0.0/8 10.0.0.0/8' 'ASCBELL_ALLOW=not-an-address'; do
		printf '%s\n' "$bad" >"$ASCBELL_ENV"
		run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
		assert_output "$(answer 500 'configuration error (see the log)' 'Internal Server Error')"
	done
	assert_equal "$(cat "$RECORD" 2>/dev/null)" ''
	# A file that exists but cannot be read is an error too, not "no configuration".
	mkdir "$BATS_TEST_TMPDIR/dir-env"
	ASCBELL_ENV="$BATS_TEST_TMPDIR/dir-env" run --separate-stderr asc-http -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 500 'configuration error (see the log)' 'Internal Server Error')"
	assert_equal "${stderr_lines[0]}" "asc-http: error: cannot read $BATS_TEST_TMPDIR/dir-env: not a regular file"
}

@test "the env file is read for each request: a change holds from the next one on" {
	start_listener -q -- "$HANDLER"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
	printf 'ASCBELL_ALLOW=17.0.0.0/8\n' >"$ASCBELL_ENV"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 403
	printf 'ASCBELL_ALLOW=127.0.0.1\n' >"$ASCBELL_ENV"
	send_raw "$BATS_TEST_TMPDIR/post"
	assert_equal "$CODE" 200
}

@test "the handler's outcome word becomes the message of a 200, and only of a 200" {
	for word in delivered queued kept duplicate filtered; do
		SAY=$word run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
		assert_output "$(answer 200 "$word" OK)"
	done
	for said in bogus 'queued and more' QUEUED ''; do
		SAY=$said run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
		assert_output "$(answer 200 delivered OK)"
	done
	SAY=queued EXIT_WITH=75 run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 503 'try again later' 'Service Unavailable')"
	# The first line counts.
	SAY=$'duplicate\nqueued' run --separate-stderr asc-http -q -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 200 duplicate OK)"
}

@test "--log FILE: the log line and everything the handler writes are appended there" {
	echo 'an older line' >"$BATS_TEST_TMPDIR/log"
	run --separate-stderr asc-http --log "$BATS_TEST_TMPDIR/log" -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_output "$(answer 200 delivered OK)"
	assert_equal "$stderr" ''
	assert_equal "$(sed -n 1,4p "$BATS_TEST_TMPDIR/log" | sed '4s/ [0-9]*ms$//')" "$(printf "an older line\nhandler's stdout\nhandler: warning: something to log\nasc-http: - POST / 200 2")"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/log")" -eq 4 ]
	run --separate-stderr asc-http --log "$BATS_TEST_TMPDIR/no/such/dir/log" -- "$HANDLER" <"$BATS_TEST_TMPDIR/post"
	assert_failure 73
	assert_equal "$stderr" "asc-http: error: --log: cannot open $BATS_TEST_TMPDIR/no/such/dir/log: No such file or directory"
}

@test "standard error is the connection (socat's stderr option, as xinetd does): only the answer reaches the client" {
	printf 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' >"$BATS_TEST_TMPDIR/post"
	# EXEC's stderr option gives the handler the connection as fd 2, like xinetd.
	LISTEN_EXEC_OPTIONS=,stderr start_listener -- "$HANDLER"
	socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/post" >"$BATS_TEST_TMPDIR/got"
	assert_equal "$(od -c "$BATS_TEST_TMPDIR/got")" "$(answer 200 delivered OK | od -c)"
	# A forged delivery: the handler's error line would come first on a broken server.
	stop_listener
	LISTEN_EXEC_OPTIONS=,stderr start_listener --log "$BATS_TEST_TMPDIR/log" -- env EXIT_WITH=77 "$HANDLER"
	socat -t 15 - "TCP:127.0.0.1:$LISTEN_PORT" <"$BATS_TEST_TMPDIR/post" >"$BATS_TEST_TMPDIR/got"
	assert_equal "$(od -c "$BATS_TEST_TMPDIR/got")" "$(answer 401 'signature missing or wrong' Unauthorized | od -c)"
	# (start_listener's probe, a connection without a request, logs a line of its own, in a
	# process of its own: before or after the others, as the two processes happen to run.)
	assert_equal "$(sed 's/ [0-9]*ms$//' "$BATS_TEST_TMPDIR/log" | grep -vx 'asc-http: 127.0.0.1 - - 400 0')" \
		"$(printf "handler's stdout\nhandler: warning: something to log\nasc-http: 127.0.0.1 POST / 401 2")"
	assert_equal "$(grep -cx 'asc-http: 127.0.0.1 - - 400 0 [0-9]*ms' "$BATS_TEST_TMPDIR/log")" 1
}
