#!/usr/bin/env bats
# The Debian package (`make deb`, scripts/build-deb, scripts/deb/): built twice here, as two
# versions, to inspect it, lintian it, install, upgrade, remove and purge it in throwaway
# roots with `dpkg --root`, and install it for real in a systemd machine
# (tests/helpers/systemd-container: Debian's systemd as PID 1 over an overlay of /), where a
# signed delivery goes through the installed units to a fake Echobell.
#
# dpkg --root: maintainer scripts run chrooted into the root by default, and a throwaway
# root has no shell to run them. --force-script-chrootless runs them on this machine with
# DPKG_ROOT set, which postinst and postrm (and debhelper's snippets, systemd-sysusers,
# systemd-tmpfiles, deb-systemd-helper, dpkg-statoverride) honour. --force-depends: the root
# has no libc6 or libjq1 in its dpkg database; the programs run with this machine's
# libraries. Nothing is started: no systemd runs in a root.
#
# Not in `make check` (here, not in tests/: `bats tests` does not descend): two package
# builds, lintian and a machine take about 2.5 minutes on 2 cores. `make deb-check` runs it,
# and .ci/run has it as a pass of its own.

# common.bash looks for the build and the fixtures beside the test file: here one level up.
ASCBELL_BIN=${ASCBELL_BIN:-$(cd "$BATS_TEST_DIRNAME/../../build/bin" && pwd)}
load ../helpers/common
load ../helpers/machine

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FIXTURES="$TOP/tests/fixtures"
V1=0.1.0~test1
V2=0.1.0~test2

setup_file() {
	ARCH=$(dpkg --print-architecture)
	export DEB1="$BATS_FILE_TMPDIR/v1/ascbell_${V1}_$ARCH.deb"
	export DEB2="$BATS_FILE_TMPDIR/v2/ascbell_${V2}_$ARCH.deb"
	DEB_VERSION=$V1 sh "$TOP/scripts/build-deb" "$BATS_FILE_TMPDIR/v1" >"$BATS_FILE_TMPDIR/build1.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/build1.log" >&2; return 1; }
	DEB_VERSION=$V2 sh "$TOP/scripts/build-deb" "$BATS_FILE_TMPDIR/v2" >"$BATS_FILE_TMPDIR/build2.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/build2.log" >&2; return 1; }
}

# A fresh throwaway root with an empty dpkg database, in $ROOT.
new_root() {
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers"
	touch "$ROOT/var/lib/dpkg/status"
}

in_root() {
	dpkg --root="$ROOT" --force-script-chrootless --force-depends "$@"
}

# "type mode owner path" of every entry of the package.
listing() {
	dpkg-deb -c "$1" | awk '{ sub(/^\./, "", $6); print substr($1, 1, 1), $1, $2, $6 }' | sed 's|/$||' | sort
}

