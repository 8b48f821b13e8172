#!/usr/bin/env bats
# asc-verify: exact output and exit status for every way a delivery can be good or bad.

load helpers/common

setup() {
	unset ASC_WEBHOOK_SECRET ASC_WEBHOOK_SECRET_FILE HTTP_X_APPLE_SIGNATURE
	BODY="$FIXTURES/http/apple-test-vector.body"
}

@test "Apple's example verifies and the body comes out unchanged" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
	[ -z "$stderr" ]
}

@test "the output is the body byte for byte: no newline added" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	asc-verify -s "$APPLE_SIGNATURE" <"$BODY" >"$BATS_TEST_TMPDIR/out"
	cmp "$BODY" "$BATS_TEST_TMPDIR/out"
}

@test "a body with a trailing newline keeps it, and needs its own signature" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	printf 'Hello, World!\n' >"$BATS_TEST_TMPDIR/body"
	run asc-verify -s "$APPLE_SIGNATURE" <"$BATS_TEST_TMPDIR/body"
	assert_failure 77
	sig=$(openssl_signature "$APPLE_SECRET" "$BATS_TEST_TMPDIR/body")
	asc-verify -s "$sig" <"$BATS_TEST_TMPDIR/body" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/out"
}

@test "a signature in upper-case hex verifies" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	upper="hmacsha256=$(printf '%s' "${APPLE_SIGNATURE#hmacsha256=}" | tr a-f A-F)"
	run --separate-stderr asc-verify -s "$upper" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "blanks around the signature are ignored" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -s "  $APPLE_SIGNATURE	" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "the signature comes from HTTP_X_APPLE_SIGNATURE when -s is not given" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET" HTTP_X_APPLE_SIGNATURE="$APPLE_SIGNATURE"
	run --separate-stderr asc-verify <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "-s wins over HTTP_X_APPLE_SIGNATURE" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET" HTTP_X_APPLE_SIGNATURE="hmacsha256=$(printf '0%.0s' {1..64})"
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "two secrets in one file: the second matches (rotation)" {
	keys=$(secret_file 'the new secret' "$APPLE_SECRET")
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "two -k files, then the environment: any of them may match" {
	one=$(secret_file 'first')
	two=$(secret_file 'second')
	export ASC_WEBHOOK_SECRET_FILE=$(secret_file 'third')
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -k "$one" -k "$two" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
	export ASC_WEBHOOK_SECRET=other
	printf '%s\n' "$APPLE_SECRET" >"$ASC_WEBHOOK_SECRET_FILE"
	run --separate-stderr asc-verify -k "$one" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
}

@test "a secret file with CRLF line ends and blank lines" {
	keys="$BATS_TEST_TMPDIR/crlf"
	printf '\r\nold\r\n\r\n%s\r\n' "$APPLE_SECRET" >"$keys"
	chmod 600 "$keys"
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "a secret file without a final newline" {
	keys="$BATS_TEST_TMPDIR/nonl"
	printf '%s' "$APPLE_SECRET" >"$keys"
	chmod 600 "$keys"
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
}

@test "a secret from a pipe (-k <(...)) works" {
	run --separate-stderr asc-verify -k <(printf '%s\n' "$APPLE_SECRET") -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
}

@test "the wrong secret: exit 77, nothing on stdout, the reason on stderr" {
	export ASC_WEBHOOK_SECRET='not my secret'
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 77
	assert_output ''
	[ "$stderr" = "asc-verify: error: signature mismatch (the body was not signed with any known secret)" ]
}

@test "one flipped bit in the body is a mismatch" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	# 'H' is 0x48; 'I' is 0x49: the lowest bit of the first byte.
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" < <(printf 'Iello, World!')
	assert_failure 77
	assert_output ''
	[[ "$stderr" == *"signature mismatch"* ]]
}

@test "no signature anywhere: exit 77, 'no signature'" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify <"$BODY"
	assert_failure 77
	assert_output ''
	[ "$stderr" = "asc-verify: error: no signature (give -s, set HTTP_X_APPLE_SIGNATURE, or use --http with an x-apple-signature header)" ]
}

@test "a saved request without the header: 'no signature'" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http < <(printf 'POST / HTTP/1.1\r\nContent-Length: 13\r\n\r\nHello, World!')
	assert_failure 77
	assert_output ''
	[[ "$stderr" == *"no signature"* ]]
}

malformed() {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -s "$1" <"$BODY"
	assert_failure 77
	assert_output ''
	[ "$stderr" = "asc-verify: error: malformed signature (expected hmacsha256= and 64 hex digits)" ]
}

