#!/usr/bin/env bats
# asc-webhooks against the fake App Store Connect API (JWTs checked, JSON:API bodies, paging).

load helpers/common

# strace in front of a program: under make sanitize, LeakSanitizer cannot run under ptrace
# (it would turn the exit status into 1), so the traced program checks memory errors only.
TRACED="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

setup() {
	start_fake_api
	W=asc-webhooks
}

teardown() {
	stop_fake
}

@test "list follows links.next through every page" {
	run --separate-stderr $W list --app 6447123456
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 2 '{"id":"wh-3","name":"hook 3","url":"https://hooks.example.com/3","enabled":true,"eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED"]}'
	assert_equal "$(grep -c 'webhooks' "$API_DIR/log")" 2
}

@test "list --table prints columns" {
	run --separate-stderr $W list --app 6447123456 --table
	assert_line --index 0 --partial 'wh-1                  hook 1                https://hooks.example.com/1'
}

@test "create sends all five attributes, the secret once and never shows it" {
	secret=$(secret_file 'w3bh00k-s3cret')
	run --separate-stderr $W create --app 6447123456 --name New --url https://hooks.example.com/new --url-as-is --events APP_STORE_VERSION_APP_VERSION_STATE_UPDATED,BUILD_UPLOAD_STATE_UPDATED --secret-file "$secret"
	assert_success
	assert_output '{"id":"wh-4","name":"New","url":"https://hooks.example.com/new","enabled":true,"eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","BUILD_UPLOAD_STATE_UPDATED"]}'
	run jq -c . "$API_DIR/bodies"
	assert_output '{"data":{"type":"webhooks","attributes":{"name":"New","url":"https://hooks.example.com/new","eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","BUILD_UPLOAD_STATE_UPDATED"],"secret":"w3bh00k-s3cret","enabled":true},"relationships":{"app":{"data":{"type":"apps","id":"6447123456"}}}}}'
	[[ "$stderr" != *w3bh00k* ]]
}

@test "create --events all, --disabled" {
	run --separate-stderr $W create --app 6447123456 --name All --url https://h.example/x --events all --secret-file "$(secret_file s)" --disabled
	assert_success
	assert_equal "$(jq -r '.eventTypes | length' <<<"$output") $(jq -r .enabled <<<"$output")" "12 false"
}

@test "event names are checked before Apple sees them" {
	run --separate-stderr $W create --app 6447123456 --name N --url https://h.example/x --events buildUploadStateUpdated --secret-file "$(secret_file s)"
	assert_failure 64
	[ "$stderr" = "asc-webhooks: error: --events: buildUploadStateUpdated is a payload type; the subscription name is BUILD_UPLOAD_STATE_UPDATED" ]
	run --separate-stderr $W create --app 6447123456 --name N --url https://h.example/x --events NOPE --secret-file "$(secret_file s)"
	assert_failure 64
	[ "$(api_requests)" -eq 0 ]
	run --separate-stderr $W create --app 6447123456 --name N
	assert_failure 64
}

@test "update rotates the secret and pauses; get shows it; delete removes it; then 404" {
	run --separate-stderr $W update wh-2 --disable --secret-file "$(secret_file rotated)" --name Paused
	assert_success
	assert_output '{"id":"wh-2","name":"Paused","url":"https://hooks.example.com/2","enabled":false,"eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED"]}'
	assert_equal "$(jq -c .data.attributes "$API_DIR/bodies")" '{"name":"Paused","secret":"rotated","enabled":false}'
	run --separate-stderr $W get wh-2
	assert_equal "$(jq -r .enabled <<<"$output")" false
	run --separate-stderr $W delete wh-2
	assert_output '{"deleted":"wh-2"}'
	run --separate-stderr $W get wh-2
	assert_failure 69
	[ "$stderr" = "asc-webhooks: error: get: HTTP 404: NOT_FOUND: The specified resource does not exist: There is no resource of type 'webhooks' with id 'wh-2'" ]
}

@test "ping" {
	run --separate-stderr $W ping wh-1
	assert_output '{"ping":"ping-1"}'
	assert_equal "$(jq -c .data.relationships "$API_DIR/bodies")" '{"webhook":{"data":{"type":"webhooks","id":"wh-1"}}}'
}

@test "deliveries: always a created-date window, never a state filter, every page" {
	run --separate-stderr $W deliveries wh-1 --since 2026-11-01 --until 2026-12-01
	assert_success
	assert_equal "${#lines[@]}" 5
	grep -q 'filter%5BcreatedDateGreaterThanOrEqualTo%5D=2026-11-01T00:00:00Z&filter%5BcreatedDateLessThan%5D=2026-12-01T00:00:00Z' "$API_DIR/log"
	run grep -c deliveryState "$API_DIR/log"
	assert_output 0
	run --separate-stderr $W deliveries wh-1 --state failed
	assert_equal "$(jq -r .id <<<"$output" | tr '\n' ' ')" "d-2 d-4 "
}

@test "deliveries --summary: counts per state and the success rate" {
	run --separate-stderr $W deliveries wh-1 --summary
	assert_output '{"total":5,"SUCCEEDED":3,"FAILED":2,"PENDING":0,"successRate":0.6}'
}

@test "redeliver by id, and redeliver --failed resends every failed delivery" {
	run --separate-stderr $W redeliver d-7 d-8
	assert_output "$(printf '{"redelivered":"d-7"}\n{"redelivered":"d-8"}')"
	: >"$API_DIR/redelivered"
	run --separate-stderr $W redeliver --failed wh-1 --since 30d
	assert_success
	assert_equal "$(cat "$API_DIR/redelivered")" "$(printf 'd-2\nd-4')"
}

@test "an empty secret file or a missing one is refused before any request" {
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr $W update wh-1 --secret-file "$BATS_TEST_TMPDIR/empty"
	assert_failure 64
	[ "$stderr" = "asc-webhooks: error: secret file $BATS_TEST_TMPDIR/empty is empty" ]
	run --separate-stderr $W update wh-1 --secret-file "$BATS_TEST_TMPDIR/none"
	assert_failure 66
	assert_equal "$(api_requests)" 0
}