@test "dpkg-deb -c: make install's files under /usr, the deployment files, modes; the env file is the one conffile" {
	# What the Makefile's install target installs with PREFIX=/usr, man pages gzipped.
	inst="$BATS_TEST_TMPDIR/inst"
	make -s -C "$TOP" BUILD="$TOP/build/deb/obj" install DESTDIR="$inst" PREFIX=/usr >/dev/null
	expected=$(
		cd "$inst"
		find usr -type f | sed 's|^usr/share/man/.*|&.gz|' | while read -r f; do
			case $f in
			usr/bin/* | usr/lib/ascbell/*) echo "- -rwxr-xr-x root/root /$f" ;;
			*) echo "- -rw-r--r-- root/root /$f" ;;
			esac
		done
		for f in etc/ascbell/env usr/lib/sysusers.d/ascbell.conf usr/lib/tmpfiles.d/ascbell.conf \
			usr/share/doc/ascbell/changelog.gz usr/share/doc/ascbell/copyright \
			usr/share/lintian/overrides/ascbell; do
			echo "- -rw-r--r-- root/root /$f"
		done
		for f in "$TOP"/scripts/deploy/ascbell*.service "$TOP"/scripts/deploy/ascbell*.socket \
			"$TOP"/scripts/deploy/ascbell*.timer; do
			echo "- -rw-r--r-- root/root /lib/systemd/system/${f##*/}"
		done
	)
	run listing "$DEB1"
	assert_equal "$(grep '^-' <<<"$output")" "$(sort <<<"$expected")"
	# Directories: root's, 755, nothing else (the modes of /etc/ascbell come from postinst).
	assert_equal "$(grep '^d' <<<"$output" | awk '{ print $2, $3 }' | sort -u)" 'drwxr-xr-x root/root'
	# Exactly the seven programs, the three scripts and asc-cgi of today at least.
	for f in asc-verify asc-parse asc-render echobell-send asc-http asc-enrich asc-webhooks \
		asc-receiver asc-replay asc-ping; do
		assert_line "- -rwxr-xr-x root/root /usr/bin/$f"
	done
	assert_line '- -rwxr-xr-x root/root /usr/lib/ascbell/asc-cgi'
	assert_line '- -rw-r--r-- root/root /usr/share/man/man1/asc-http.1.gz'
	assert_line '- -rw-r--r-- root/root /usr/share/man/man7/ascbell.7.gz'
	run dpkg-deb --info "$DEB1" conffiles
	assert_output /etc/ascbell/env
}

@test "the packaged files: units on /usr/bin, otherwise as shipped; env, tmpfiles as shipped; man pages gzip -9n" {
	x="$BATS_TEST_TMPDIR/x"
	dpkg-deb -x "$DEB1" "$x"
	for f in "$TOP"/scripts/deploy/ascbell*.service "$TOP"/scripts/deploy/ascbell*.socket \
		"$TOP"/scripts/deploy/ascbell*.timer; do
		run diff <(sed 's|/usr/local/bin/|/usr/bin/|g' "$f") "$x/lib/systemd/system/${f##*/}"
		assert_success
	done
	run grep -rl /usr/local "$x/lib/systemd/system"
	assert_output ''
	run grep -h '^ExecStart=' "$x/lib/systemd/system/ascbell.service" "$x/lib/systemd/system/ascbell-deliver.service"
	assert_output "$(printf '%s\n' 'ExecStart=/usr/bin/asc-http --agent --trust-proxy 127.0.0.1 --spool /var/lib/ascbell/spool' \
		'ExecStart=/usr/bin/echobell-send --watch /var/lib/ascbell/outbox')"
	cmp "$TOP/scripts/deploy/env.example" "$x/etc/ascbell/env"
	cmp "$TOP/scripts/deploy/ascbell.tmpfiles" "$x/usr/lib/tmpfiles.d/ascbell.conf"
	run grep -v '^#' "$x/usr/lib/sysusers.d/ascbell.conf"
	assert_output 'u ascbell - "ascbell receiver" /var/lib/ascbell /usr/sbin/nologin'
	# -n: no name or time stamp in the gzip header (byte 3, FLG, without FNAME; MTIME zero);
	# -9: the XFL byte says "maximum compression" (2).
	run sh -c "od -An -tu1 -N10 '$x/usr/share/man/man1/asc-http.1.gz' | tr -s ' '"
	assert_output ' 31 139 8 0 0 0 0 0 2 3'
	zcat "$x/usr/share/man/man1/asc-http.1.gz" | cmp - "$TOP/man/asc-http.1"
}

@test "control: Depends from dpkg-shlibdeps (and libcurl4, loaded with dlopen), Recommends socat, Suggests nginx | caddy" {
	run dpkg-deb -f "$DEB1" Package Version Architecture Depends Recommends Suggests
	assert_line "Version: $V1"
	assert_line "Architecture: $(dpkg --print-architecture)"
	assert_line --regexp '^Depends: libc6 \(>= [0-9.]+\), libhttp-parser2\.9 \(>= [0-9.]+\), libjq1 \(>= [0-9.]+\), libssl3 \(>= [0-9.]+\), libcurl4, adduser$'
	assert_line 'Recommends: socat'
	assert_line 'Suggests: nginx | caddy'
}