@test "63 hex digits are malformed" {
	malformed "${APPLE_SIGNATURE%?}"
}

@test "65 hex digits are malformed" {
	malformed "${APPLE_SIGNATURE}7"
}

@test "a non-hex digit is malformed" {
	malformed "${APPLE_SIGNATURE%?}g"
}

@test "the sha256= prefix is malformed" {
	malformed "sha256=${APPLE_SIGNATURE#hmacsha256=}"
}

@test "no prefix at all, and an empty value, are malformed" {
	malformed "${APPLE_SIGNATURE#hmacsha256=}"
	malformed ""
}

@test "an empty body verifies against its own signature, and comes out empty" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	sig=$(openssl_signature "$APPLE_SECRET" /dev/null)
	run --separate-stderr asc-verify -s "$sig" </dev/null
	assert_success
	assert_output ''
	run asc-verify -s "$APPLE_SIGNATURE" </dev/null
	assert_failure 77
}

@test "binary bodies with NUL bytes and invalid UTF-8 pass through byte for byte" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	printf '{"a":"\xff\xfe\x00\xc3"}\0\n' >"$BATS_TEST_TMPDIR/body"
	sig=$(openssl_signature "$APPLE_SECRET" "$BATS_TEST_TMPDIR/body")
	asc-verify -s "$sig" <"$BATS_TEST_TMPDIR/body" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/out"
}

@test "a 2 MiB body is refused with 65 under the default 1 MiB limit" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	head -c 2097152 /dev/zero >"$BATS_TEST_TMPDIR/big"
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BATS_TEST_TMPDIR/big"
	assert_failure 65
	assert_output ''
	[ "$stderr" = "asc-verify: error: body larger than --max-body (1048576 bytes)" ]
}

@test "a 2 MiB body verifies with --max-body 2M" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	head -c 2097152 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	sig=$(openssl_signature "$APPLE_SECRET" "$BATS_TEST_TMPDIR/big")
	asc-verify --max-body 2M -s "$sig" <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/out"
}

@test "a body exactly at --max-body passes; one byte more does not" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --max-body 13 -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
	run --separate-stderr asc-verify --max-body 12 -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 65
	[ "$stderr" = "asc-verify: error: body larger than --max-body (12 bytes)" ]
}

@test "an endless body stops at the limit instead of reading forever" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr timeout 20 asc-verify -s "$APPLE_SIGNATURE" < <(yes)
	assert_failure 65
	assert_output ''
}

@test "--http: a saved request with Content-Length and CRLF" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http "$FIXTURES/http/apple-test-vector.http"
	assert_success
	assert_output 'Hello, World!'
	[ -z "$stderr" ]
}

@test "--http: a chunked request with the header written X-Apple-SIGNATURE, from stdin" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http <"$FIXTURES/http/apple-test-vector-chunked.http"
	assert_success
	assert_output 'Hello, World!'
}

@test "--http: bare LF line ends and upper-case header names" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http "$FIXTURES/http/apple-test-vector-lf.http"
	assert_success
	assert_output 'Hello, World!'
}

@test "--http: a real payload signed by --sign round-trips through a saved request" {
	keys=$(secret_file 'payload secret')
	payload="$FIXTURES/asc/app-version-state.json"
	sig=$(asc-verify -k "$keys" --sign <"$payload")
	assert_equal "$sig" "$(openssl_signature 'payload secret' "$payload")"
	{
		printf 'POST /asc HTTP/1.1\r\nHost: h\r\nx-apple-signature: %s\r\nContent-Length: %d\r\n\r\n' \
			"$sig" "$(wc -c <"$payload")"
		cat "$payload"
	} >"$BATS_TEST_TMPDIR/req.http"
	asc-verify -k "$keys" --http "$BATS_TEST_TMPDIR/req.http" >"$BATS_TEST_TMPDIR/out"
	cmp "$payload" "$BATS_TEST_TMPDIR/out"
}

@test "--http: a request cut short in its body is 65" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	head -c 205 "$FIXTURES/http/apple-test-vector.http" >"$BATS_TEST_TMPDIR/cut.http"
	run --separate-stderr asc-verify --http "$BATS_TEST_TMPDIR/cut.http"
	assert_failure 65
	assert_output ''
	[ "$stderr" = "asc-verify: error: $BATS_TEST_TMPDIR/cut.http: not a whole HTTP request: request cut short" ]
}