@test "a bad time, no credentials, a bad key" {
	for when in yesterday 2026-02-30 2026-11-1 2026-11-01T12:00:00 '2026-11-01T12:00:00Z ' 1x; do
		run --separate-stderr $W deliveries wh-1 --since "$when"
		assert_failure 64
		assert_equal "$stderr" "asc-webhooks: error: --since: not a time: $when (2026-03-01, 2026-03-01T12:00:00Z, or 90m, 24h, 7d)"
	done
	assert_equal "$(api_requests)" 0
	unset ASC_KEY_ID
	run --separate-stderr $W list --app 1
	assert_failure 78
	export ASC_KEY_ID=ABC ASC_PRIVATE_KEY_PATH=/dev/null
	run --separate-stderr $W list --app 1
	assert_failure 78
}

@test "create registers a URL that names the app: the id after the receiver's URL" {
	secret=$(secret_file s)
	create() { $W create --app 6447123456 --name N --events all --secret-file "$secret" --url "$@" | jq -r .url; }
	assert_equal "$(create https://hooks.example.com/)" https://hooks.example.com/6447123456
	assert_equal "$(create https://hooks.example.com)" https://hooks.example.com/6447123456
	assert_equal "$(create https://hooks.example.com/asc)" https://hooks.example.com/asc/6447123456
	assert_equal "$(create 'https://hooks.example.com/asc/?k=v')" 'https://hooks.example.com/asc/6447123456?k=v'
	# Already there: kept as it is.
	assert_equal "$(create https://hooks.example.com/asc/6447123456)" https://hooks.example.com/asc/6447123456
	assert_equal "$(create https://hooks.example.com/x/1 --url-as-is)" https://hooks.example.com/x/1
	# What Apple was sent, not only what it answered.
	assert_equal "$(jq -r .data.attributes.url "$API_DIR/bodies" | head -n 1)" https://hooks.example.com/6447123456
	# Another app's id, a fragment, not http(s): refused before any request.
	: >"$API_DIR/bodies"
	run --separate-stderr $W create --app 6447123456 --name N --events all --secret-file "$secret" --url https://hooks.example.com/asc/123
	assert_failure 64
	[ "$stderr" = "asc-webhooks: error: --url already ends with app id 123, not 6447123456 (--url-as-is registers it as it is)" ]
	run --separate-stderr $W create --app 6447123456 --name N --events all --secret-file "$secret" --url 'https://hooks.example.com/#x'
	assert_failure 64
	[ "$stderr" = "asc-webhooks: error: --url: a fragment (#...) never reaches the receiver: https://hooks.example.com/#x" ]
	run --separate-stderr $W create --app 6447123456 --name N --events all --secret-file "$secret" --url hooks.example.com
	assert_failure 64
	[ ! -s "$API_DIR/bodies" ]
	# update with --app names it too; without --app the URL goes as given.
	run --separate-stderr $W update wh-1 --app 6447123456 --url https://new.example/
	assert_equal "$(jq -r .url <<<"$output")" https://new.example/6447123456
	run --separate-stderr $W update wh-1 --url https://new.example/
	assert_equal "$(jq -r .url <<<"$output")" https://new.example/
}

@test "answers without attributes (the spec requires none): no crash, null and a warning naming them" {
	echo sparse >"$API_DIR/mode"
	run --separate-stderr $W list --app 6447123456
	assert_success
	assert_output '{"id":"wh-1","name":null,"url":null,"enabled":null,"eventTypes":null}
{"id":"wh-2","name":null,"url":null,"enabled":null,"eventTypes":null}
{"id":"wh-3","name":null,"url":null,"enabled":null,"eventTypes":null}'
	assert_equal "$(sed -n 1p <<<"$stderr")" 'asc-webhooks: warning: webhook wh-1: the answer has no name, url, enabled, eventTypes (shown as null)'
	# The change was made: say so, exit 0, whatever the answer left out.
	run --separate-stderr $W create --app 6447123456 --name New --url https://h.example/ --events all --secret-file "$(secret_file s)"
	assert_success
	assert_output '{"id":"wh-4","name":null,"url":null,"enabled":null,"eventTypes":null}'
	[ "$stderr" = 'asc-webhooks: warning: webhook wh-4: the answer has no name, url, enabled, eventTypes (shown as null)' ]
	run --separate-stderr $W update wh-2 --disable
	assert_success
	run --separate-stderr $W deliveries wh-1 --since 2026-11-01 --until 2026-12-01
	assert_success
	assert_line --index 0 '{"id":"d-1","state":null,"createdDate":null,"sentDate":null,"httpStatus":null,"errorMessage":null,"redelivery":null}'
	run --separate-stderr $W deliveries wh-1 --summary --since 2026-11-01 --until 2026-12-01
	assert_output '{"total":0,"SUCCEEDED":0,"FAILED":0,"PENDING":0,"successRate":null}'
}