@test "lintian: no error, no warning (overrides explained in scripts/deb/ascbell.lintian-overrides)" {
	run --separate-stderr lintian "$DEB1"
	assert_success
	assert_output ''
	# Each override is preceded by its reason.
	run grep -c '^#' "$TOP/scripts/deb/ascbell.lintian-overrides"
	[ "$output" -ge 1 ]
}

@test "dpkg --root: installed; programs run; user, state tree, modes, secret made once; receiver enabled" {
	new_root
	run in_root -i "$DEB1"
	assert_success
	assert_line 'ascbell: a webhook secret was made for this receiver in /etc/ascbell/webhook-secret;'
	assert_line 'ascbell: type it into App Store Connect (sudo cat /etc/ascbell/webhook-secret shows it).'
	# The secret itself is never printed (apt keeps what a script prints in its log).
	refute_output --partial "$(cat "$ROOT/etc/ascbell/webhook-secret")"
	# Every compiled program installed (the scripts have no --version), today's seven at least.
	programs=$(cd "$ROOT/usr/bin" && for f in *; do [ "$(head -c 4 "$f")" = $'\x7fELF' ] && echo "$f"; done)
	for p in asc-verify asc-parse asc-render echobell-send asc-http asc-enrich asc-webhooks; do
		assert_equal "$(grep -cx "$p" <<<"$programs")" 1
	done
	for p in $programs; do
		run "$ROOT/usr/bin/$p" --version
		assert_success
		assert_output "$p ascbell $(sed -n 's/^#define ASCBELL_VERSION "\(.*\)"$/\1/p' "$TOP/common/util.h")"
	done
	run grep ascbell "$ROOT/etc/passwd" "$ROOT/etc/group"
	assert_output --regexp "^$ROOT/etc/passwd:ascbell:x:([0-9]+):([0-9]+):ascbell receiver:/var/lib/ascbell:/usr/sbin/nologin"$'\n'"$ROOT/etc/group:ascbell:x:[0-9]+:\$"
	gid=$(awk -F: '$1 == "ascbell" { print $3 }' "$ROOT/etc/group")
	uid=$(awk -F: '$1 == "ascbell" { print $3 }' "$ROOT/etc/passwd")
	run stat -c '%u %g %a %n' "$ROOT/etc/ascbell" "$ROOT/etc/ascbell/env" "$ROOT/etc/ascbell/webhook-secret"
	assert_output "$(printf "0 $gid %s $ROOT/etc/ascbell%s\n" 750 '' 640 /env 640 /webhook-secret)"
	run cat "$ROOT/etc/ascbell/webhook-secret"
	assert_output --regexp '^[0-9a-f]{64}$'
	# The tmpfiles.d entry, applied: every directory it names, ascbell's, 2770.
	run sh -c "cd '$ROOT' && stat -c '%u %g %a /%n' \$(awk '\$1 == \"d\" { print substr(\$2, 2) }' usr/lib/tmpfiles.d/ascbell.conf)"
	assert_output "$(awk -v u="$uid" -v g="$gid" '$1 == "d" { print u, g, 2770, $2 }' "$ROOT/usr/lib/tmpfiles.d/ascbell.conf")"
	run sh -c "cd '$ROOT/etc/systemd/system' && find . -type l -printf '%p -> %l\n' | sort"
	assert_output "$(printf '%s\n' './multi-user.target.wants/ascbell.service -> /lib/systemd/system/ascbell.service' \
		'./sockets.target.wants/ascbell.socket -> /lib/systemd/system/ascbell.socket' \
		'./timers.target.wants/ascbell-prune.timer -> /lib/systemd/system/ascbell-prune.timer')"
}