@test "--http: a request cut short in its headers is 65" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http < <(printf 'POST / HTTP/1.1\r\nHost: h\r\nx-apple-sig')
	assert_failure 65
	[ "$stderr" = "asc-verify: error: not a whole HTTP request: request cut short" ]
}

@test "--http: something that is not HTTP is 65" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http <"$BODY"
	assert_failure 65
	assert_output ''
	[[ "$stderr" == "asc-verify: error: not a whole HTTP request: "* ]]
}

@test "--http: a declared length over the limit is refused before the body is read" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	# The body never comes while the writer stays open: asc-verify must not wait for it.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	asc-verify --http <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec {writer}>"$BATS_TEST_TMPDIR/fifo"
	printf 'POST / HTTP/1.1\r\nContent-Length: 2097152\r\n\r\n' >&$writer
	for _ in $(seq 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	still_running=0
	kill -0 $pid 2>/dev/null && still_running=1
	exec {writer}>&-
	status=0
	wait $pid || status=$?
	assert_equal "$still_running" 0
	assert_equal "$status" 65
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "asc-verify: error: body larger than --max-body (1048576 bytes)"
}

@test "--http: a chunked body over the limit is 65" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http --max-body 10 <"$FIXTURES/http/apple-test-vector-chunked.http"
	assert_failure 65
	[ "$stderr" = "asc-verify: error: body larger than --max-body (10 bytes)" ]
}

@test "--http: headers over 16 KiB are 65" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http < <(printf 'POST / HTTP/1.1\r\nX-Big: %s\r\n\r\n' "$(head -c 20000 /dev/zero | tr '\0' a)")
	assert_failure 65
	[ "$stderr" = "asc-verify: error: not a whole HTTP request: request headers too large" ]
}

@test "several FILEs: the good ones come out one per line, the forged one is named, exit 77" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http "$FIXTURES/http/apple-test-vector.http" \
		"$FIXTURES/http/forged.http" "$FIXTURES/http/apple-test-vector-chunked.http"
	assert_failure 77
	assert_output "$(printf 'Hello, World!\nHello, World!')"
	[ "$stderr" = "asc-verify: error: $FIXTURES/http/forged.http: signature mismatch (the body was not signed with any known secret)" ]
}

@test "several FILEs: a missing one is 66 and the others still come out" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --http "$BATS_TEST_TMPDIR/absent.http" "$FIXTURES/http/apple-test-vector.http"
	assert_failure 66
	assert_output 'Hello, World!'
	[ "$stderr" = "asc-verify: error: cannot open $BATS_TEST_TMPDIR/absent.http: No such file or directory" ]
}

@test "raw FILEs without --http share the -s signature" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" "$BODY" "$BODY"
	assert_success
	assert_output "$(printf 'Hello, World!\nHello, World!')"
}

@test "--sign prints Apple's signature for Apple's example" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify --sign <"$BODY"
	assert_success
	assert_output "$APPLE_SIGNATURE"
}

