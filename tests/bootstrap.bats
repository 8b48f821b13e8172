#!/usr/bin/env bats
# scripts/bootstrap decides from dpkg what is missing and how to get root; the commands it
# would run are replaced by recorders here, so the test needs neither root nor a network.

load helpers/common

BOOTSTRAP="$BATS_TEST_DIRNAME/../scripts/bootstrap"

setup() {
	fake="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$fake"
	# Everything but our stand-ins stays reachable through the real sh.
	printf '#!/bin/sh\necho 1000\n' >"$fake/id"
	chmod +x "$fake/id"
	# A policy-rc.d is there (the tests never touch the real one).
	export ASCBELL_POLICY_RC_D="$BATS_TEST_TMPDIR/policy-rc.d"
	: >"$ASCBELL_POLICY_RC_D"
}

installed_except() {
	# A dpkg-query that reports every package installed but the ones named.
	{
		printf '#!/bin/sh\nfor last; do :; done\ncase " %s " in *" $last "*) exit 1;; esac\n' "$*"
		printf 'printf "install ok installed"\n'
	} >"$fake/dpkg-query"
	chmod +x "$fake/dpkg-query"
}

@test "nothing missing: silent, exit 0, no root needed" {
	installed_except
	run --separate-stderr env PATH="$fake" /bin/sh "$BOOTSTRAP"
	assert_success
	assert_output ''
	[ -z "$stderr" ]
}

@test "something missing, not root and no sudo: a clear error naming the packages" {
	installed_except socat bats-assert
	run --separate-stderr env PATH="$fake" /bin/sh "$BOOTSTRAP"
	assert_failure 1
	[ "$stderr" = "$(printf 'bootstrap: installing: bats-assert socat\nbootstrap: error: missing packages: bats-assert socat (run as root, or install sudo)')" ]
}

@test "something missing with sudo: refreshes the index, installs just that, says so" {
	installed_except socat
	printf '#!/bin/sh\necho "$*" >>"%s/sudo.log"\n' "$BATS_TEST_TMPDIR" >"$fake/sudo"
	chmod +x "$fake/sudo"
	run --separate-stderr env PATH="$fake" /bin/sh "$BOOTSTRAP"
	assert_success
	[ "$stderr" = "bootstrap: installing: socat" ]
	run cat "$BATS_TEST_TMPDIR/sudo.log"
	assert_output "$(printf 'apt-get update -qq\napt-get install -y -qq --no-install-recommends socat')"
}

@test "no policy-rc.d: one that refuses to start services is there during the install, and removed" {
	installed_except lighttpd
	rm "$ASCBELL_POLICY_RC_D"
	# A sudo that logs, and runs what it is given (the stand-ins for apt-get just log).
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/sudo.log"\n"$@"\n' "$BATS_TEST_TMPDIR" >"$fake/sudo"
	printf '#!/bin/sh\n[ "$1" = install ] || exit 0\n"%s"\necho "policy said $?" >>"%s/policy.log"\n' \
		"$ASCBELL_POLICY_RC_D" "$BATS_TEST_TMPDIR" >"$fake/apt-get"
	chmod +x "$fake/sudo" "$fake/apt-get"
	run --separate-stderr env PATH="$fake:/usr/bin:/bin" /bin/sh "$BOOTSTRAP"
	assert_success
	[ "$stderr" = "bootstrap: installing: lighttpd" ]
	# During apt-get install, policy-rc.d answered 101; afterwards it is gone.
	run cat "$BATS_TEST_TMPDIR/policy.log"
	assert_output 'policy said 101'
	[ ! -e "$ASCBELL_POLICY_RC_D" ]
	run cat "$BATS_TEST_TMPDIR/sudo.log"
	assert_line --index 0 "sh -c printf \"#!/bin/sh\\nexit 101\\n\" >\"\$1\" && chmod 755 \"\$1\" sh $ASCBELL_POLICY_RC_D"
	assert_line --index 3 "rm -f $ASCBELL_POLICY_RC_D"
}