@test "dpkg --root: an empty secret file (the admin's) is kept, and the receiver is left disabled with the command to run" {
	new_root
	mkdir -p "$ROOT/etc/ascbell"
	: >"$ROOT/etc/ascbell/webhook-secret"
	run in_root -i "$DEB1"
	assert_success
	assert_line 'ascbell: /etc/ascbell/webhook-secret is empty: the receiver is not enabled (it would refuse every delivery).'
	assert_line 'ascbell: put the secret there, then run:  sudo systemctl enable --now ascbell.socket ascbell.service'
	[ ! -s "$ROOT/etc/ascbell/webhook-secret" ]
	run sh -c "cd '$ROOT/etc/systemd/system' && find . -type l | sort"
	assert_output './timers.target.wants/ascbell-prune.timer'
}

@test "dpkg --root: upgrade to the next build keeps the secret, the Echobell URL, the edited env, the modes" {
	new_root
	in_root -i "$DEB1" >/dev/null 2>&1
	secret=$(cat "$ROOT/etc/ascbell/webhook-secret")
	sed -i 's/^ASC_APP_NAME=.*/ASC_APP_NAME=Edited/' "$ROOT/etc/ascbell/env"
	printf 'https://hook.echobell.one/t/kept\n' >"$ROOT/etc/ascbell/echobell-url"
	cp -p "$ROOT/etc/ascbell/env" "$BATS_TEST_TMPDIR/env.before"
	run in_root -i "$DEB2"
	assert_success
	refute_output --partial 'a webhook secret was made'
	assert_equal "$(cat "$ROOT/etc/ascbell/webhook-secret")" "$secret"
	assert_equal "$(cat "$ROOT/etc/ascbell/echobell-url")" 'https://hook.echobell.one/t/kept'
	cmp "$BATS_TEST_TMPDIR/env.before" "$ROOT/etc/ascbell/env"
	run ls "$ROOT/etc/ascbell"
	assert_output "$(printf 'echobell-url\nenv\nwebhook-secret')"
	run stat -c '%a' "$ROOT/etc/ascbell" "$ROOT/etc/ascbell/env" "$ROOT/etc/ascbell/webhook-secret"
	assert_output "$(printf '750\n640\n640')"
	run dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${Version} ${Status}' ascbell
	assert_output "$V2 install ok installed"
}

@test "dpkg --root: remove keeps data, configuration and user; purge leaves nothing" {
	new_root
	in_root -i "$DEB1" >/dev/null 2>&1
	printf 'kept\n' >"$ROOT/var/lib/ascbell/spool/new/a-delivery"
	run in_root -r ascbell
	assert_success
	[ -s "$ROOT/var/lib/ascbell/spool/new/a-delivery" ]
	[ -s "$ROOT/etc/ascbell/webhook-secret" ]
	[ -s "$ROOT/etc/ascbell/env" ]
	grep -q '^ascbell:' "$ROOT/etc/passwd"
	[ ! -e "$ROOT/usr/bin/asc-http" ]
	run in_root -P ascbell
	assert_success
	# What is left: the account files (without ascbell), dpkg's database, empty directories.
	run sh -c "cd '$ROOT' && find . -path ./var/lib/dpkg -prune -o -type f -print -o -type l -print | sort"
	assert_output "$(printf './etc/%s\n' .pwd.lock group group- gshadow gshadow- passwd passwd- shadow shadow-)"
	run grep -l ascbell "$ROOT/etc/passwd" "$ROOT/etc/group" "$ROOT/etc/shadow" "$ROOT/etc/gshadow"
	assert_output ''
	run sh -c "cd '$ROOT' && find . -path ./var/lib/dpkg -prune -o -type d -print | sort"
	assert_output "$(printf '%s\n' . ./etc ./etc/systemd ./etc/systemd/system ./var ./var/lib ./var/lib/systemd)"
	assert_equal "$(cat "$ROOT/var/lib/dpkg/statoverride")" ''
}

# The package installed for real: dpkg -i in a systemd machine, apt's way (postinst with
# systemd running), a signed delivery through the installed units, upgrade, remove, purge.
teardown() {
	stop_machine
}

