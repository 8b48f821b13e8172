#!/usr/bin/env bats
# TLS in front of the receiver: Debian's nginx and caddy, configured from the shipped
# scripts/deploy/nginx-proxy.conf and scripts/deploy/Caddyfile (only the ports, the
# certificate and the receiver's address substituted), proxying to the receiver as
# socat-plain.sh runs it under socat (its asc-http command line, the spool moved: the
# built-in receiver, --trust-proxy 127.0.0.1, the allow-list from ASCBELL_ALLOW).
# Every address here is on loopback: the client connects from 127.0.0.5, the proxy from
# 127.0.0.1, so the client is allowed only when the proxy forwards its address.

load helpers/common

DEPLOY="$BATS_TEST_DIRNAME/../scripts/deploy"
HOST=hooks.example.com

setup() {
	unset ASCBELL_ALLOW ASCBELL_OUTBOX ASCBELL_DEDUP_DIR ECHOBELL_WEBHOOK_URL ASC_WEBHOOK_SECRET
	export ASCBELL_ENV=/nonexistent ASCBELL_NOW=2026-03-09T12:00:00Z
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'proxy secret')
	export ASC_APP_ID=6447123456 ASC_APP_NAME=MyApp
	export ASCBELL_UNSENT="$BATS_TEST_TMPDIR/unsent"
	# A certificate for the host name the shipped files name, and a CA file to check it.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
		-keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" 2>/dev/null
	PROXY_PID=
}

teardown() {
	if [ -n "$PROXY_PID" ]; then
		kill "$PROXY_PID" 2>/dev/null || true
		wait "$PROXY_PID" 2>/dev/null || true
	fi
	stop_listener
	stop_fake
}

# The receiver on a free port, the allow-list $1, the spool moved: as ascbell.service runs
# it (long-running, its ExecStart's options) behind nginx, the default deployment; as
# socat-plain.sh does (one asc-http per connection) behind caddy. Caddy 2.6 relays an early
# answer (the 413 of a body too large, written whole before the body is read) and then
# sometimes closes its side before the answer's body is through (2 to 3 times in 10 to 40
# runs, curl: "transfer closed with 42 bytes remaining"); socat's linger hides it.
start_receiver() {
	start_fake
	export ECHOBELL_WEBHOOK_URL="$FAKE_URL" ASCBELL_ALLOW=$1
	local options
	if [ "${2:-}" = long-running ]; then
		options=$(sed -n "s|^ExecStart=/usr/local/bin/asc-http \(.*\)\$|\1|; T; s|/var/lib/ascbell|$BATS_TEST_TMPDIR|g; p" \
			"$DEPLOY/ascbell.service")
		[ "$options" = "--agent --trust-proxy 127.0.0.1 --spool $BATS_TEST_TMPDIR/spool" ]
		# shellcheck disable=SC2086 # the unit's words, split as systemd splits them
		start_long_running $options
		return
	fi
	options=$(sed -n "s|^serve=\"/usr/local/bin/asc-http \(.*\)\"\$|\1|; T; s|/var/lib/ascbell|$BATS_TEST_TMPDIR|g; p" \
		"$DEPLOY/socat-plain.sh")
	[ "$options" = "--trust-proxy 127.0.0.1 --spool $BATS_TEST_TMPDIR/spool" ]
	# shellcheck disable=SC2086 # the script's words, split as its shell splits them
	start_listener $options
}

# Waits until the proxy answers TLS on $PROXY_PORT (or gives up after 10 s).
wait_for_proxy() {
	for _ in $(seq 100); do
		curl -s -o /dev/null --cacert "$BATS_TEST_TMPDIR/cert.pem" --resolve "$HOST:$PROXY_PORT:127.0.0.1" \
			"https://$HOST:$PROXY_PORT/healthz" && return 0
		sleep 0.1
	done
	return 1
}

# nginx from the shipped server block, in a test nginx.conf of its own (pid, logs, temp).
start_nginx() {
	PROXY_PORT=$(free_port)
	local dir="$BATS_TEST_TMPDIR/nginx"
	mkdir -p "$dir"
	sed -e "s|listen 443 ssl|listen 127.0.0.1:$PROXY_PORT ssl|" -e '/listen \[::\]:443/d' \
		-e "s|/etc/letsencrypt/live/$HOST/fullchain.pem|$BATS_TEST_TMPDIR/cert.pem|" \
		-e "s|/etc/letsencrypt/live/$HOST/privkey.pem|$BATS_TEST_TMPDIR/key.pem|" \
		-e "s|127.0.0.1:8080|127.0.0.1:$LISTEN_PORT|" "$DEPLOY/nginx-proxy.conf" >"$dir/site.conf"
	cat >"$dir/nginx.conf" <<-EOF
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log stderr;
		events { worker_connections 64; }
		http {
			access_log off;
			client_body_temp_path $dir/body;
			proxy_temp_path $dir/proxy;
			include $dir/site.conf;
		}
	EOF
	timeout 120 nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>>"$dir/error.log" 3>&- &
	PROXY_PID=$!
	wait_for_proxy
}

