#!/usr/bin/env bats
# ascbell against Apple's OpenAPI specification of the App Store Connect API (4.4.1, in
# tests/fixtures/api/): every request the programs can make is an operation of the spec, and
# the fake API the other tests use refuses what the spec does not allow.

load helpers/common

teardown() {
	stop_fake
}

# GET (or $METHOD, with $BODY) of a path on the fake with a valid token; the answer's body in
# $output, its status in $CODE.
api() {
	local token
	token=$(python3 - "$ASC_PRIVATE_KEY_PATH" <<'PY'
import base64, json, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
now = int(time.time())
signing = b64(json.dumps({"alg": "ES256", "kid": "K", "typ": "JWT"}).encode()) + "." + b64(json.dumps({"iss": "i", "aud": "appstoreconnect-v1", "iat": now, "exp": now + 600}).encode())
r, s = utils.decode_dss_signature(key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
print(signing + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")))
PY
)
	output=$(curl -s -X "${METHOD:-GET}" -H "Authorization: Bearer $token" ${BODY:+--data-binary "$BODY"} -w '\n%{http_code}' "$ASC_API_BASE$1")
	CODE=${output##*$'\n'}
	output=${output%$'\n'*}
}

@test "every request in the programs' table is an operation of the spec, with its parameters" {
	run "$BATS_TEST_DIRNAME/helpers/check-api-calls"
	assert_success
	assert_output 'ok       GET    /v1/apps/{id}?fields[apps]=name,bundleId  (apps_getInstance)
ok       GET    /v1/appStoreVersions/{id}?include=app&fields[apps]=name,bundleId  (appStoreVersions_getInstance)
ok       GET    /v1/builds/{id}?include=app,preReleaseVersion&fields[apps]=name,bundleId  (builds_getInstance)
ok       GET    /v1/buildBetaDetails/{id}/build?include=app,preReleaseVersion&fields[apps]=name,bundleId  (buildBetaDetails_build_getToOneRelated)
ok       GET    /v1/buildUploads/{id}?include=build  (buildUploads_getInstance)
ok       GET    /v1/betaFeedbackScreenshotSubmissions/{id}?include=build,tester  (betaFeedbackScreenshotSubmissions_getInstance)
ok       GET    /v1/betaFeedbackCrashSubmissions/{id}?include=build,tester  (betaFeedbackCrashSubmissions_getInstance)
ok       GET    /v1/apps/{id}/webhooks?limit=200  (apps_webhooks_getToManyRelated)
ok       GET    /v1/webhooks/{id}  (webhooks_getInstance)
ok       POST   /v1/webhooks  (webhooks_createInstance)
ok       PATCH  /v1/webhooks/{id}  (webhooks_updateInstance)
ok       DELETE /v1/webhooks/{id}  (webhooks_deleteInstance)
ok       POST   /v1/webhookPings  (webhookPings_createInstance)
ok       GET    /v1/webhooks/{id}/deliveries?filter[createdDateGreaterThanOrEqualTo]={since}&filter[createdDateLessThan]={until}&limit={limit}  (webhooks_deliveries_getToManyRelated)
ok       POST   /v1/webhookDeliveries  (webhookDeliveries_createInstance)
ok       GET    /v1/apps?fields[apps]=name&limit=200  (apps_getCollection)
ok       GET    /v1/webhooks/{id}/deliveries?filter[createdDateGreaterThanOrEqualTo]={since}&filter[createdDateLessThan]={until}&include=event&fields[webhookEvents]=ping&limit=200  (webhooks_deliveries_getToManyRelated)'
}

@test "the check refuses a call the spec does not have, and an API path outside the table" {
	root="$BATS_TEST_TMPDIR/src"
	mkdir -p "$root/common" "$root/cmd"
	cp "$BATS_TEST_DIRNAME"/../common/ascapi_calls.[ch] "$root/common/"
	# What asc-enrich did before: an app relationship feedback does not have.
	sed -i 's|"include=build,tester"}|"include=build,tester,app"}|; s|"limit=200"|"limit=201"|' "$root/common/ascapi_calls.c"
	sed -i 's|"/v1/buildBetaDetails/{id}/build"|"/v1/buildBetaDetails/{id}/app"|' "$root/common/ascapi_calls.c"
	printf 'static const char *p = "/v1/apps/%%s";\n' >"$root/cmd/x.c"
	run --separate-stderr "$BATS_TEST_DIRNAME/helpers/check-api-calls" "$root"
	assert_failure 1
	[ "$stderr" = "check-api-calls: ASC_BUILD_OF_BETA_DETAIL: GET /v1/buildBetaDetails/{id}/app is not an operation of the spec
check-api-calls: ASC_SCREENSHOT_FEEDBACK: GET /v1/betaFeedbackScreenshotSubmissions/{id}: the parameter 'include' 'app' is not one of its values (build, tester)
check-api-calls: ASC_CRASH_FEEDBACK: GET /v1/betaFeedbackCrashSubmissions/{id}: the parameter 'include' 'app' is not one of its values (build, tester)
check-api-calls: ASC_APP_WEBHOOKS: GET /v1/apps/{id}/webhooks: the parameter 'limit' 201 is above its maximum 200
check-api-calls: cmd/x.c:1: an API path outside common/ascapi_calls.c" ]
}

@test "the fake's canned resources follow the spec; one that does not stops it at start" {
	run "$BATS_TEST_DIRNAME/helpers/fake-asc-api" --check
	assert_success
	# The relationship the old fake invented for feedback.
	printf '[{"type":"betaFeedbackCrashSubmissions","id":"x","attributes":{"comment":1},"relationships":{"app":{"data":{"type":"apps","id":"6447123456"}}}}]' >"$BATS_TEST_TMPDIR/extra.json"
	run "$BATS_TEST_DIRNAME/helpers/fake-asc-api" --check --extra "$BATS_TEST_TMPDIR/extra.json"
	assert_failure 1
	assert_output "fake-asc-api: canned resources break Apple's spec:
  betaFeedbackCrashSubmissions/x.attributes.comment: not a string
  betaFeedbackCrashSubmissions/x.relationships.app: not in the schema"
}

@test "the fake refuses what the spec does not allow: 400 naming it" {
	start_fake_api
	api '/v1/betaFeedbackScreenshotSubmissions/AQz7Hk2pL9vXb3Tn0eWm5Rc?include=app'
	assert_equal "$CODE" 400
	assert_equal "$(jq -c '.errors[0] | [.status, .code, .detail, .source.parameter]' <<<"$output")" \
		'["400","PARAMETER_ERROR.INVALID","The parameter '\''include'\'' '\''app'\'' is not one of its values (build, tester)","include"]'
	api '/v1/apps/6447123456?sort=name'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "400 The parameter 'sort' is not a parameter of apps_getInstance /v1/apps/{id}"
	api '/v1/apps/6447123456?fields%5Bapps%5D=name,colour'
	assert_equal "$CODE $(jq -r '.errors[0].source.parameter' <<<"$output")" "400 fields[apps]"
	api '/v1/apps/6447123456/webhooks?limit=201'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "400 The parameter 'limit' 201 is above its maximum 200"
	api '/v1/webhooks/wh-1/deliveries?filter%5BdeliveryState%5D=FAILED&filter%5BcreatedDateGreaterThanOrEqualTo%5D=2026-11-01&filter%5BcreatedDateLessThan%5D=2026-12-01'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "400 The parameter 'filter[deliveryState]' can not be used with this request"
	api '/v1/webhooks/wh-1/deliveries'
	assert_equal "$CODE $(jq -r '.errors[0].code' <<<"$output")" "400 PARAMETER_ERROR.REQUIRED"
	api '/v1/webhooks'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "400 GET /v1/webhooks is not an operation of the App Store Connect API"
	api '/v1/betaFeedbackScreenshotSubmissions/AQz7Hk2pL9vXb3Tn0eWm5Rc/app'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "400 /v1/betaFeedbackScreenshotSubmissions/AQz7Hk2pL9vXb3Tn0eWm5Rc/app is not a path of the App Store Connect API"
	METHOD=DELETE api '/v1/apps/6447123456'
	assert_equal "$CODE" 400
	# Bodies the request schema does not allow.
	BODY='{"data":{"type":"webhooks","attributes":{"name":"n","enabled":true,"eventTypes":[],"secret":"s"},"relationships":{"app":{"data":{"type":"apps","id":"6447123456"}}}}}' METHOD=POST api /v1/webhooks
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "422 body.data.attributes.url: required, missing"
	BODY='{"data":{"type":"webhooks","id":"wh-1","attributes":{"eventTypes":["buildUploadStateUpdated"],"colour":"red"}}}' METHOD=PATCH api /v1/webhooks/wh-1
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "409 body.data.attributes.eventTypes[0]: 'buildUploadStateUpdated' is not one of the schema's values; body.data.attributes.colour: not in the schema"
}

@test "the fake answers as the live API: included and relationship data only when asked" {
	start_fake_api
	# build and tester have no links in the schema: without include, nothing of them at all.
	api '/v1/betaFeedbackCrashSubmissions/AJk4Wd8sQ1mYr6Gv2bNz7Tx'
	assert_equal "$CODE" 200
	assert_equal "$(jq -c '[has("included"), (.data.relationships | keys), (.data.relationships.build | has("data")), .links.self != null]' <<<"$output")" '[false,["crashLog"],false,true]'
	api '/v1/betaFeedbackCrashSubmissions/AJk4Wd8sQ1mYr6Gv2bNz7Tx?include=build'
	assert_equal "$(jq -c '[[.included[] | .type + "/" + .id], .data.relationships.build.data, (.data.relationships.tester | has("data"))]' <<<"$output")" '[["builds/build-1"],{"type":"builds","id":"build-1"},false]'
	api '/v1/builds/build-1?include=app&fields%5Bapps%5D=name'
	assert_equal "$(jq -c '.included[0].attributes' <<<"$output")" '{"name":"MyApp"}'
	# A failed upload has no build to point at.
	api '/v1/buildUploads/f2c9d7e1-0b84-4a36-9d15-7e3a6c2b8f40?include=build'
	assert_equal "$(jq -c '[.included, .data.relationships.build.data, .data.attributes.state.state]' <<<"$output")" '[[],null,"FAILED"]'
	api '/v1/apps/1'
	assert_equal "$CODE $(jq -r '.errors[0].detail' <<<"$output")" "404 There is no resource of type 'apps' with id '1'"
}

@test "the fake's refusals are answers of the spec too: a status the operation lists, the spec's error body" {
	run python3 - "$BATS_TEST_DIRNAME/helpers/fake-asc-api" <<'PY'
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("fake", sys.argv[1])
spec = importlib.util.spec_from_loader("fake", loader)
fake = importlib.util.module_from_spec(spec)
loader.exec_module(fake)
delete = fake.SPEC.operation("DELETE", "/v1/webhooks/wh-1")[1]
ping = fake.SPEC.operation("POST", "/v1/webhookPings")[1]
# What the test modes send (refuse: 403, rate: 429) is listed; a 409 on DELETE is not.
print(fake.Handler.refusal_problems(ping, fake.Refused(403, "FORBIDDEN_ERROR", "t", "d")))
print(fake.Handler.refusal_problems(delete, fake.Refused(429, "RATE_LIMIT_EXCEEDED", "t", "d")))
print(fake.Handler.refusal_problems(delete, fake.Refused(409, "ENTITY_ERROR", "t", "d")))
PY
	assert_success
	assert_output - <<'OUT'
[]
[]
['409 is not a response of this operation in the spec']
OUT
	# The refuse: mode through the wire: 403 with the spec's error document.
	start_fake_api
	echo refuse:apps >"$API_DIR/mode"
	api '/v1/apps?limit=200'
	assert_equal "$CODE $(jq -c '.errors[0] | [.status, .code]' <<<"$output")" '403 ["403","FORBIDDEN_ERROR"]'
}