@test "--sign round trip: sign every fixture payload, then verify it" {
	keys=$(secret_file 'round trip secret' 'older secret')
	for payload in "$FIXTURES"/asc/*.json; do
		sig=$(asc-verify -k "$keys" --sign <"$payload")
		asc-verify -k "$keys" -s "$sig" <"$payload" >"$BATS_TEST_TMPDIR/out"
		cmp "$payload" "$BATS_TEST_TMPDIR/out"
	done
}

@test "--sign uses the first secret" {
	keys=$(secret_file "$APPLE_SECRET" 'older secret')
	run asc-verify -k "$keys" --sign <"$BODY"
	assert_output "$APPLE_SIGNATURE"
}

@test "no secret at all: exit 78 before reading anything" {
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 78
	assert_output ''
	[ "$stderr" = "asc-verify: error: no webhook secret (give -k FILE, or set ASC_WEBHOOK_SECRET_FILE or ASC_WEBHOOK_SECRET)" ]
}

@test "a secret file with only blank lines counts as no secret" {
	keys=$(secret_file '' '')
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 78
}

@test "an unreadable secret file is 78 and named" {
	run --separate-stderr asc-verify -k "$BATS_TEST_TMPDIR/none" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 78
	[ "$stderr" = "asc-verify: error: cannot read secret file $BATS_TEST_TMPDIR/none: No such file or directory" ]
	export ASC_WEBHOOK_SECRET_FILE="$BATS_TEST_TMPDIR"
	run --separate-stderr asc-verify -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 78
	[ "$stderr" = "asc-verify: error: cannot read secret file $BATS_TEST_TMPDIR (ASC_WEBHOOK_SECRET_FILE): Is a directory" ]
}

@test "a secret file over 64 KiB is refused" {
	keys="$BATS_TEST_TMPDIR/huge"
	head -c 70000 /dev/zero | tr '\0' k >"$keys"
	chmod 600 "$keys"
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_failure 78
	[ "$stderr" = "asc-verify: error: cannot read secret file $keys: File too large" ]
}

@test "a world-readable secret file gets a warning, which -q silences" {
	keys=$(secret_file "$APPLE_SECRET")
	chmod 644 "$keys"
	run --separate-stderr asc-verify -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	assert_output 'Hello, World!'
	[ "$stderr" = "asc-verify: warning: secret file $keys is readable by everyone (chmod 600 $keys)" ]
	run --separate-stderr asc-verify -q -k "$keys" -s "$APPLE_SIGNATURE" <"$BODY"
	assert_success
	[ -z "$stderr" ]
}

@test "the secret never shows in ps, in /proc cmdline, or in any message" {
	secret='s3cr3t-that-must-not-leak'
	keys=$(secret_file "$secret")
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# asc-verify blocks on the fifo while we look at its command line.
	ASC_WEBHOOK_SECRET="$secret" asc-verify -k "$keys" -s "$APPLE_SIGNATURE" \
		<"$BATS_TEST_TMPDIR/fifo" >/dev/null 2>"$BATS_TEST_TMPDIR/err1" &
	pid=$!
	exec {writer}>"$BATS_TEST_TMPDIR/fifo"
	ps -eo args >"$BATS_TEST_TMPDIR/ps"
	tr '\0' ' ' </proc/$pid/cmdline >"$BATS_TEST_TMPDIR/cmdline"
	printf 'forged' >&$writer
	exec {writer}>&-
	wait $pid || true
	grep -q "asc-verify -k $keys" "$BATS_TEST_TMPDIR/ps"
	grep -q "asc-verify -k $keys" "$BATS_TEST_TMPDIR/cmdline"
	run grep -c "$secret" "$BATS_TEST_TMPDIR/ps" "$BATS_TEST_TMPDIR/cmdline"
	assert_failure 1
	# Every failure message, with the secret loaded from both places.
	export ASC_WEBHOOK_SECRET="$secret"
	{
		asc-verify -k "$keys" -v -s "$APPLE_SIGNATURE" <"$BODY"
		asc-verify -k "$keys" -v <"$BODY"
		asc-verify -k "$keys" -v -s "hmacsha256=$secret" <"$BODY"
		asc-verify -k "$keys" -v --http <"$BODY"
		asc-verify -k "$keys" -v --max-body 1 -s "$APPLE_SIGNATURE" <"$BODY"
		asc-verify -k "$keys" -v --bogus
		asc-verify -k "$keys" -v --sign <"$BODY"
	} >/dev/null 2>"$BATS_TEST_TMPDIR/err2" || true
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err2")" -ge 7 ]
	grep -q 'signature mismatch' "$BATS_TEST_TMPDIR/err1"
	run grep -c "$secret" "$BATS_TEST_TMPDIR/err1" "$BATS_TEST_TMPDIR/err2"
	assert_failure 1
}

@test "-v says what was verified" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr asc-verify -v --http "$FIXTURES/http/apple-test-vector.http"
	assert_success
	[ "$stderr" = "asc-verify: $FIXTURES/http/apple-test-vector.http: signature verified (13 bytes)" ]
}

@test "--help and --version go to stdout with exit 0" {
	run --separate-stderr asc-verify --help
	assert_success
	assert_line --index 0 'usage: asc-verify [-k SECRET_FILE]... [-s SIGNATURE] [--http] [--max-body N] [FILE...]'
	run --separate-stderr asc-verify --version
	assert_success
	assert_output 'asc-verify ascbell 0.1.0'
}

@test "a bad option or a bad --max-body is 64" {
	run --separate-stderr asc-verify --no-such-option
	assert_failure 64
	assert_output ''
	run --separate-stderr asc-verify --max-body 12Q
	assert_failure 64
	[ "$stderr" = "asc-verify: error: --max-body: not a size: 12Q (bytes, or with K, M, G)" ]
}

@test "a failed write (full disk) is 74, not a silent success" {
	export ASC_WEBHOOK_SECRET="$APPLE_SECRET"
	run --separate-stderr sh -c 'asc-verify -s "$1" <"$2" >/dev/full' sh "$APPLE_SIGNATURE" "$BODY"
	assert_failure 74
	[ "$stderr" = "asc-verify: error: cannot write output: No space left on device" ]
}