# caddy from the shipped Caddyfile: the site address gets the test's port, and `tls` the
# test's certificate; global options keep this caddy to itself (no admin endpoint, no
# port 80, its data under the test's directory).
start_caddy() {
	PROXY_PORT=$(free_port)
	local dir="$BATS_TEST_TMPDIR/caddy"
	mkdir -p "$dir"
	{
		printf '{\n\tadmin off\n\thttp_port %s\n\tauto_https disable_redirects\n}\n\n' "$(free_port)"
		sed -e "s|^$HOST {|https://$HOST:$PROXY_PORT {\n\ttls $BATS_TEST_TMPDIR/cert.pem $BATS_TEST_TMPDIR/key.pem|" \
			-e "s|127.0.0.1:8080|127.0.0.1:$LISTEN_PORT|" "$DEPLOY/Caddyfile"
	} >"$dir/Caddyfile"
	XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" HOME="$dir" \
		timeout 120 caddy run --adapter caddyfile --config "$dir/Caddyfile" 2>>"$dir/caddy.log" 3>&- &
	PROXY_PID=$!
	wait_for_proxy
}

# POSTs body file $1 through the proxy with signature $2 and extra curl arguments; the
# answer's body in $ANSWER, its status in $CODE.
post() {
	local body=$1 signature=$2
	shift 2
	CODE=$(curl -sS -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" \
		--resolve "$HOST:$PROXY_PORT:127.0.0.1" -H 'Content-Type: application/json' \
		--interface 127.0.0.5 -H "x-apple-signature: $signature" --data-binary "@$body" "$@" \
		"https://$HOST:$PROXY_PORT/")
	ANSWER=$(cat "$BATS_TEST_TMPDIR/answer")
}

signature_of() {
	ASC_WEBHOOK_SECRET='proxy secret' asc-verify --sign <"$1"
}

# The checks every proxy must pass, with the allow-list letting the client through.
allowed_client_checks() {
	body="$FIXTURES/asc/app-version-rejected.json"
	post "$body" "$(signature_of "$body")"
	assert_equal "$CODE" 200
	assert_equal "$(jq -c .status <<<"$ANSWER")" 200
	assert_equal "$(fake_requests)" 1
	assert_equal "$(jq -r .title "$FAKE_DIR/bodies")" '❌ MyApp: Rejected'
	# Forged: 401 from asc-http, through the proxy, and nothing sent.
	sed 's/REJECTED/ACCEPTED/' "$body" >"$BATS_TEST_TMPDIR/forged.json"
	post "$BATS_TEST_TMPDIR/forged.json" "$(signature_of "$body")"
	assert_equal "$CODE" 401
	assert_equal "$(jq -c .status <<<"$ANSWER")" 401
	assert_equal "$(fake_requests)" 1
	# Larger than asc-http takes: 413, from the proxy itself ($1 = proxy) or from asc-http
	# before it read the body ($1 = asc-http).
	head -c 1100000 /dev/zero | tr '\0' 'x' >"$BATS_TEST_TMPDIR/big"
	post "$BATS_TEST_TMPDIR/big" "$(signature_of "$body")"
	assert_equal "$CODE" 413
	assert_equal "$(fake_requests)" 1
	# asc-http's log: the client the proxy forwarded, each request once.
	size=$(wc -c <"$body")
	run sh -c 'grep "^asc-http: .* POST " "$1" | sed -E "s/ [0-9]+ms.*//"' sh "$BATS_TEST_TMPDIR/listener.log"
	assert_line --index 0 "asc-http: 127.0.0.5 POST / 200 $size"
	assert_line --index 1 "asc-http: 127.0.0.5 POST / 401 $size"
	if [ "$1" = proxy ]; then
		assert_equal "${#lines[@]}" 2
	else
		# (asc-http answers 413 before it reads X-Forwarded-For: the proxy's address here.)
		assert_line --index 2 --regexp '^asc-http: 127\.0\.0\.[15] POST / 413 0$'
		assert_equal "${#lines[@]}" 3
	fi
}

# With the allow-list refusing the client (but not the proxy's own address): 403, even when
# the client names an allowed address in its own X-Forwarded-For.
refused_client_checks() {
	body="$FIXTURES/asc/ping.json"
	post "$body" "$(signature_of "$body")"
	assert_equal "$CODE" 403
	assert_equal "$(jq -c .status <<<"$ANSWER")" 403
	post "$body" "$(signature_of "$body")" -H 'X-Forwarded-For: 127.0.0.1'
	assert_equal "$CODE" 403
	assert_equal "$(fake_requests)" 0
}

@test "nginx-proxy.conf: TLS, a signed delivery reaches Echobell, a forged one 401, too large 413 (from nginx)" {
	start_receiver 127.0.0.5/32 long-running
	start_nginx
	allowed_client_checks proxy
}

@test "nginx-proxy.conf: a client outside ASCBELL_ALLOW gets 403, whatever X-Forwarded-For it sends" {
	start_receiver 127.0.0.1/32 long-running
	start_nginx
	refused_client_checks
}

@test "Caddyfile: TLS, a signed delivery reaches Echobell, a forged one 401, too large 413 (from asc-http)" {
	start_receiver 127.0.0.5/32
	start_caddy
	allowed_client_checks asc-http
}

@test "Caddyfile: a client outside ASCBELL_ALLOW gets 403, whatever X-Forwarded-For it sends" {
	start_receiver 127.0.0.1/32
	start_caddy
	refused_client_checks
}
