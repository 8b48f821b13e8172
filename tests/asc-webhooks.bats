#!/usr/bin/env bats
# asc-webhooks against the fake App Store Connect API (JWTs checked, JSON:API bodies, paging).

load helpers/common

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
	run --separate-stderr $W deliveries wh-1 --since yesterday
	assert_failure 64
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
