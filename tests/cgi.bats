#!/usr/bin/env bats
# asc-http --cgi with the environments real CGI servers make. The variable sets below are
# what nginx 1.22 + fcgiwrap 1.1 and lighttpd 1.4.69 (Debian 12) passed to a script that
# printed its environment, behind scripts/deploy/ (tests/deploy-cgi.bats runs the servers
# themselves); the first is the reproduction from issue 10.

load helpers/common

setup() {
	unset ASCBELL_ALLOW ASCBELL_APPS_DIR
	HANDLER="$BATS_TEST_TMPDIR/handler"
	# Records its body and CGI variables.
	cat >"$HANDLER" <<'EOS'
#!/bin/sh
cat >"$RECORD.body"
env | grep -E '^(HTTP_[A-Z0-9_]*|REQUEST_METHOD|PATH_INFO|QUERY_STRING|CONTENT_[A-Z]*|REMOTE_ADDR|REMOTE_PORT)=' | sort >"$RECORD.env"
EOS
	chmod +x "$HANDLER"
	export RECORD="$BATS_TEST_TMPDIR/record"
	SPOOL="$BATS_TEST_TMPDIR/spool"
	BODY="$FIXTURES/asc/ping.json"
	LEN=$(wc -c <"$BODY")
}

# The one request asc-http kept in the spool (cur/ after a 2xx).
spooled() {
	cat "$SPOOL"/cur/*
}

@test "issue 10: HTTP_CONTENT_LENGTH beside CONTENT_LENGTH is not a second Content-Length" {
	run --separate-stderr env -i REQUEST_METHOD=POST SCRIPT_NAME=/asc PATH_INFO=/ CONTENT_LENGTH=148 HTTP_CONTENT_LENGTH=148 \
		"$ASCBELL_BIN/asc-http" --cgi --path /asc -- true <"$BODY"
	assert_output "$(printf 'Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":200,"message":"delivered"}')"
	[[ "$stderr" =~ ^asc-http:\ -\ POST\ /asc/\ 200\ 148\ [0-9]+ms$ ]]
}

@test "nginx + fcgiwrap's environment: the request rebuilt once, with one length and no chunking" {
	# As nginx passes it for a chunked POST /asc/123?x=1 (it has decoded the body), with
	# fastcgi_params and the shipped location (SCRIPT_NAME /asc, PATH_INFO the rest).
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" FCGI_ROLE=RESPONDER GATEWAY_INTERFACE=CGI/1.1 \
		SERVER_SOFTWARE=nginx/1.22.1 SERVER_PROTOCOL=HTTP/1.1 SERVER_ADDR=127.0.0.1 SERVER_PORT=443 SERVER_NAME=hooks.example.com \
		REQUEST_SCHEME=https HTTPS=on REDIRECT_STATUS=200 DOCUMENT_ROOT=/etc/nginx/html DOCUMENT_URI=/asc/123 \
		SCRIPT_FILENAME=/usr/local/lib/ascbell/asc-cgi SCRIPT_NAME=/asc PATH_INFO=/123 REQUEST_URI='/asc/123?x=1' QUERY_STRING=x=1 \
		REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH="$LEN" REMOTE_ADDR=17.58.1.2 REMOTE_PORT=55034 REMOTE_USER= \
		HTTP_HOST=hooks.example.com HTTP_CONTENT_TYPE=application/json HTTP_CONTENT_LENGTH="$LEN" HTTP_TRANSFER_ENCODING=chunked \
		HTTP_X_APPLE_SIGNATURE=hmacsha256=ab HTTP_USER_AGENT=Apple ASCBELL_ENV=/etc/ascbell/env \
		"$ASCBELL_BIN/asc-http" --cgi --path /asc --spool "$SPOOL" -- "$HANDLER" <"$BODY"
	assert_line --index 0 $'Status: 200 OK\r'
	[[ "$stderr" =~ ^asc-http:\ 17.58.1.2\ POST\ /asc/123\ 200\ $LEN\ [0-9]+ms\ [0-9.]+$ ]]
	cmp "$RECORD.body" "$BODY"
	assert_equal "$(cat "$RECORD.env")" "$(printf 'CONTENT_LENGTH=%s\nCONTENT_TYPE=application/json\nHTTP_HOST=hooks.example.com\nHTTP_USER_AGENT=Apple\nHTTP_X_APPLE_SIGNATURE=hmacsha256=ab\nPATH_INFO=/123\nQUERY_STRING=x=1\nREMOTE_ADDR=17.58.1.2\nREMOTE_PORT=55034\nREQUEST_METHOD=POST' "$LEN")"
	# The spool holds a request asc-verify --http and asc-replay read as it came.
	run spooled
	assert_output "$(printf 'POST /asc/123?x=1 HTTP/1.1\r\nhost: hooks.example.com\r\nx-apple-signature: hmacsha256=ab\r\nuser-agent: Apple\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' "$LEN" "$(cat "$BODY")")"
}

@test "lighttpd's environment (mod_alias + mod_cgi): SCRIPT_NAME /asc, PATH_INFO the rest" {
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" GATEWAY_INTERFACE=CGI/1.1 SERVER_SOFTWARE=lighttpd/1.4.69 \
		SERVER_NAME=hooks.example.com SERVER_ADDR=127.0.0.1 SERVER_PORT=443 SERVER_PROTOCOL=HTTP/1.1 REQUEST_SCHEME=https HTTPS=on \
		DOCUMENT_ROOT=/usr/local/lib/ascbell/asc-cgi/ SCRIPT_FILENAME=/usr/local/lib/ascbell/asc-cgi SCRIPT_NAME=/asc PATH_INFO=/ \
		PATH_TRANSLATED=/usr/local/lib/ascbell/asc-cgi/ REQUEST_URI=/asc/ QUERY_STRING= REDIRECT_STATUS=200 REQUEST_METHOD=POST \
		CONTENT_LENGTH="$LEN" CONTENT_TYPE=application/json HTTP_CONTENT_LENGTH="$LEN" HTTP_HOST=hooks.example.com \
		REMOTE_ADDR=17.58.1.2 REMOTE_PORT=59548 HTTP_X_APPLE_SIGNATURE=hmacsha256=ab ASCBELL_ENV=/etc/ascbell/env \
		"$ASCBELL_BIN/asc-http" --cgi --path /asc --spool "$SPOOL" -- "$HANDLER" <"$BODY"
	assert_line --index 0 $'Status: 200 OK\r'
	[[ "$stderr" =~ ^asc-http:\ 17.58.1.2\ POST\ /asc/\ 200\ $LEN\ [0-9]+ms\ [0-9.]+$ ]]
	grep -qx 'PATH_INFO=/' "$RECORD.env"
	run spooled
	assert_output "$(printf 'POST /asc/ HTTP/1.1\r\nhost: hooks.example.com\r\nx-apple-signature: hmacsha256=ab\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' "$LEN" "$(cat "$BODY")")"
}

@test "nginx with the old 'PATH_INFO \$uri': the path is /asc/123 once, not /asc/123/asc/123" {
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" SCRIPT_NAME=/asc/123 PATH_INFO=/asc/123 REQUEST_URI=/asc/123 \
		REQUEST_METHOD=POST CONTENT_LENGTH="$LEN" HTTP_CONTENT_LENGTH="$LEN" \
		"$ASCBELL_BIN/asc-http" --cgi --path /asc -- "$HANDLER" <"$BODY"
	assert_line --index 0 $'Status: 200 OK\r'
	[[ "$stderr" =~ ^asc-http:\ -\ POST\ /asc/123\ 200\ $LEN\ [0-9]+ms$ ]]
	grep -qx 'PATH_INFO=/123' "$RECORD.env"
}

@test "no REQUEST_URI: SCRIPT_NAME + PATH_INFO, decoded by the server, are encoded again" {
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" SCRIPT_NAME=/asc PATH_INFO='/a b%' QUERY_STRING='k=v w' \
		REQUEST_METHOD=POST CONTENT_LENGTH="$LEN" "$ASCBELL_BIN/asc-http" --cgi --path /asc -- "$HANDLER" <"$BODY"
	assert_line --index 0 $'Status: 200 OK\r'
	[[ "$stderr" =~ ^asc-http:\ -\ POST\ /asc/a%20b%25\ 200\ $LEN\ [0-9]+ms$ ]]
	grep -qx 'PATH_INFO=/a%20b%25' "$RECORD.env"
	grep -qx 'QUERY_STRING=k=v%20w' "$RECORD.env"
	# A REQUEST_URI that is not a request target (not from a real server) is not used.
	run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" SCRIPT_NAME=/asc PATH_INFO=/x REQUEST_URI='/asc/y z' \
		REQUEST_METHOD=POST CONTENT_LENGTH="$LEN" "$ASCBELL_BIN/asc-http" --cgi --path /asc -- "$HANDLER" <"$BODY"
	assert_line --index 0 $'Status: 200 OK\r'
	grep -qx 'PATH_INFO=/x' "$RECORD.env"
}

@test "the allow-list sees the server's REMOTE_ADDR (--allow with --cgi)" {
	for peer in 17.58.1.2:200 192.0.2.9:403; do
		rm -f "$RECORD.body"
		run --separate-stderr env -i PATH="$PATH" RECORD="$RECORD" SCRIPT_NAME=/asc PATH_INFO=/ REQUEST_URI=/asc/ \
			REQUEST_METHOD=POST CONTENT_LENGTH="$LEN" HTTP_CONTENT_LENGTH="$LEN" REMOTE_ADDR="${peer%:*}" REMOTE_PORT=4000 \
			"$ASCBELL_BIN/asc-http" --cgi --path /asc --allow 17.0.0.0/8 -- "$HANDLER" <"$BODY"
		assert_line --index 0 "Status: ${peer#*:} $([ "${peer#*:}" = 200 ] && echo OK || echo Forbidden)"$'\r'
		[[ "$stderr" == "asc-http: ${peer%:*} "*" ${peer#*:} "* ]]
	done
	# 403: the handler never ran.
	[ ! -e "$RECORD.body" ]
}
