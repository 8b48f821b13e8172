#!/usr/bin/env bats
# Who owns what is written: the web server's user (www-data) writes spools and the outbox,
# the delivery agent ($AGENT, standing in for ascbell) reads them. Shared directories are
# setgid and group-writable (2770); what lands in them is the group's (2770, 0660), what
# lands elsewhere stays private (0700, 0600); a file the agent could not read is refused
# before it is put where the agent looks. Needs root (other users, setpriv).

load helpers/common
load helpers/ownership

REPLAY="$BATS_TEST_DIRNAME/../scripts/asc-replay"

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	make_agent ascbell-owntest
}

teardown_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	AGENT=ascbell-owntest remove_agent
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: other users and setpriv"
	AGENT=ascbell-owntest
	let_through "$BATS_TEST_TMPDIR"
	let_through "$ASCBELL_BIN"
	# The agent's state directory, as ascbell-deliver.service's StateDirectory= makes it
	# with StateDirectoryMode=2770 (or install -d -o ascbell -g ascbell -m 2770).
	VAR="$BATS_TEST_TMPDIR/var"
	install -d -o "$AGENT" -g "$AGENT" -m 2770 "$VAR"
	MESSAGE='{"title":"t","body":"b"}'
}

teardown() {
	stop_fake
}

@test "a private directory stays private: every missing level 0700, files 0600, whatever the umask" {
	run --separate-stderr sh -c 'umask 000; printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$BATS_TEST_TMPDIR/a/b/outbox"
	assert_success
	for dir in a a/b a/b/outbox a/b/outbox/tmp a/b/outbox/new a/b/outbox/cur a/b/outbox/failed; do
		assert_equal "$(owned "$BATS_TEST_TMPDIR/$dir")" '700 root root'
	done
	assert_equal "$(owned "$BATS_TEST_TMPDIR"/a/b/outbox/new/*)" '600 root root'
}

