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
	run --separate-stderr $W create --app 6447123456 --name New --url https://hooks.example.com/new --events APP_STORE_VERSION_APP_VERSION_STATE_UPDATED,BUILD_UPLOAD_STATE_UPDATED --secret-file "$secret"
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
	[ "$stderr" = "asc-webhooks: error: get: HTTP 404: NOT_FOUND: The specified resource does not exist: fake App Store Connect says so" ]
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
