# The history tests/asc-report.bats reads: what the receiver writes to ASCBELL_HISTORY (the
# format of /work/notes/i15-interfaces.md, as ascbell(7) documents it), a few lines of each
# kind, in three apps and over eight days, with forged requests, redeliveries, broken lines
# and hostile names. The figures each window must give are worked out in asc-report.bats.

# ev ID EVENT APP-KEY APP-ID APP-NAME [more "key":value members]: an event as asc-parse and
# asc-enrich leave it, with the fields asc-report reads.
ev() {
	local id=$1 name=$2 key=$3 app_id=$4 app_name=$5
	shift 5
	local more=''
	[ $# -eq 0 ] || more=",$*"
	printf '{"id":"%s","type":"t","event":"%s","category":"c","severity":"info","message":"m","instance":{"type":"i","id":"inst-%s","url":null},"app":{"id":"%s","name":%s,"url":"https://appstoreconnect.apple.com/apps/%s"},"ping":false%s}' \
		"$id" "$name" "$id" "$app_id" "$app_name" "$app_id" "$more"
}

# line AT ANSWER OUTCOME APP EVENT: one history line.
line() {
	printf '{"at":"%s","answer":%s,"outcome":"%s","app":%s,"event":%s}\n' "$@"
}

VERSION=APP_STORE_VERSION_APP_VERSION_STATE_UPDATED
UPLOAD=BUILD_UPLOAD_STATE_UPDATED
BETA=BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED
FEEDBACK=BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED
CRASH=BETA_FEEDBACK_CRASH_SUBMISSION_CREATED

alpha() { ev "$1" "$2" alpha 111 '"Alpha"' "${@:3}"; }
beta() { ev "$1" "$2" beta 222 '"Beta \"β\" {{app.name}}"' "${@:3}"; }

# write_history DIR
write_history() {
	local h=$1
	mkdir -p "$h"
	# Outside every window the tests ask for: a directory where a day file would be, so a
	# report that opened it would fail.
	mkdir "$h/2026-11-19.jsonl"
	{
		line 2026-11-20T10:00:00Z 200 delivered '"alpha"' "$(alpha b0 $UPLOAD '"newState":"COMPLETE"')"
		line 2026-11-20T16:00:00Z 200 delivered '"alpha"' "$(alpha v1 $VERSION '"oldState":"PREPARE_FOR_SUBMISSION","newState":"WAITING_FOR_REVIEW"')"
	} >"$h/2026-11-20.jsonl"
	{
		line 2026-11-25T09:00:00Z 200 delivered '"alpha"' "$(alpha v2 $VERSION '"oldState":"WAITING_FOR_REVIEW","newState":"IN_REVIEW"')"
		line 2026-11-25T14:00:00Z 200 delivered '"alpha"' "$(alpha v3 $VERSION '"oldState":"IN_REVIEW","newState":"REJECTED","review":{"waited":68400,"inReview":7200,"total":75600,"waitedText":"19 h","inReviewText":"2 h","totalText":"21 h"}')"
		line 2026-11-25T12:00:00Z 200 queued '"beta"' "$(beta b1 $UPLOAD '"oldState":"PROCESSING","newState":"FAILED","errors":[{"code":"ITMS-90683","description":"Missing purpose string"},{"code":"ITMS-90034","description":"Missing or invalid signature"}]')"
		line 2026-11-25T12:30:00Z 200 queued '"beta"' "$(beta b2 $UPLOAD '"newState":"FAILED"')"
		line 2026-11-25T13:00:00Z 200 queued '"beta"' "$(beta f1 $FEEDBACK '"device":"iPhone16,1","osVersion":"18.1"')"
		# Apple delivered it again: one more answered request, the same feedback.
		line 2026-11-25T13:05:00Z 200 duplicate '"beta"' "$(beta f1 $FEEDBACK '"device":"iPhone16,1","osVersion":"18.1"')"
	} >"$h/2026-11-25.jsonl"
	{
		line 2026-11-26T08:00:00Z 200 delivered '"alpha"' "$(alpha v4 $VERSION '"oldState":"DEVELOPER_REJECTED","newState":"WAITING_FOR_REVIEW"')"
		line 2026-11-26T16:00:00Z 200 delivered '"alpha"' "$(alpha v5 $VERSION '"oldState":"IN_REVIEW","newState":"PENDING_DEVELOPER_RELEASE","version":"2.0","review":{"waited":68400,"inReview":18720,"total":87120}')"
		line 2026-11-26T17:00:00Z 200 queued '"beta"' "$(beta t1 $BETA '"oldState":"IN_BETA_REVIEW","newState":"BETA_APPROVED","status":"Beta Approved","review":{"waited":null,"inReview":3600,"total":"3600"}')"
		echo 'this line is not JSON'
		line 2026-11-26T18:00:00Z 200 queued '"beta"' "$(beta f2 $FEEDBACK '"device":"iPhone \"Pro\"\n{{app.name}}","osVersion":"18.1"')"
		printf '{"at":"2026-11-26T18:30:00Z","answer":200,"outcome":"queued","app":"beta","event":{"id":"u1","event":"%s","device":"\xff"}}\n' $FEEDBACK
		line 2026-11-26T19:00:00Z 200 queued '"beta"' "$(beta c1 $CRASH '"device":"iPhone16,1","osVersion":"17.5"')"
		echo '[{"at":"2026-11-26T19:30:00Z","answer":200}]'
		line 2026-11-26T19:45:00Z '"200"' delivered '"alpha"' null
		line 2026-11-26T19:50:00Z 200 delivered 7 null
		line 2026-11-26T19:55:00Z 200 delivered '"alpha"' '"an event"'
		line 2026-11-26T19:56:00 200 delivered '"alpha"' null
		line 2026-11-26T20:00:00Z 401 forged null null
	} >"$h/2026-11-26.jsonl"
	{
		line 2026-11-27T09:00:00Z 503 unavailable '"alpha"' "$(alpha b3 $UPLOAD '"newState":"COMPLETE"')"
		line 2026-11-27T09:01:00Z 200 delivered '"alpha"' "$(alpha b3 $UPLOAD '"newState":"COMPLETE"')"
		line 2026-11-27T10:00:00Z 400 malformed '"beta"' null
		line 2026-11-27T14:59:59Z 200 queued '"beta"' "$(beta b4 $UPLOAD '"newState":"COMPLETE"')"
		# Answered at the report's own second: the next report's.
		line 2026-11-27T15:00:00Z 200 delivered '"alpha"' "$(alpha b5 $UPLOAD '"newState":"COMPLETE"')"
	} >"$h/2026-11-27.jsonl"
}