@test "systemd machine: dpkg -i starts the receiver with its new secret; a signed delivery reaches Echobell; upgrade restarts it; remove stops it; purge removes all" {
	# The source tree (the fake) and the packages, read-only in the machine.
	start_machine "$BATS_TEST_TMPDIR/machine" 240 "$BATS_TEST_TMPDIR/fake" "$TOP" "$BATS_FILE_TMPDIR"
	# This machine's policy-rc.d (exit 101: no service starts on a build machine) is not a
	# server's: gone from the machine's layer only.
	in_machine rm -f /usr/sbin/policy-rc.d
	run in_machine dpkg -i "$DEB1"
	assert_success
	assert_line 'ascbell: a webhook secret was made for this receiver in /etc/ascbell/webhook-secret;'
	run in_machine systemctl is-active ascbell.socket ascbell.service ascbell-prune.timer
	assert_output "$(printf 'active\nactive\nactive')"
	run in_machine systemctl is-enabled ascbell.socket ascbell.service ascbell-prune.timer ascbell-deliver.service
	assert_output "$(printf 'enabled\nenabled\nenabled\ndisabled')"

	# App Store Connect's delivery before the Echobell URL is in place: taken and queued...
	ASC_WEBHOOK_SECRET=$(in_machine cat /etc/ascbell/webhook-secret)
	export ASC_WEBHOOK_SECRET
	signed_request / "$FIXTURES/asc/app-version-rejected.json" "$BATS_TEST_TMPDIR/request"
	ANSWER=$(in_net socat -t 15 - TCP:127.0.0.1:8080 <"$BATS_TEST_TMPDIR/request" | tr -d '\r')
	assert_equal "$(head -n 1 <<<"$ANSWER")" 'HTTP/1.1 200 OK'
	assert_equal "$(sed '1,/^$/d' <<<"$ANSWER")" '{"status":200,"message":"queued"}'
	run in_machine sh -c 'ls /var/lib/ascbell/outbox/new | wc -l'
	assert_output 1
	# ...and sent once the URL (the fake's) is there, as the README says.
	in_machine install -m 640 -g ascbell /dev/null /etc/ascbell/echobell-url
	printf 'http://127.0.0.1:%s/t/%s\n' "$(cat "$FAKE_DIR/port")" "$FAKE_TOKEN" |
		in_machine sh -c 'cat >/etc/ascbell/echobell-url'
	wait_for_requests 1 600
	assert_equal "$(tail -n 1 "$FAKE_DIR/bodies" | jq -r .title)" '❌ MyApp: Rejected'

	# Upgrade: the receiver runs the new programs (a new main process), with the same secret.
	pid=$(in_machine systemctl show -p MainPID --value ascbell.service)
	run in_machine dpkg -i "$DEB2"
	assert_success
	refute_output --partial 'a webhook secret was made'
	assert_equal "$(in_machine cat /etc/ascbell/webhook-secret)" "$ASC_WEBHOOK_SECRET"
	run in_machine systemctl is-active ascbell.socket ascbell.service
	assert_output "$(printf 'active\nactive')"
	[ "$(in_machine systemctl show -p MainPID --value ascbell.service)" != "$pid" ]

	# apt remove: stopped, data and configuration kept.
	run in_machine dpkg -r ascbell
	assert_success
	run in_machine systemctl is-active ascbell.socket ascbell.service ascbell-prune.timer
	assert_output "$(printf 'inactive\ninactive\ninactive')"
	run in_machine sh -c 'ls /var/lib/ascbell/spool/cur | wc -l; getent passwd ascbell | cut -d: -f1; ls /etc/ascbell'
	assert_output "$(printf '1\nascbell\nechobell-url\nenv\nwebhook-secret')"

	# apt purge: no state, no configuration, no user, no enablement left.
	run in_machine dpkg -P ascbell
	assert_success
	run in_machine sh -c 'ls -d /var/lib/ascbell /etc/ascbell 2>&1; getent passwd ascbell; getent group ascbell; ls /etc/systemd/system/*.wants | grep ascbell'
	assert_output "$(printf '%s\n' "ls: cannot access '/var/lib/ascbell': No such file or directory" \
		"ls: cannot access '/etc/ascbell': No such file or directory")"
}
