#!/usr/bin/env bats
# The CGI deployments with the real servers from Debian: nginx + fcgiwrap, and lighttpd.
# Each configuration is made FROM the shipped file (scripts/deploy/nginx-fcgiwrap.conf,
# lighttpd-cgi.conf, asc-cgi, env.example, ascbell-deliver.service's ExecStart) by
# substituting ports and paths, so the files users copy are the files tested. As in a real
# deployment, the CGI program runs as www-data, a member of the sharing group, and the
# delivery agent as another user ($AGENT, standing in for ascbell) who owns the state
# directory. Needs root (users, setpriv, the servers' privilege drop).

load helpers/common
load helpers/ownership

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
DEPLOY="$TOP/scripts/deploy"

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	make_agent ascbell-cgitest
	# README: usermod -aG ascbell www-data (the group goes away with the user in teardown_file).
	usermod -aG ascbell-cgitest www-data
}

teardown_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	AGENT=ascbell-cgitest remove_agent
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: other users, setpriv, servers dropping privileges"
	AGENT=ascbell-cgitest
	unset ASCBELL_ALLOW ASCBELL_OUTBOX ECHOBELL_URL_FILE ECHOBELL_WEBHOOK_URL
	T=$BATS_TEST_TMPDIR
	let_through "$T"
	let_through "$ASCBELL_BIN"
	export ASC_WEBHOOK_SECRET='cgi deploy secret'
	NOW=2026-03-09T12:00:00Z
	PIDS=
	start_fake
}

teardown() {
	local pid
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	stop_fake
}

# Runs a command in the background for at most two minutes; stopped by teardown.
background() {
	timeout 120 "$@" 3>&- &
	PIDS="$PIDS $!"
}

# Fails when a line that is not a comment in the files matches the pattern (for paths of
# the real system left in a generated configuration).
refute_paths() {
	local pattern=$1
	shift
	if cat "$@" | grep -v '^[[:space:]]*#' | grep -E "$pattern"; then
		return 1
	fi
}

