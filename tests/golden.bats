#!/usr/bin/env bats
# Golden files: every fixture, as the phone shows it with the built-in templates, in three
# set-ups (nothing configured, the app told, the API's names) and two zones (UTC, and Berlin
# for a team a zone away). Any change of wording shows in review as a diff of
# tests/golden/*.txt; `make golden` rewrites them after a deliberate change.

load helpers/common

setup() {
	unset ASC_KEY_ID ASC_ISSUER_ID ASC_PRIVATE_KEY_PATH ASC_PRIVATE_KEY ASC_API_BASE ASC_APP_ID ASC_APP_NAME
	# Build uploads carry no timestamp: they show when the request arrived.
	export ASCBELL_RECEIVED=2026-03-07T10:02:30Z ASCBELL_NOW=2026-03-09T12:00:00Z
}

teardown() {
	stop_fake
}

# Renders MODE in ZONE and compares with (or, with GOLDEN_UPDATE=1, writes) its golden file.
golden() {
	local mode=$1 zone=$2 file="$BATS_TEST_DIRNAME/golden/$1-${2//\//-}.txt"
	[ "$mode" != enriched ] || start_fake_api
	run --separate-stderr env ASCBELL_TZ="$zone" "$BATS_TEST_DIRNAME/helpers/golden-render" "$mode" "$FIXTURES"
	assert_success
	[ -z "$stderr" ]
	if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$output" >"$file"
	fi
	assert_output "$(cat "$file")"
}

@test "golden: nothing configured, UTC" { golden bare UTC; }
@test "golden: nothing configured, Europe/Berlin" { golden bare Europe/Berlin; }
@test "golden: the app told, UTC" { golden app UTC; }
@test "golden: the app told, Europe/Berlin" { golden app Europe/Berlin; }
@test "golden: enriched through the API, UTC" { golden enriched UTC; }
@test "golden: enriched through the API, Europe/Berlin" { golden enriched Europe/Berlin; }
