# Loaded by every test file: assertions, the programs under test, the fixtures.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# `make bats` points this at build/bin, `make sanitize` at the ASan build.
ASCBELL_BIN=${ASCBELL_BIN:-$(cd "$BATS_TEST_DIRNAME/../build/bin" && pwd)}
PATH="$ASCBELL_BIN:$PATH"
FIXTURES="$BATS_TEST_DIRNAME/fixtures"

# Apple's documented example.
APPLE_SECRET='This is my secret'
APPLE_SIGNATURE='hmacsha256=7f062172b01cb00b53ca068614674a3d982a34062a0f5d37687d5e3377e54657'

# A file holding secrets, one per argument, readable by its owner alone.
secret_file() {
	local file
	file=$(mktemp "$BATS_TEST_TMPDIR/secret.XXXXXX")
	printf '%s\n' "$@" >"$file"
	chmod 600 "$file"
	printf '%s' "$file"
}

# The HMAC-SHA256 of a file under a secret, from the openssl command: an implementation
# independent of ours, to check ours against.
openssl_signature() {
	local secret=$1 file=$2
	printf 'hmacsha256=%s' "$(openssl dgst -sha256 -hmac "$secret" -r <"$file" | cut -d' ' -f1)"
}
