#!/usr/bin/env bats
# asc-prune: removal by age, with the clock pinned ($ASCBELL_NOW) and the files' times set
# with touch -d; what is younger than the limit, and what must never be touched (the
# spool's new/, the outbox, the unsent spool, anything that is not a regular file), stays.

load helpers/common

NOW=2026-11-27T15:00:00Z

setup() {
	export ASCBELL_NOW=$NOW
	unset ASCBELL_KEEP_DAYS ASCBELL_DEDUP_DIR ASCBELL_HISTORY
	S="$BATS_TEST_TMPDIR/state"
	for d in spool/tmp spool/new spool/cur outbox/new outbox/cur outbox/failed unsent/new dedup/escalation history elsewhere; do
		mkdir -p "$S/$d"
	done
	# Older than 30 days before $NOW (mtime), or named for a day that ended before then.
	for f in spool/cur/old spool/new/old spool/tmp/old outbox/new/old outbox/cur/old outbox/failed/old \
		unsent/new/old dedup/old-id dedup/escalation/old-id history/notes.txt history/2026-10-27.jsonl.bak \
		elsewhere/old; do
		: >"$S/$f"
		touch -d '2026-10-01T00:00:00Z' "$S/$f"
	done
	# Just inside: 30 days to the second is not older than 30 days.
	for f in spool/cur/edge dedup/edge-id; do
		: >"$S/$f"
		touch -d '2026-10-28T15:00:00Z' "$S/$f"
	done
	# One second over.
	: >"$S/spool/cur/over"
	touch -d '2026-10-28T14:59:59Z' "$S/spool/cur/over"
	: >"$S/spool/cur/recent"
	# The history by the date in the name: the 27th of October ended 30 days and 15 hours
	# before now, the 28th is still partly within the 30 days; a new mtime keeps nothing, an
	# old one loses nothing.
	: >"$S/history/2026-10-27.jsonl"
	: >"$S/history/2026-10-28.jsonl"
	touch -d '2026-01-01T00:00:00Z' "$S/history/2026-10-28.jsonl"
	: >"$S/history/2025-01-01.jsonl"
	# Names the receiver never writes, however old: an impossible date (timegm would make it
	# 2 March), a day without its zero, a name with more after the date.
	for f in 2025-02-30.jsonl 2025-02-29.jsonl 2025-1-01.jsonl 2025-13-01.jsonl 2025-01-01.jsonl.1; do
		: >"$S/history/$f"
	done
	# Links and directories are never removed, nor what a link points to.
	ln -s "$S/elsewhere/old" "$S/spool/cur/link"
	touch -h -d '2026-10-01T00:00:00Z' "$S/spool/cur/link"
	mkdir "$S/spool/cur/olddir"
	touch -d '2026-10-01T00:00:00Z' "$S/spool/cur/olddir"
	mkdir "$S/history/2026-01-01.jsonl"
}

files() {
	(cd "$S" && find . -mindepth 1 | sort)
}

@test "--days 30: exactly what is older goes; new/, the outbox, unsent/, links, directories stay" {
	before=$(files)
	run --separate-stderr asc-prune --days 30 --spool "$S/spool" --dedup "$S/dedup" --history "$S/history"
	assert_success
	assert_output ''
	[ -z "$stderr" ]
	removed=$(comm -23 <(printf '%s\n' "$before") <(files))
	assert_equal "$removed" "$(printf '%s\n' ./dedup/escalation/old-id ./dedup/old-id ./history/2025-01-01.jsonl \
		./history/2026-10-27.jsonl ./spool/cur/old ./spool/cur/over)"
	# Nothing appeared.
	assert_equal "$(comm -13 <(printf '%s\n' "$before") <(files))" ''
}

@test "--dry-run lists what would go and removes nothing; -v says each removal" {
	before=$(files)
	run --separate-stderr asc-prune -n -d 30 --spool "$S/spool" --dedup "$S/dedup" --history "$S/history"
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$S/dedup/escalation/old-id" "$S/dedup/old-id" \
		"$S/history/2025-01-01.jsonl" "$S/history/2026-10-27.jsonl" "$S/spool/cur/old" "$S/spool/cur/over")"
	assert_equal "$(files)" "$before"
	run --separate-stderr asc-prune -v -d 30 --history "$S/history"
	assert_success
	assert_output ''
	assert_equal "$(sort <<<"$stderr")" "$(printf '%s\n' "asc-prune: 2 removed, 1 kept" \
		"asc-prune: removed $S/history/2025-01-01.jsonl" "asc-prune: removed $S/history/2026-10-27.jsonl")"
}