@test "www-data writes into the agent's 2770 directory: 2770 and 0660, the agent reads it" {
	run --separate-stderr as_web sh -c 'umask 077; printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$VAR/outbox"
	assert_success
	for dir in outbox outbox/tmp outbox/new outbox/cur outbox/failed; do
		assert_equal "$(owned "$VAR/$dir")" "2770 www-data $AGENT"
	done
	file=$(echo "$VAR"/outbox/new/*)
	assert_equal "$(owned "$file")" "660 www-data $AGENT"
	run as_user "$AGENT" cat "$file"
	assert_output "$MESSAGE"
	# asc-http's spool under CGI: the same rules.
	run --separate-stderr as_web env -i REQUEST_METHOD=POST REQUEST_URI=/ CONTENT_LENGTH=2 \
		"$ASCBELL_BIN/asc-http" -q --cgi --spool "$VAR/spool" -- true <<<'{}'
	assert_line --index 0 $'Status: 200 OK\r'
	assert_equal "$(owned "$VAR/spool/cur")" "2770 www-data $AGENT"
	assert_equal "$(owned "$VAR"/spool/cur/*)" "660 www-data $AGENT"
	run as_user "$AGENT" cat "$VAR"/spool/cur/*
	assert_line --index 0 $'POST / HTTP/1.1\r'
}

@test "the agent delivers what www-data queued, and can remove it" {
	start_fake
	as_web sh -c 'printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$VAR/outbox"
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/url"
	chmod 644 "$BATS_TEST_TMPDIR/url"
	run --separate-stderr as_user "$AGENT" echobell-send --url-file "$BATS_TEST_TMPDIR/url" --flush "$VAR/outbox"
	assert_success
	assert_equal "$(cat "$FAKE_DIR/bodies")" "$MESSAGE"
	assert_equal "$(ls -A "$VAR/outbox/new" "$VAR/outbox/failed")" "$(printf '%s/outbox/failed:\n\n%s/outbox/new:' "$VAR" "$VAR")"
}

@test "a level that cannot be made: the error names it and the command that makes it" {
	install -d -m 755 "$BATS_TEST_TMPDIR/etc"
	run --separate-stderr as_web sh -c 'printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$BATS_TEST_TMPDIR/etc/lib/ascbell/outbox"
	assert_failure 75
	assert_equal "$stderr" "echobell-send: error: cannot use the outbox: cannot make the directory $BATS_TEST_TMPDIR/etc/lib: Permission denied (as root: install -d -o ascbell -g ascbell -m 2770 $BATS_TEST_TMPDIR/etc/lib)"
	[ ! -e "$BATS_TEST_TMPDIR/etc/lib" ]
	# asc-http says the same and answers 503: a delivery it cannot keep is not accepted.
	run --separate-stderr as_web env -i REQUEST_METHOD=POST REQUEST_URI=/ CONTENT_LENGTH=2 \
		"$ASCBELL_BIN/asc-http" --cgi --spool "$BATS_TEST_TMPDIR/etc/spool" -- true <<<'{}'
	assert_line --index 0 $'Status: 503 Service Unavailable\r'
	[[ "$stderr" == "asc-http: error: cannot write the spool: cannot make the directory $BATS_TEST_TMPDIR/etc/spool: Permission denied (as root: install -d -o ascbell -g ascbell -m 2770 $BATS_TEST_TMPDIR/etc/spool)"* ]]
}

@test "a file the agent could not read is refused: 75, nothing in new/, asc-http answers 503 and keeps the request" {
	# Group-writable but not setgid: www-data's files would get group www-data.
	for dir in "" /tmp /new /cur /failed; do
		install -d -o "$AGENT" -g "$AGENT" -m 770 "$VAR/outbox$dir"
		chmod g-s "$VAR/outbox$dir"
	done
	run --separate-stderr as_web sh -c 'printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$VAR/outbox"
	assert_failure 75
	assert_equal "$stderr" "echobell-send: error: not queued: a file that www-data writes in $VAR/outbox would be unreadable by the directory's owner $AGENT and group $AGENT (run as $AGENT, or share the directory: chmod 2770 $VAR/outbox $VAR/outbox/*, with www-data in group $AGENT)"
	assert_equal "$(ls -A "$VAR/outbox/tmp" "$VAR/outbox/new")" "$(printf '%s/outbox/new:\n\n%s/outbox/tmp:' "$VAR" "$VAR")"
	# Through asc-http: 503, and the request waits in the spool's new/ for asc-replay.
	printf '#!/bin/sh\nexec echobell-send --queue "%s"\n' "$VAR/outbox" >"$BATS_TEST_TMPDIR/queue"
	chmod 755 "$BATS_TEST_TMPDIR/queue"
	run --separate-stderr as_web env -i PATH="$PATH" REQUEST_METHOD=POST REQUEST_URI=/ CONTENT_LENGTH=${#MESSAGE} \
		"$ASCBELL_BIN/asc-http" -q --cgi --spool "$VAR/spool" -- "$BATS_TEST_TMPDIR/queue" <<<"$MESSAGE"
	assert_output "$(printf 'Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n{"status":503,"message":"try again later"}')"
	[ "$(ls "$VAR/spool/new" | wc -l)" -eq 1 ]
	[ -z "$(ls -A "$VAR/outbox/new")" ]
}

@test "root writing into the agent's private directory is refused, not left unreadable" {
	install -d -o "$AGENT" -g "$AGENT" -m 700 "$BATS_TEST_TMPDIR/private"
	run --separate-stderr sh -c 'printf "%s\n" "$1" | echobell-send --queue "$2"' sh "$MESSAGE" "$BATS_TEST_TMPDIR/private"
	assert_failure 75
	assert_equal "$stderr" "echobell-send: error: not queued: a file that root writes in $BATS_TEST_TMPDIR/private would be unreadable by the directory's owner $AGENT and group $AGENT (run as $AGENT, or share the directory: chmod 2770 $BATS_TEST_TMPDIR/private $BATS_TEST_TMPDIR/private/*, with root in group $AGENT)"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/private/new")" ]
}

@test "asc-replay run by root replays as the spool's owner: what it leaves, the agent reads" {
	# A delivery www-data kept (its handler failed), replayed by root into the outbox.
	as_web env -i REQUEST_METHOD=POST REQUEST_URI=/ CONTENT_LENGTH=${#MESSAGE} \
		"$ASCBELL_BIN/asc-http" -q --cgi --spool "$VAR/spool" -- false <<<"$MESSAGE" >/dev/null
	[ "$(ls "$VAR/spool/new" | wc -l)" -eq 1 ]
	printf '#!/bin/sh\nid -un >"%s/ran-as"\nexec echobell-send --queue "%s"\n' "$VAR" "$VAR/outbox" >"$BATS_TEST_TMPDIR/queue"
	chmod 755 "$BATS_TEST_TMPDIR/queue"
	run --separate-stderr "$REPLAY" "$VAR/spool" "$BATS_TEST_TMPDIR/queue"
	assert_success
	assert_equal "$stderr" "asc-replay: $(ls "$VAR/spool/cur"): 200, moved to cur/"
	assert_equal "$(cat "$VAR/ran-as")" www-data
	assert_equal "$(owned "$VAR"/spool/cur/*)" "660 www-data $AGENT"
	assert_equal "$(owned "$VAR"/outbox/new/*)" "660 www-data $AGENT"
	run as_user "$AGENT" cat "$VAR"/outbox/new/*
	assert_output "$MESSAGE"
}

@test "asc-replay run by root on a spool of a uid without a user refuses, saying what to do" {
	install -d -o 4242 -g 4242 -m 2770 "$BATS_TEST_TMPDIR/orphan" "$BATS_TEST_TMPDIR/orphan/new"
	run --separate-stderr "$REPLAY" "$BATS_TEST_TMPDIR/orphan" true
	assert_failure 77
	assert_equal "$stderr" "asc-replay: error: $BATS_TEST_TMPDIR/orphan belongs to uid 4242 and cannot be replayed as root (run asc-replay as the spool's owner)"
}