wait_for_port() {
	for _ in $(seq 100); do
		socat -u /dev/null "TCP:127.0.0.1:$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# The files of /etc/ascbell and /var/lib/ascbell under $T, as the README makes them:
# configuration readable by root and the group, the state directory 2770 of the agent.
# $1: queued (env.example as shipped) or direct (its ASCBELL_OUTBOX line left out).
install_receiver() {
	install -d -o root -g "$AGENT" -m 750 "$T/etc"
	install -d -o "$AGENT" -g "$AGENT" -m 2770 "$T/var"
	printf '%s\n' "$ASC_WEBHOOK_SECRET" >"$T/etc/webhook-secret"
	printf '%s\n' "$FAKE_URL" >"$T/etc/echobell-url"
	sed -e "s|/etc/ascbell|$T/etc|g; s|/var/lib/ascbell|$T/var|g" "$DEPLOY/env.example" >"$T/etc/env"
	[ "$1" = queued ] || sed -i '/^ASCBELL_OUTBOX=/d' "$T/etc/env"
	# The programs are not in /usr/local/bin here; a fixed time for what has none.
	printf 'ASCBELL_BIN=%s\nASCBELL_NOW=%s\n' "$ASCBELL_BIN" "$NOW" >>"$T/etc/env"
	chown root:"$AGENT" "$T"/etc/*
	chmod 640 "$T"/etc/*
	# The CGI program as make install writes it, pointing at the programs under test.
	install -d -m 755 "$T/lib"
	sed -e "s|/usr/local/bin/asc-receiver|$TOP/scripts/asc-receiver|; s|/usr/local/bin/|$ASCBELL_BIN/|; s|/var/lib/ascbell|$T/var|" \
		"$DEPLOY/asc-cgi" >"$T/lib/asc-cgi"
	chmod 755 "$T/lib/asc-cgi"
	# Every path was substituted: nothing of the real system is used.
	refute_paths '/usr/local|/var/lib|/etc/ascbell' "$T/lib/asc-cgi" "$T/etc/env"
}

# nginx (as Debian's nginx.conf runs it: workers as www-data) with the shipped server
# block, TLS with a self-signed certificate, and fcgiwrap as www-data with its groups, as
# Debian's fcgiwrap.service runs it.
start_nginx() {
	PORT=$(free_port)
	install -d -m 755 "$T/nginx" "$T/tls"
	install -d -o www-data -g www-data -m 755 "$T/run"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=hooks.example.com \
		-addext subjectAltName=DNS:hooks.example.com -keyout "$T/tls/privkey.pem" -out "$T/tls/fullchain.pem" 2>/dev/null
	sed -e "s|listen 443 ssl;|listen 127.0.0.1:$PORT ssl;|; s|/etc/letsencrypt/live/hooks.example.com|$T/tls|g" \
		-e "s|/usr/local/lib/ascbell/asc-cgi|$T/lib/asc-cgi|; s|/etc/ascbell/env|$T/etc/env|; s|unix:/run/fcgiwrap.socket|unix:$T/run/fcgiwrap.socket|" \
		"$DEPLOY/nginx-fcgiwrap.conf" >"$T/nginx/ascbell.conf"
	refute_paths '[ "](/usr/local|/etc/|/run/)| 443' "$T/nginx/ascbell.conf"
	cp /etc/nginx/fastcgi_params "$T/nginx/"
	cat >"$T/nginx/nginx.conf" <<EOF
user www-data;
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/body;
	fastcgi_temp_path $T/nginx/fastcgi;
	proxy_temp_path $T/nginx/proxy;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	include ascbell.conf;
}
EOF
	as_user_argv www-data
	background "${AS_USER[@]}" /usr/sbin/fcgiwrap -c 2 -s "unix:$T/run/fcgiwrap.socket" 2>>"$T/cgi.log"
	background nginx -p "$T/nginx" -c "$T/nginx/nginx.conf"
	for _ in $(seq 100); do
		[ -S "$T/run/fcgiwrap.socket" ] && break
		sleep 0.05
	done
	wait_for_port "$PORT"
	URL="https://hooks.example.com:$PORT"
	CURL_OPTIONS=(--cacert "$T/tls/fullchain.pem" --resolve "hooks.example.com:$PORT:127.0.0.1")
	SERVER_LOG="$T/cgi.log"
}

# lighttpd with Debian's own lighttpd.conf (www-data, its modules), the shipped snippet
# in place of conf-enabled/, on a plain listener on 127.0.0.1: the snippet is about the
# CGI part only. A CGI program's standard error is lighttpd's (the journal, under systemd).
start_lighttpd() {
	PORT=$(free_port)
	install -d -m 755 "$T/lighttpd" "$T/www"
	install -d -o www-data -g www-data -m 755 "$T/lighttpd/log" "$T/lighttpd/uploads"
	sed -e "s|/usr/local/lib/ascbell/asc-cgi|$T/lib/asc-cgi|; s|/etc/ascbell/env|$T/etc/env|" \
		"$DEPLOY/lighttpd-cgi.conf" >"$T/lighttpd/ascbell.conf"
	refute_paths '[ "](/usr/local|/etc/)' "$T/lighttpd/ascbell.conf"
	sed -e "s|^server.document-root .*|server.document-root = \"$T/www\"|" \
		-e "s|^server.upload-dirs .*|server.upload-dirs = ( \"$T/lighttpd/uploads\" )|" \
		-e "s|^server.errorlog .*|server.errorlog = \"$T/lighttpd/log/error.log\"|" \
		-e "s|^server.pid-file .*|server.pid-file = \"$T/lighttpd/lighttpd.pid\"|" \
		-e "s|^server.port .*|server.port = $PORT\nserver.bind = \"127.0.0.1\"|" \
		-e "/use-ipv6.pl/d" \
		-e "s|^include \"/etc/lighttpd/conf-enabled/\*.conf\"|include \"$T/lighttpd/ascbell.conf\"|" \
		/etc/lighttpd/lighttpd.conf >"$T/lighttpd/lighttpd.conf"
	grep -qx "include \"$T/lighttpd/ascbell.conf\"" "$T/lighttpd/lighttpd.conf"
	lighttpd -tt -f "$T/lighttpd/lighttpd.conf"
	background lighttpd -D -f "$T/lighttpd/lighttpd.conf" 2>>"$T/cgi.log"
	wait_for_port "$PORT"
	URL="http://127.0.0.1:$PORT"
	CURL_OPTIONS=()
	SERVER_LOG="$T/cgi.log"
}

# The delivery agent: ascbell-deliver.service's ExecStart, its paths substituted, as its
# User= with the EnvironmentFile= read.
start_agent() {
	local command
	command=$(sed -n 's/^ExecStart=//p' "$DEPLOY/ascbell-deliver.service")
	command=$(printf '%s' "$command" | sed -e "s|/usr/local/bin/|$ASCBELL_BIN/|; s|/var/lib/ascbell|$T/var|g")
	[[ "$command" == "$ASCBELL_BIN/echobell-send --watch $T/var/outbox" ]]
	grep -qx 'EnvironmentFile=/etc/ascbell/env' "$DEPLOY/ascbell-deliver.service"
	# shellcheck disable=SC2086
	as_user_argv "$AGENT"
	background "${AS_USER[@]}" sh -c 'set -a; . "$1"; set +a; shift; exec "$@"' sh "$T/etc/env" $command 2>>"$T/agent.log"
	# Started before any delivery (as at boot), it makes the outbox itself.
	for _ in $(seq 100); do
		[ -d "$T/var/outbox/failed" ] && break
		sleep 0.05
	done
}

# POSTs fixture $1 to /asc/ signed (or, with $2 = forged, signed then altered) and sets
# STATUS (the status line) and ANSWER (the body).
post() {
	local body=$1 signature
	signature=$(asc-verify --sign <"$body")
	if [ "${2:-}" = forged ]; then
		sed 's/"id":"/"id":"f/' "$body" >"$T/forged.json"
		body="$T/forged.json"
	fi
	curl -sS --http1.1 --max-time 30 "${CURL_OPTIONS[@]}" -D "$T/head" -o "$T/answer" \
		-H 'Content-Type: application/json' -H "x-apple-signature: $signature" --data-binary @"$body" "$URL/asc/"
	STATUS=$(head -n 1 "$T/head" | tr -d '\r')
	ANSWER=$(cat "$T/answer")
}

expected_notification() {
	ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp asc-parse -q <"$1" | ASCBELL_NOW=$NOW asc-render --only | jq -c '{title, body, externalLink}'
}

notifications() {
	jq -c '{title, body, externalLink}' "$FAKE_DIR/bodies"
}

# Direct mode: signed, forged, unknown event type; the files left behind.
check_direct() {
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$STATUS" 'HTTP/1.1 200 OK'
	assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
	assert_equal "$(notifications)" "$(expected_notification "$FIXTURES/asc/app-version-rejected.json")"

	post "$FIXTURES/asc/app-version-rejected.json" forged
	assert_equal "$STATUS" 'HTTP/1.1 401 Unauthorized'
	assert_equal "$ANSWER" '{"status":401,"message":"signature missing or wrong"}'
	assert_equal "$(jq -c . "$T/answer")" '{"status":401,"message":"signature missing or wrong"}'
	assert_equal "$(fake_requests)" 1

	post "$FIXTURES/asc/unknown-future-event.json"
	assert_equal "$STATUS" 'HTTP/1.1 200 OK'
	assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
	assert_equal "$(fake_requests)" 2
	assert_equal "$(notifications | tail -n 1)" "$(expected_notification "$FIXTURES/asc/unknown-future-event.json")"

	# asc-http's lines: the path once, the peer the server saw.
	assert_equal "$(grep -c '^asc-http: 127.0.0.1 POST /asc/ 200 ' "$SERVER_LOG")" 2
	assert_equal "$(grep -c '^asc-http: 127.0.0.1 POST /asc/ 401 ' "$SERVER_LOG")" 1
	refute_paths '/asc/asc|/asc//' "$SERVER_LOG"
	refute_token "$(cat "$SERVER_LOG")"

	# The spool: made by www-data in the agent's 2770 directory, shared with the group;
	# the two handled requests in cur/, the forged one gone; the agent reads them.
	assert_equal "$(owned "$T/var/spool")" "2770 www-data $AGENT"
	assert_equal "$(owned "$T/var/spool/cur")" "2770 www-data $AGENT"
	assert_equal "$(ls "$T/var/spool/cur" | wc -l)" 2
	assert_equal "$(ls -A "$T/var/spool/new" "$T/var/spool/tmp" | grep -c .)" 2 # the two headings
	for file in "$T"/var/spool/cur/*; do
		assert_equal "$(owned "$file")" "660 www-data $AGENT"
		as_user "$AGENT" asc-verify -q --http -k "$T/etc/webhook-secret" "$file" >/dev/null
	done
}

# Queued mode: the receiver answers once the message is in the outbox, the agent (another
# user) delivers every one of them.
check_queued() {
	start_agent
	local payload n=0
	for payload in app-version-rejected build-upload-state feedback-screenshot unknown-future-event; do
		post "$FIXTURES/asc/$payload.json"
		assert_equal "$STATUS" 'HTTP/1.1 200 OK'
		assert_equal "$ANSWER" '{"status":200,"message":"queued"}'
		n=$((n + 1))
		expected_notification "$FIXTURES/asc/$payload.json" >>"$T/expected"
	done
	wait_for_requests "$n"
	assert_equal "$(notifications | sort)" "$(sort "$T/expected")"
	assert_equal "$(owned "$T/var/outbox")" "2770 $AGENT $AGENT"
	# Every message read and removed by the agent: nothing waits, nothing failed.
	for _ in $(seq 50); do
		[ -z "$(ls -A "$T/var/outbox/new" "$T/var/outbox/cur" | grep -v ':$' | grep .)" ] && break
		sleep 0.1
	done
	assert_equal "$(find "$T/var/outbox" -type f | wc -l)" 0
	refute_paths 'failed' "$T/agent.log"
	assert_equal "$(grep -c ': sent ' "$T/agent.log")" "$n"
}

@test "nginx + fcgiwrap, direct: signed 200 and delivered, forged 401, unknown type 200, files shared" {
	install_receiver direct
	start_nginx
	check_direct
}

@test "nginx + fcgiwrap, queued: the agent, as another user, delivers every queued message" {
	install_receiver queued
	start_nginx
	check_queued
}

# The allow-list of /etc/ascbell/env holds under CGI: asc-http reads the file for each
# request, and the client is the server's REMOTE_ADDR.
check_allow_list() {
	echo 'ASCBELL_ALLOW=192.0.2.0/24' >>"$T/etc/env"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$STATUS" 'HTTP/1.1 403 Forbidden'
	assert_equal "$ANSWER" '{"status":403,"message":"not allowed from this address"}'
	assert_equal "$(fake_requests)" 0
	sed -i 's|^ASCBELL_ALLOW=.*|ASCBELL_ALLOW=192.0.2.0/24,127.0.0.1|' "$T/etc/env"
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$STATUS" 'HTTP/1.1 200 OK'
	assert_equal "$ANSWER" '{"status":200,"message":"delivered"}'
	assert_equal "$(fake_requests)" 1
}

@test "nginx + fcgiwrap: the env file's allow-list holds (403, then 200 once the file allows the client)" {
	install_receiver direct
	start_nginx
	check_allow_list
}

@test "lighttpd: the env file's allow-list holds (403, then 200 once the file allows the client)" {
	install_receiver direct
	start_lighttpd
	check_allow_list
}

@test "lighttpd, direct: signed 200 and delivered, forged 401, unknown type 200, files shared" {
	install_receiver direct
	start_lighttpd
	check_direct
}

@test "lighttpd, queued: the agent, as another user, delivers every queued message" {
	install_receiver queued
	start_lighttpd
	check_queued
}

@test "nginx + fcgiwrap: an outbox the agent could not read gets 503, and the request stays for replay" {
	install_receiver queued
	# An outbox made without the setgid bit: www-data's files would be group www-data.
	for dir in "" /tmp /new /cur /failed; do
		install -d -o "$AGENT" -g "$AGENT" -m 770 "$T/var/outbox$dir"
		chmod g-s "$T/var/outbox$dir"
	done
	start_nginx
	post "$FIXTURES/asc/app-version-rejected.json"
	assert_equal "$STATUS" 'HTTP/1.1 503 Service Unavailable'
	assert_equal "$ANSWER" '{"status":503,"message":"try again later"}'
	assert_equal "$(find "$T/var/outbox" -type f | wc -l)" 0
	assert_equal "$(ls "$T/var/spool/new" | wc -l)" 1
	grep -q "asc-http: error: not queued: a file that www-data writes in $T/var/outbox would be unreadable" "$SERVER_LOG"
	# Once the directory is shared as it should be, asc-replay (as root) delivers it.
	chmod 2770 "$T/var/outbox" "$T"/var/outbox/*
	start_agent
	run --separate-stderr env ASCBELL_ENV="$T/etc/env" ASCBELL_PATH=/asc "$TOP/scripts/asc-replay" "$T/var/spool"
	assert_success
	wait_for_requests 1
	assert_equal "$(notifications)" "$(expected_notification "$FIXTURES/asc/app-version-rejected.json")"
}