@test "the limit: \$ASCBELL_KEEP_DAYS, else 90 days; the directories from the environment" {
	# 90 days before now is 2026-08-29T15:00:00Z: the October files all stay.
	before=$(files)
	ASCBELL_DEDUP_DIR="$S/dedup" ASCBELL_HISTORY="$S/history" run asc-prune --spool "$S/spool"
	assert_success
	assert_equal "$(comm -23 <(printf '%s\n' "$before") <(files))" ./history/2025-01-01.jsonl
	ASCBELL_KEEP_DAYS=30 ASCBELL_DEDUP_DIR="$S/dedup" ASCBELL_HISTORY="$S/history" run asc-prune
	assert_success
	assert_equal "$(comm -23 <(printf '%s\n' "$before") <(files))" "$(printf '%s\n' ./dedup/escalation/old-id \
		./dedup/old-id ./history/2025-01-01.jsonl ./history/2026-10-27.jsonl)"
	# --days wins over the environment.
	ASCBELL_KEEP_DAYS=1 run asc-prune --days 30 --spool "$S/spool"
	assert_success
	[ -e "$S/spool/cur/edge" ]
	[ ! -e "$S/spool/cur/over" ]
}

@test "a dedup marker a live claimant holds stays, whatever its age" {
	exec 9<"$S/dedup/old-id"
	flock -x 9
	run asc-prune --days 30 --dedup "$S/dedup"
	exec 9<&-
	assert_success
	[ -e "$S/dedup/old-id" ]
	[ ! -e "$S/dedup/escalation/old-id" ]
}

@test "bad limits and nothing to prune: exit 64 or 78, nothing removed" {
	before=$(files)
	for days in 0 -1 abc 7x '' 100000 '7 -o -true'; do
		run --separate-stderr asc-prune --days "$days" --spool "$S/spool"
		assert_equal "$status" 64
		assert_equal "$stderr" "asc-prune: error: --days $days: not a number of days (1 to 36500)"
		ASCBELL_KEEP_DAYS=$days run --separate-stderr asc-prune --spool "$S/spool"
		if [ -z "$days" ]; then
			assert_success # empty is unset: 90 days
		else
			assert_equal "$status" 78
			assert_equal "$stderr" "asc-prune: error: ASCBELL_KEEP_DAYS=$days is not a number of days (1 to 36500)"
		fi
	done
	ASCBELL_NOW=never run asc-prune --spool "$S/spool"
	assert_equal "$status" 78
	run --separate-stderr asc-prune --days 30
	assert_equal "$status" 78
	assert_equal "$stderr" 'asc-prune: error: nothing to prune (give --spool, --dedup or --history, or set ASCBELL_DEDUP_DIR or ASCBELL_HISTORY)'
	run asc-prune --days 30 --spool "$S/spool" extra
	assert_equal "$status" 64
	assert_equal "$(files)" "$before"
}

@test "directories that do not exist have nothing to prune; one that cannot be read is an error, the rest still pruned" {
	run --separate-stderr asc-prune --days 30 --spool "$S/none" --dedup "$S/none" --history "$S/none"
	assert_success
	[ -z "$stderr" ]
	run --separate-stderr asc-prune -v --days 30 --history "$S/none"
	assert_equal "$stderr" "$(printf '%s\n' "asc-prune: $S/none: no such directory; nothing to prune" 'asc-prune: 0 removed, 0 kept')"
	# A file where the directory should be.
	run --separate-stderr asc-prune --days 30 --dedup "$S/spool/cur/old" --history "$S/history"
	assert_equal "$status" 74
	assert_equal "$stderr" "asc-prune: error: $S/spool/cur/old: Not a directory"
	[ ! -e "$S/history/2026-10-27.jsonl" ]
}
