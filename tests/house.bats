#!/usr/bin/env bats
# The house: install layout, hardening of what is built, man pages that render cleanly.

load helpers/common

TOP="$BATS_TEST_DIRNAME/.."

@test "make install honours DESTDIR and PREFIX, and uninstall removes it all" {
	dest="$BATS_TEST_TMPDIR/root"
	make -C "$TOP" --no-print-directory -s install DESTDIR="$dest" PREFIX=/opt/ab >/dev/null
	[ -x "$dest/opt/ab/bin/asc-verify" ]
	[ -f "$dest/opt/ab/share/man/man1/asc-verify.1" ]
	[ -f "$dest/opt/ab/share/man/man7/ascbell.7" ]
	run "$dest/opt/ab/bin/asc-verify" --version
	assert_output 'asc-verify ascbell 0.1.0'
	# The CGI program, pointing at the programs where they were installed.
	[ -x "$dest/opt/ab/lib/ascbell/asc-cgi" ]
	run tail -n 1 "$dest/opt/ab/lib/ascbell/asc-cgi"
	assert_output 'exec /opt/ab/bin/asc-http --cgi --path /asc --spool /var/lib/ascbell/spool'
	make -C "$TOP" --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=/opt/ab >/dev/null
	run find "$dest" -type f
	assert_output ''
}

@test "make install honours BINDIR and MANDIR" {
	dest="$BATS_TEST_TMPDIR/root"
	make -C "$TOP" --no-print-directory -s install DESTDIR="$dest" BINDIR=/b MANDIR=/m >/dev/null
	[ -x "$dest/b/asc-verify" ]
	[ -f "$dest/m/man1/asc-verify.1" ]
	grep -qx 'exec /b/asc-http --cgi --path /asc --spool /var/lib/ascbell/spool' "$dest/usr/local/lib/ascbell/asc-cgi"
}

@test "every program is PIE with full RELRO, a stack protector and fortified calls" {
	for prog in "$ASCBELL_BIN"/*; do
		readelf -h "$prog" | grep -q 'Type: *DYN'
		readelf -l "$prog" | grep -q GNU_RELRO
		readelf -d "$prog" | grep -q 'BIND_NOW'
		readelf -s "$prog" | grep -q '__stack_chk_fail'
		readelf -s "$prog" | grep -qE '__(v?f?s?n?printf|memcpy|read|fread)_chk'
	done
}

@test "every program has a man page, and every page renders without a warning" {
	for prog in "$TOP"/cmd/*.c; do
		[ -f "$TOP/man/$(basename "$prog" .c).1" ]
	done
	for page in "$TOP"/man/*.[17]; do
		run groff -Tutf8 -t -man -ww -z "$page"
		assert_success
		assert_output ''
		# man also warns about tables too wide for an 80-column terminal.
		run sh -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' sh "$page"
		assert_output ''
	done
}

@test "every program answers --help and --version" {
	for prog in "$TOP"/cmd/*.c; do
		name=$(basename "$prog" .c)
		run --separate-stderr "$name" --help
		assert_success
		assert_line --index 0 --partial "usage: $name"
		run --separate-stderr "$name" --version
		assert_output "$name ascbell 0.1.0"
	done
}