@test "members of the wrong kinds: no crash, an error that says so, exit 69" {
	echo wrongtypes >"$API_DIR/mode"
	run --separate-stderr $W list --app 6447123456
	assert_failure 69
	assert_output ''
	[ "$stderr" = "asc-webhooks: error: listing: item 1 of the answer to /v1/apps/6447123456/webhooks?limit=200 is not a resource
asc-webhooks: error: listing: item 2 of the answer to /v1/apps/6447123456/webhooks?limit=200 is not a resource
asc-webhooks: error: listing: item 3 of the answer to /v1/apps/6447123456/webhooks?limit=200 is not a resource
asc-webhooks: error: listing: links.next of /v1/apps/6447123456/webhooks?limit=200 is not a link; the listing stops there" ]
	run --separate-stderr $W get wh-1
	assert_success
	assert_output '{"id":null,"name":null,"url":null,"enabled":null,"eventTypes":null}'
}

@test "hostile answers (not the spec): empty 2xx, not an object, no id, ids not strings, data null: never a crash" {
	secret=$(secret_file s)
	# Listings: a page without a list of data is an error (69), never a short listing.
	for mode in empty array nulldata; do
		echo "$mode" >"$API_DIR/mode"
		run --separate-stderr $W list --app 6447123456
		assert_failure 69
		assert_output ''
		[[ "$stderr" == "asc-webhooks: error: listing: the answer to /v1/apps/6447123456/webhooks?limit=200 has no list of data"* ]]
		run --separate-stderr $W redeliver --failed wh-1
		assert_failure 69
		assert_equal "$(cat "$API_DIR/redelivered" 2>/dev/null)" ''
	done
	# One resource: the change was made (2xx), so exit 0, with what is missing named.
	for mode in empty array nulldata; do
		echo "$mode" >"$API_DIR/mode"
		for command in "get wh-1" "update wh-1 --disable" "create --app 6447123456 --name N --url https://h.example/ --events all --secret-file $secret"; do
			run --separate-stderr $W $command
			assert_success
			assert_output '{"id":null,"name":null,"url":null,"enabled":null,"eventTypes":null}'
			[ "$stderr" = 'asc-webhooks: warning: webhook without an id: the answer has no id, name, url, enabled, eventTypes (shown as null)' ]
		done
		run --separate-stderr $W ping wh-1
		assert_success
		assert_output '{"ping":null}'
	done
	for mode in noid numberid; do
		echo "$mode" >"$API_DIR/mode"
		run --separate-stderr $W get wh-1
		assert_success
		# (disabled by the updates above, which Apple made whatever it answered)
		assert_output '{"id":null,"name":"hook 1","url":"https://hooks.example.com/1","enabled":false,"eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED"]}'
		[ "$stderr" = 'asc-webhooks: warning: webhook without an id: the answer has no id (shown as null)' ]
		run --separate-stderr $W ping wh-1
		assert_output '{"ping":null}'
		run --separate-stderr $W deliveries wh-1 --since 2026-11-01 --until 2026-12-01
		assert_success
		assert_equal "$(jq -r .id <<<"$output" | sort -u)" null
		# A failed delivery without a usable id cannot be sent again: said, never guessed.
		run --separate-stderr $W redeliver --failed wh-1 --since 2026-11-01 --until 2026-12-01
		assert_failure 69
		assert_equal "$(sort -u <<<"$stderr")" 'asc-webhooks: error: a failed delivery without an id cannot be sent again'
	done
}

@test "links.next relative (uri-reference) is followed; one to another host is not" {
	echo relative >"$API_DIR/mode"
	run --separate-stderr $W list --app 6447123456
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(cut -d' ' -f2 "$API_DIR/log" | tail -n 1)" '/v1/apps/6447123456/webhooks?limit=200&cursor=2'
	echo foreign >"$API_DIR/mode"
	run --separate-stderr $W list --app 6447123456
	assert_failure 69
	[ "$stderr" = "asc-webhooks: error: listing: links.next leaves the API (https://elsewhere.example/v1/apps/6447123456/webhooks?limit=200&cursor=2): not followed" ]
}

# ---- the fake's pings, as App Store Connect records them (used by check and rotate) ----

@test "fake: a ping puts its delivery first in the webhook's deliveries, as DIR/ping says" {
	run --separate-stderr $W ping wh-2
	assert_output '{"ping":"ping-1"}'
	run --separate-stderr $W deliveries wh-2 --since 1d --until 2099-01-01
	assert_equal "$(jq -c '[.id,.state,.httpStatus,.errorMessage]' <<<"$output")" '["d-ping-1","SUCCEEDED",200,null]'
	echo 'FAILED 401 The signature did not verify' >"$API_DIR/ping"
	echo 1 >"$API_DIR/ping-pending"
	run --separate-stderr $W ping wh-2
	assert_output '{"ping":"ping-2"}'
	run --separate-stderr $W deliveries wh-2 --since 1d --until 2099-01-01
	assert_equal "$(jq -c '[.id,.state]' <<<"$output" | tr '\n' ' ')" '["d-ping-2","PENDING"] ["d-ping-1","SUCCEEDED"] '
	run --separate-stderr $W deliveries wh-2 --since 1d --until 2099-01-01
	assert_equal "$(jq -c '[.id,.state,.httpStatus,.errorMessage]' <<<"${lines[0]}")" '["d-ping-2","FAILED",401,"The signature did not verify"]'
	echo NEVER >"$API_DIR/ping"
	run --separate-stderr $W ping wh-2
	assert_output '{"ping":"ping-3"}'
	run --separate-stderr $W deliveries wh-2 --since 1d --until 2099-01-01
	assert_equal "${#lines[@]}" 2
}

@test "fake: refuse:CALL answers 403 to that call only; the secret a webhook holds is in DIR/secret-ID" {
	echo refuse:update >"$API_DIR/mode"
	run --separate-stderr $W update wh-1 --secret-file "$(secret_file first)"
	assert_failure 69
	[ "$stderr" = "asc-webhooks: error: update: HTTP 403: FORBIDDEN_ERROR: This request is forbidden for security reasons: The fake refuses update (refuse:update)" ]
	[ ! -e "$API_DIR/secret-wh-1" ]
	run --separate-stderr $W ping wh-1
	assert_success
	rm "$API_DIR/mode"
	run --separate-stderr $W update wh-1 --secret-file "$(secret_file second)"
	assert_success
	assert_equal "$(cat "$API_DIR/secret-wh-1")" second
	assert_equal "$(cut -d' ' -f1,2 "$API_DIR/log")" "PATCH /v1/webhooks/wh-1
POST /v1/webhookPings
PATCH /v1/webhooks/wh-1"
}

# ---- apply ----

# The requests that change something, in order (the fake logs every request).
writes() { cut -d' ' -f1,2 "$API_DIR/log" | grep -v '^GET ' || true; }

@test "apply: nothing exists -> created, with the secret; the secret never printed" {
	secret=$(secret_file 'apply-s3cret-77')
	run --separate-stderr $W apply --app 6447123457 --url https://hooks.example.com/ --events BUILD_UPLOAD_STATE_UPDATED --secret-file "$secret"
	assert_success
	assert_output '6447123457 wh-4 created'
	[ "$stderr" = "" ]
	assert_equal "$(writes)" 'POST /v1/webhooks'
	assert_equal "$(jq -c . "$API_DIR/bodies")" '{"data":{"type":"webhooks","relationships":{"app":{"data":{"type":"apps","id":"6447123457"}}},"attributes":{"name":"ascbell","url":"https://hooks.example.com/6447123457","eventTypes":["BUILD_UPLOAD_STATE_UPDATED"],"secret":"apply-s3cret-77","enabled":true}}}'
	# And now it is in order: a second run sends no write at all.
	: >"$API_DIR/log"
	run --separate-stderr $W apply --app 6447123457 --url https://hooks.example.com/ --events BUILD_UPLOAD_STATE_UPDATED --secret-file "$secret"
	assert_success
	assert_output '6447123457 wh-4 in order'
	assert_equal "$(writes)" ''
	assert_equal "$(cut -d' ' -f1,2 "$API_DIR/log")" 'GET /v1/apps/6447123457/webhooks?limit=200'
}

@test "apply: wrong events -> updated (events), nothing else sent, no secret; in order -> zero writes" {
	secret=$(secret_file 'apply-s3cret-78')
	# wh-1 of the canned app, named ascbell, with the URL apply wants but one event only.
	$W update wh-1 --name ascbell --url https://hooks.example.com/6447123456 >/dev/null
	: >"$API_DIR/log"; : >"$API_DIR/bodies"
	run --separate-stderr $W apply --app 6447123456 --url https://hooks.example.com/ --events APP_STORE_VERSION_APP_VERSION_STATE_UPDATED,BUILD_UPLOAD_STATE_UPDATED --secret-file "$secret"
	assert_success
	assert_output '6447123456 wh-1 updated (events)'
	assert_equal "$(writes)" 'PATCH /v1/webhooks/wh-1'
	assert_equal "$(jq -c . "$API_DIR/bodies")" '{"data":{"type":"webhooks","id":"wh-1","attributes":{"eventTypes":["APP_STORE_VERSION_APP_VERSION_STATE_UPDATED","BUILD_UPLOAD_STATE_UPDATED"]}}}'
	[ ! -e "$API_DIR/secret-wh-1" ]
	# Events in another order are the same events: in order, no write (count them).
	: >"$API_DIR/log"
	run --separate-stderr $W apply --app 6447123456 --url https://hooks.example.com/ --events BUILD_UPLOAD_STATE_UPDATED,APP_STORE_VERSION_APP_VERSION_STATE_UPDATED --secret-file "$secret"
	assert_success
	assert_output '6447123456 wh-1 in order'
	assert_equal "$(writes | wc -l)" 0
	# Paused and moved: both put back in one request; --set-secret sends the secret too.
	$W update wh-1 --disable --url https://old.example/ >/dev/null
	: >"$API_DIR/log"; : >"$API_DIR/bodies"
	run --separate-stderr $W apply --app 6447123456 --url https://hooks.example.com/ --events BUILD_UPLOAD_STATE_UPDATED,APP_STORE_VERSION_APP_VERSION_STATE_UPDATED --secret-file "$secret" --set-secret
	assert_output '6447123456 wh-1 updated (url, enabled, secret)'
	assert_equal "$(jq -c .data.attributes "$API_DIR/bodies")" '{"url":"https://hooks.example.com/6447123456","enabled":true,"secret":"apply-s3cret-78"}'
	assert_equal "$(cat "$API_DIR/secret-wh-1")" apply-s3cret-78
	[[ "$output$stderr" != *s3cret* ]]
}

@test "apply --all-apps: every page of GET /v1/apps, one app missing its webhook, one in order" {
	secret=$(secret_file s)
	$W apply --app 6447123456 --app 6447123458 --url https://hooks.example.com/ --events all --secret-file "$secret" >/dev/null
	: >"$API_DIR/log"
	run --separate-stderr $W apply --all-apps --url https://hooks.example.com/ --events all --secret-file "$secret"
	assert_success
	assert_output '6447123456 wh-4 in order
6447123457 wh-6 created
6447123458 wh-5 in order'
	assert_equal "$(cut -d' ' -f1,2 "$API_DIR/log" | sed -n '1,2p')" 'GET /v1/apps?fields%5Bapps%5D=name&limit=200
GET /v1/apps?fields%5Bapps%5D=name&limit=200&cursor=2'
	assert_equal "$(writes)" 'POST /v1/webhooks'
}

@test "apply --dry-run sends no write and says what it would do" {
	secret=$(secret_file s)
	$W update wh-2 --name ascbell --disable >/dev/null
	: >"$API_DIR/log"
	run --separate-stderr $W apply --app 6447123456 --app 6447123457 --url https://hooks.example.com/ --events all --secret-file "$secret" --dry-run
	assert_success
	assert_output '6447123456 wh-2 would be updated (url, events, enabled)
6447123457 - would be created'
	assert_equal "$(writes)" ''
}

@test "apply: two webhooks of that name, a webhook without a name, an app that is not there: no write, said, non-zero" {
	secret=$(secret_file s)
	$W update wh-1 --name twin >/dev/null
	$W update wh-2 --name twin >/dev/null
	: >"$API_DIR/log"
	run --separate-stderr $W apply --app 6447123456 --name twin --url https://h.example/ --events all --secret-file "$secret"
	assert_failure 65
	[ "$stderr" = "asc-webhooks: error: app 6447123456: 2 webhooks are named twin; delete all but one (asc-webhooks delete)" ]
	assert_equal "$(writes)" ''
	# The other app is still seen to: one app's trouble does not stop the rest.
	run --separate-stderr $W apply --app 6447123 --app 6447123457 --url https://h.example/ --events all --secret-file "$secret"
	assert_failure 69
	assert_output '6447123457 wh-4 created'
	[ "$stderr" = "asc-webhooks: error: listing: HTTP 404: NOT_FOUND: The specified resource does not exist: There is no resource of type 'apps' with id '6447123'
asc-webhooks: error: app 6447123: its webhooks could not all be read; nothing changed" ]
	echo sparse >"$API_DIR/mode"
	: >"$API_DIR/log"
	run --separate-stderr $W apply --app 6447123456 --url https://h.example/ --events all --secret-file "$secret"
	assert_failure 69
	assert_equal "$(sed -n 1p <<<"$stderr")" "asc-webhooks: error: a webhook in the answer has no name: cannot tell whether it is the one named ascbell"
	assert_equal "$(writes)" ''
}

@test "apply: answers not of the spec's shape: no write on a guess, exit 69" {
	secret=$(secret_file s)
	for mode in wrongtypes garbage empty array nulldata noid numberid; do
		echo "$mode" >"$API_DIR/mode"
		: >"$API_DIR/log"
		run --separate-stderr $W apply --app 6447123456 --url https://h.example/ --events all --secret-file "$secret"
		assert_failure 69
		assert_output ''
		assert_equal "$(writes)" ''
		run --separate-stderr $W apply --all-apps --url https://h.example/ --events all --secret-file "$secret"
		assert_failure 69
		assert_equal "$(writes)" ''
	done
	echo refuse:create >"$API_DIR/mode"
	run --separate-stderr $W apply --app 6447123457 --url https://h.example/ --events all --secret-file "$secret"
	assert_failure 69
	[ "$stderr" = "asc-webhooks: error: app 6447123457: create: HTTP 403: FORBIDDEN_ERROR: This request is forbidden for security reasons: The fake refuses create (refuse:create)" ]
}

@test "apply: bad command lines and bad secret files are refused before any request" {
	secret=$(secret_file s)
	mkdir "$BATS_TEST_TMPDIR/dir"
	: >"$BATS_TEST_TMPDIR/empty"
	for args in "--url https://h.example/ --events all --secret-file $secret" \
		"--app 6447123456 --all-apps --url https://h.example/ --events all --secret-file $secret" \
		"--app 6447123456 --events all --secret-file $secret" \
		"--app 6447123456 --url https://h.example/ --secret-file $secret" \
		"--app 6447123456 --url https://h.example/ --events all" \
		"--app 6447123456 --url https://h.example/ --events NOPE --secret-file $secret" \
		"--app 6447123456 --url https://h.example/ --events all --secret-file $secret --disable" \
		"--app nope --url https://h.example/ --events all --secret-file $secret" \
		"--app 6447123456 --url https://h.example/ --events all --secret-file $BATS_TEST_TMPDIR/empty" \
		"--app 6447123456 --url ftp://h.example/ --events all --secret-file $secret" \
		"--app 6447123456 --url https://h.example/ --events all --secret-file $secret --bogus"; do
		run --separate-stderr $W apply $args
		assert_failure 64
	done
	run --separate-stderr $W apply --app 6447123456 --url https://h.example/ --events all --secret-file "$BATS_TEST_TMPDIR/none"
	assert_failure 66
	run --separate-stderr $W apply --app 6447123456 --url https://h.example/ --events all --secret-file "$BATS_TEST_TMPDIR/dir"
	assert_failure 74
	[ "$stderr" = "asc-webhooks: error: cannot read secret file $BATS_TEST_TMPDIR/dir: Is a directory" ]
	# The options of apply are for apply.
	run --separate-stderr $W list --app 6447123456 --dry-run
	assert_failure 64
	run --separate-stderr $W list --all-apps
	assert_failure 64
	run --separate-stderr $W list --app 6447123456 --app 6447123457
	assert_failure 64
	assert_equal "$(api_requests)" 0
}

# ---- check ----

@test "check: the ping's delivery SUCCEEDED -> exit 0, one line; the deliveries from before the ping are not taken for it" {
	echo 2 >"$API_DIR/ping-pending"
	run --separate-stderr $W check wh-1
	assert_success
	assert_output '{"webhook":"wh-1","app":null,"result":"SUCCEEDED","delivery":"d-ping-1","httpStatus":200,"errorMessage":null}'
	# The deliveries before, the ping, then the deliveries until it ended (PENDING twice).
	assert_equal "$(cut -d' ' -f1,2 "$API_DIR/log" | sed 's/?.*include=event.*/?WINDOW\&include=event.../')" "GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
POST /v1/webhookPings
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event...
GET /v1/webhooks/wh-1/deliveries?WINDOW&include=event..."
	grep -q 'include=event&fields%5BwebhookEvents%5D=ping&limit=200' "$API_DIR/log"
}

@test "check: FAILED -> exit 69 with Apple's recorded status code and error" {
	echo 'FAILED 401 Signature mismatch: hmacsha256 did not verify' >"$API_DIR/ping"
	run --separate-stderr $W check wh-2
	assert_failure 69
	assert_output '{"webhook":"wh-2","app":null,"result":"FAILED","delivery":"d-ping-1","httpStatus":401,"errorMessage":"Signature mismatch: hmacsha256 did not verify"}'
	[ "$stderr" = "asc-webhooks: error: wh-2: App Store Connect could not deliver the ping: HTTP status 401, error: Signature mismatch: hmacsha256 did not verify" ]
}

@test "check: a ping whose delivery never appears -> exit 75 after --timeout; one still PENDING -> 75 too" {
	echo NEVER >"$API_DIR/ping"
	run --separate-stderr $W check wh-1 --timeout 1
	assert_failure 75
	assert_output '{"webhook":"wh-1","app":null,"result":"NOT_SEEN","delivery":null,"httpStatus":null,"errorMessage":null}'
	[ "$stderr" = "asc-webhooks: error: wh-1: no delivery of the ping seen after 1 seconds" ]
	# Bounded: a handful of looks, not a busy loop.
	[ "$(grep -c deliveries "$API_DIR/log")" -le 8 ]
	rm "$API_DIR/ping"
	echo 1000 >"$API_DIR/ping-pending"
	run --separate-stderr $W check wh-1 --timeout 1
	assert_failure 75
	assert_equal "$(jq -r .result <<<"$output")" PENDING
}

@test "check --app / --all-apps: every enabled webhook, --failed prints only the failures, worst status" {
	$W update wh-3 --disable >/dev/null
	run --separate-stderr $W check --app 6447123456
	assert_success
	assert_equal "$(jq -r '[.webhook,.app,.result]|join(" ")' <<<"$output")" "wh-1 6447123456 SUCCEEDED
wh-2 6447123456 SUCCEEDED"
	[ "$stderr" = "asc-webhooks: warning: app 6447123456: webhook wh-3 is disabled: not checked" ]
	echo 'FAILED 503 Service Unavailable' >"$API_DIR/ping"
	run --separate-stderr $W check --all-apps --name 'hook 2' --failed -q
	assert_failure 69
	assert_output '{"webhook":"wh-2","app":"6447123456","result":"FAILED","delivery":"d-ping-3","httpStatus":503,"errorMessage":"Service Unavailable"}'
	# No webhook at all to check is not a success.
	run --separate-stderr $W check --app 6447123457
	assert_failure 69
	[ "$stderr" = "asc-webhooks: error: check: no webhook" ]
}

@test "check: a ping refused, deliveries not of the spec's shape, bad command lines" {
	echo refuse:ping >"$API_DIR/mode"
	run --separate-stderr $W check wh-1
	assert_failure 69
	assert_output '{"webhook":"wh-1","app":null,"result":"ERROR","delivery":null,"httpStatus":null,"errorMessage":"HTTP 403: FORBIDDEN_ERROR: This request is forbidden for security reasons: The fake refuses ping (refuse:ping)"}'
	run --separate-stderr $W check wh-404
	assert_failure 69
	assert_equal "$(jq -r .result <<<"$output")" ERROR
	# Answers that are not the spec's: never a success on a guess.
	for mode in wrongtypes garbage empty array nulldata noid numberid sparse; do
		echo "$mode" >"$API_DIR/mode"
		run --separate-stderr $W check wh-1 --timeout 1
		[ "$status" -eq 69 ] || [ "$status" -eq 75 ]
		[[ "$output" != *SUCCEEDED* ]]
	done
	rm "$API_DIR/mode"
	: >"$API_DIR/log"
	for args in "" "wh-1 --app 6447123456" "--app 6447123456 --all-apps" "wh-1 --timeout 0" "wh-1 --timeout x" "wh-1 --bogus"; do
		run --separate-stderr $W check $args
		assert_failure 64
	done
	[ ! -s "$API_DIR/log" ]
}

@test "check: the health-check cron line of the man page and README notifies on failure only" {
	start_fake
	printf '%s\n' "$FAKE_URL" >"$BATS_TEST_TMPDIR/echobell-url"
	health() {
		asc-webhooks check --all-apps --name ascbell --failed |
			asc-render -t 'Webhook check failed: {{webhook}}' -b '{{result}} {{httpStatus}} {{errorMessage}}' |
			echobell-send --url-file "$BATS_TEST_TMPDIR/echobell-url"
	}
	$W update wh-1 --name ascbell >/dev/null
	run health
	assert_success
	[ ! -e "$FAKE_DIR/notified" ]
	echo 'FAILED 401 Signature mismatch' >"$API_DIR/ping"
	run health
	assert_success
	assert_equal "$(jq -c '[.title,.body]' "$FAKE_DIR/notified")" '["Webhook check failed: wh-1","FAILED 401 Signature mismatch"]'
}

# ---- rotate ----

# A receiver's secret file holding "old-secret", and wh-1 signing with it (the fake keeps the
# secret each webhook was given in API_DIR/secret-ID).
rotate_setup() {
	mkdir -p "$BATS_TEST_TMPDIR/etc"
	SECRET="$BATS_TEST_TMPDIR/etc/webhook-secret"
	printf 'old-secret\n' >"$SECRET"
	chmod 640 "$SECRET"
	chown nobody:nogroup "$SECRET"
	$W update wh-1 --secret-file "$SECRET" >/dev/null
	: >"$API_DIR/log"
}

# What App Store Connect would sign with is one of the secrets the receiver holds.
webhook_secret_in_file() {
	grep -qxF "$(cat "$API_DIR/secret-wh-1")" "$SECRET"
}

# Every secret of the file verifies a body signed with it, through asc-verify (the receiver).
verifies() {
	printf 'Hello, World!' >"$BATS_TEST_TMPDIR/body"
	asc-verify -k "$SECRET" -s "$(openssl_signature "$1" "$BATS_TEST_TMPDIR/body")" <"$BATS_TEST_TMPDIR/body" >/dev/null 2>&1
}

@test "rotate: new secret beside the old (owner and mode kept), webhook updated, ping SUCCEEDED; steps in order" {
	rotate_setup
	run --separate-stderr $W rotate wh-1 --secret-file "$SECRET"
	assert_success
	assert_output "{\"rotated\":\"wh-1\",\"secretFile\":\"$SECRET\",\"oldRetired\":false}"
	new=$(sed -n 1p "$SECRET")
	[[ "$new" =~ ^[0-9a-f]{64}$ ]]
	assert_equal "$(sed -n 2p "$SECRET")" old-secret
	assert_equal "$(wc -l <"$SECRET")" 2
	assert_equal "$(cat "$API_DIR/secret-wh-1")" "$new"
	assert_equal "$(stat -c '%U:%G %a' "$SECRET")" 'nobody:nogroup 640'
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/etc")" webhook-secret
	verifies "$new"
	verifies old-secret
	# Find, update, then the ping and its delivery: the secret goes to Apple after the file has it.
	assert_equal "$(cut -d' ' -f1,2 "$API_DIR/log" | grep -v '^GET /v1/webhooks/wh-1/deliveries')" 'GET /v1/webhooks/wh-1
PATCH /v1/webhooks/wh-1
POST /v1/webhookPings'
	assert_equal "$(jq -c '.data.attributes|keys' "$API_DIR/bodies" | tail -n 1)" '["secret"]'
	[[ "$output$stderr" != *"$new"* ]]
	# Rotating again keeps every secret the file held, newest first; the file is made whole
	# (owner, mode, fsync) before the rename, and the directory fsync'd after it.
	command -v strace >/dev/null
	run --separate-stderr $TRACED strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=fchown,fchmod,fsync,rename \
		"$ASCBELL_BIN/asc-webhooks" rotate wh-1 --secret-file "$SECRET"
	assert_success
	assert_equal "$(grep -o '^[0-9]* *[a-z]*' "$BATS_TEST_TMPDIR/trace" | awk '{print $NF}' | tr '\n' ' ')" 'fchown fchmod fsync rename fsync '
	[[ "$(grep rename "$BATS_TEST_TMPDIR/trace")" == *"etc/.webhook-secret.rotate."*", \"$SECRET\")"* ]]
	assert_equal "$(sed -n '2,3p' "$SECRET")" "$new
old-secret"
}

@test "rotate --retire-old: the old secret goes only after the ping SUCCEEDED; a link stays a link" {
	rotate_setup
	ln -s webhook-secret "$BATS_TEST_TMPDIR/etc/link"
	run --separate-stderr $W rotate wh-1 --secret-file "$BATS_TEST_TMPDIR/etc/link" --retire-old
	assert_success
	[ -L "$BATS_TEST_TMPDIR/etc/link" ]
	assert_equal "$(wc -l <"$SECRET")" 1
	assert_equal "$(cat "$SECRET")" "$(cat "$API_DIR/secret-wh-1")"
	assert_equal "$(stat -c '%U:%G %a' "$SECRET")" 'nobody:nogroup 640'
	verifies "$(cat "$SECRET")"
	! verifies old-secret
}

@test "rotate: ping FAILED -> both secrets kept, exit 69, the failed step named, no secret shown" {
	rotate_setup
	echo 'FAILED 401 Signature mismatch' >"$API_DIR/ping"
	run --separate-stderr $W rotate wh-1 --secret-file "$SECRET" --retire-old
	assert_failure 69
	assert_output ''
	new=$(sed -n 1p "$SECRET")
	assert_equal "$(sed -n 2p "$SECRET")" old-secret
	webhook_secret_in_file
	assert_equal "$(tail -n 1 <<<"$stderr")" "asc-webhooks: error: rotate wh-1: step 5 of 6 (ping and wait for SUCCEEDED) failed: the ping's delivery: FAILED; the webhook has the new secret; the file holds it beside the old ones: both verify ($SECRET)"
	[[ "$stderr" != *"$new"* ]]
	# Not seen in time: 75, both kept.
	echo NEVER >"$API_DIR/ping"
	run --separate-stderr $W rotate wh-1 --secret-file "$SECRET" --retire-old --timeout 1
	assert_failure 75
	assert_equal "$(wc -l <"$SECRET")" 3
	webhook_secret_in_file
}

@test "rotate: a failure at each step leaves a file that holds the secret the webhook uses" {
	command -v strace >/dev/null
	rotate_setup
	cp "$SECRET" "$BATS_TEST_TMPDIR/before"
	# 2: no such webhook: nothing changed.
	run --separate-stderr $W rotate wh-404 --secret-file "$SECRET"
	assert_failure 69
	[[ "$stderr" == "asc-webhooks: error: rotate wh-404: step 2 of 6 (find the webhook) failed: HTTP 404: NOT_FOUND"* ]]
	cmp "$SECRET" "$BATS_TEST_TMPDIR/before"
	# 3: the rename fails (EIO), then the process is killed at it: the file is as it was,
	# nothing sent to Apple, no temporary file left by the failure.
	run --separate-stderr $TRACED strace -f -qq -o /dev/null -e trace=rename -e inject=rename:error=EIO:when=1 \
		"$ASCBELL_BIN/asc-webhooks" rotate wh-1 --secret-file "$SECRET"
	assert_failure 74
	assert_equal "$stderr" "asc-webhooks: error: rotate wh-1: step 3 of 6 (add the new secret to the file) failed: cannot rename the new file into place: Input/output error; nothing changed (the file is as it was) ($SECRET)"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/etc")" webhook-secret
	run $TRACED strace -f -qq -o /dev/null -e trace=rename -e inject=rename:error=EIO:signal=SIGKILL:when=1 \
		"$ASCBELL_BIN/asc-webhooks" rotate wh-1 --secret-file "$SECRET"
	assert_equal "$status" 137
	cmp "$SECRET" "$BATS_TEST_TMPDIR/before"
	[ -z "$(cut -d' ' -f1 "$API_DIR/log" | grep -v GET)" ]
	webhook_secret_in_file
	rm -f "$BATS_TEST_TMPDIR"/etc/.webhook-secret.rotate.*
	# 4: Apple refuses the update: the file has both, the webhook the old one.
	echo refuse:update >"$API_DIR/mode"
	run --separate-stderr $W rotate wh-1 --secret-file "$SECRET"
	assert_failure 69
	[[ "$stderr" == "asc-webhooks: error: rotate wh-1: step 4 of 6 (give the webhook the new secret) failed: HTTP 403: FORBIDDEN_ERROR"* ]]
	assert_equal "$(cat "$API_DIR/secret-wh-1")" old-secret
	assert_equal "$(wc -l <"$SECRET")" 2
	webhook_secret_in_file
	# 4: killed while Apple makes the change (it was made, the answer never came).
	echo hold:update >"$API_DIR/mode"
	: >"$API_DIR/log"
	$W rotate wh-1 --secret-file "$SECRET" 3>&- &
	pid=$!
	for _ in $(seq 200); do grep -q '^PATCH' "$API_DIR/log" && break; sleep 0.05; done
	kill -9 "$pid"; wait "$pid" || true
	[ "$(cat "$API_DIR/secret-wh-1")" != old-secret ]
	webhook_secret_in_file
	# 5: the ping refused, and killed while waiting for the ping: both kept.
	echo refuse:ping >"$API_DIR/mode"
	run --separate-stderr $W rotate wh-1 --secret-file "$SECRET" --retire-old
	assert_failure 69
	webhook_secret_in_file
	echo hold:ping >"$API_DIR/mode"
	: >"$API_DIR/log"
	$W rotate wh-1 --secret-file "$SECRET" --retire-old 3>&- &
	pid=$!
	for _ in $(seq 200); do grep -q '^POST /v1/webhookPings' "$API_DIR/log" && break; sleep 0.05; done
	kill -9 "$pid"; wait "$pid" || true
	webhook_secret_in_file
	grep -qx old-secret "$SECRET"
	# 6: retiring fails at its rename: the webhook has the new secret, the file all of them.
	rm "$API_DIR/mode"
	run --separate-stderr $TRACED strace -f -qq -o /dev/null -e trace=rename -e inject=rename:error=EIO:when=2 \
		"$ASCBELL_BIN/asc-webhooks" rotate wh-1 --secret-file "$SECRET" --retire-old
	assert_failure 74
	[[ "$stderr" == *"step 6 of 6 (retire the old secrets) failed: cannot rename the new file into place: Input/output error; the webhook has the new secret; the file still holds it beside the old ones: both verify"* ]]
	webhook_secret_in_file
	grep -qx old-secret "$SECRET"
	# And every secret the file ever held was written by rename only: never a half-written file.
	while read -r line; do [[ "$line" =~ ^[0-9a-f]{64}$ || "$line" == old-secret ]]; done <"$SECRET"
}

@test "rotate: a secret file missing, a directory, empty; bad command lines: refused before any request" {
	rotate_setup
	mkdir "$BATS_TEST_TMPDIR/dir"
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr $W rotate wh-1 --secret-file "$BATS_TEST_TMPDIR/none"
	assert_failure 66
	[ "$stderr" = "asc-webhooks: error: rotate wh-1: step 1 of 6 (read the secret file) failed: No such file or directory; nothing changed ($BATS_TEST_TMPDIR/none)" ]
	run --separate-stderr $W rotate wh-1 --secret-file "$BATS_TEST_TMPDIR/dir"
	assert_failure 74
	run --separate-stderr $W rotate wh-1 --secret-file "$BATS_TEST_TMPDIR/empty"
	assert_failure 64
	for args in "" "wh-1" "wh-1 wh-2 --secret-file $SECRET" "wh-1 --secret-file $SECRET --dry-run" "--app 6447123456 --secret-file $SECRET" "wh-1 --secret-file $SECRET --timeout -1"; do
		run --separate-stderr $W rotate $args
		assert_failure 64
	done
	run --separate-stderr $W update wh-1 --retire-old
	assert_failure 64
	[ ! -s "$API_DIR/log" ]
	assert_equal "$(cat "$SECRET")" old-secret
}

# ---- deliveries --summary across webhooks ----

@test "deliveries --summary across webhooks and --all-apps: a line per webhook, then the portfolio's; --table" {
	$W ping wh-2 >/dev/null
	echo 'FAILED 500 x' >"$API_DIR/ping"
	$W ping wh-2 >/dev/null
	run --separate-stderr $W deliveries --summary wh-1 wh-2 --since 2026-11-01 --until 2099-01-01
	assert_success
	assert_output '{"webhook":"wh-1","app":null,"total":5,"SUCCEEDED":3,"FAILED":2,"PENDING":0,"successRate":0.6}
{"webhook":"wh-2","app":null,"total":2,"SUCCEEDED":1,"FAILED":1,"PENDING":0,"successRate":0.5}
{"webhook":"all","app":null,"total":7,"SUCCEEDED":4,"FAILED":3,"PENDING":0,"successRate":0.5714285714285714}'
	$W update wh-3 --disable >/dev/null
	run --separate-stderr $W deliveries --summary --all-apps --since 2026-11-01 --until 2099-01-01
	assert_success
	assert_output '{"webhook":"wh-1","app":"6447123456","total":5,"SUCCEEDED":3,"FAILED":2,"PENDING":0,"successRate":0.6}
{"webhook":"wh-2","app":"6447123456","total":2,"SUCCEEDED":1,"FAILED":1,"PENDING":0,"successRate":0.5}
{"webhook":"wh-3","app":"6447123456","total":0,"SUCCEEDED":0,"FAILED":0,"PENDING":0,"successRate":null}
{"webhook":"all","app":null,"total":7,"SUCCEEDED":4,"FAILED":3,"PENDING":0,"successRate":0.5714285714285714}'
	run --separate-stderr $W deliveries --summary --app 6447123456 --name 'hook 2' --since 2026-11-01 --until 2099-01-01 --table
	assert_success
	assert_output 'webhook               app                   total                 SUCCEEDED             FAILED                PENDING               successRate         
wh-2                  6447123456            2                     1                     1                     0                     0.5                 
all                   null                  2                     1                     1                     0                     0.5                 '
	# One webhook's deliveries unreadable: its error, no line, and no total that looks whole.
	run --separate-stderr $W deliveries --summary wh-1 wh-404 --since 2026-11-01 --until 2099-01-01
	assert_failure 69
	assert_output '{"webhook":"wh-1","app":null,"total":5,"SUCCEEDED":3,"FAILED":2,"PENDING":0,"successRate":0.6}'
	assert_equal "$(tail -n 1 <<<"$stderr")" 'asc-webhooks: error: deliveries of wh-404 could not all be read: no summary of them'
	for mode in wrongtypes empty array nulldata; do
		echo "$mode" >"$API_DIR/mode"
		run --separate-stderr $W deliveries --summary wh-1 wh-2
		assert_failure 69
		assert_output ''
		run --separate-stderr $W deliveries --summary --all-apps
		assert_failure 69
		[[ "$output" != *'"all"'* ]]
	done
	rm "$API_DIR/mode"
	: >"$API_DIR/log"
	for args in "wh-1 wh-2" "--summary" "--summary wh-1 --app 6447123456" "--summary --all-apps --app 6447123456" "--all-apps"; do
		run --separate-stderr $W deliveries $args
		assert_failure 64
	done
	run --separate-stderr $W redeliver --failed wh-1 wh-2
	assert_failure 64
	[ "$stderr" = "asc-webhooks: error: redeliver: one webhook at a time (deliveries --summary takes several)" ]
	[ ! -s "$API_DIR/log" ]
}
