# ascbell: App Store Connect webhooks to Echobell, as small Unix filters.
# `make` builds build/bin/*, `make check` installs what is missing and runs every test.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# Programs run by other programs, not by people: the CGI program asc-cgi.
LIBEXECDIR ?= $(PREFIX)/lib/ascbell
DESTDIR ?=

BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
# Our own flags come after the user's CFLAGS so warnings stay errors whatever is passed.
WARN     = -std=c17 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
ALL_CFLAGS  = $(CFLAGS) $(WARN) $(HARDEN) -D_GNU_SOURCE -Icommon $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(EXTRA_LDFLAGS)

PROGRAMS = asc-verify asc-parse asc-render echobell-send asc-http asc-enrich asc-webhooks asc-report asc-prune asc-route
# Each program links only what it uses: loading a shared library is start-up time.
LIBS_asc-verify = -lcrypto -lhttp_parser
LIBS_asc-parse = -ljq
LIBS_asc-render = -ljq -lm
# libcurl is loaded with dlopen() only when sending (see common/net.h): --queue never pays it.
LIBS_echobell-send = -ljq -lm
LIBS_asc-http = -lhttp_parser -ljq -lm -lcrypto
LIBS_asc-enrich = -ljq -lm -lcrypto
LIBS_asc-webhooks = -ljq -lm -lcrypto
LIBS_asc-report = -ljq -lm
# Only the clock (timevars.c, $ASCBELL_NOW), whose object also builds template variables.
LIBS_asc-prune = -ljq
LIBS_asc-route = -ljq -lm

COMMON_SRC = $(sort $(wildcard common/*.c))
COMMON_OBJ = $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
LIBASCBELL = $(BUILD)/lib/libascbell.a
BINS       = $(PROGRAMS:%=$(BUILD)/bin/%)

UNIT_SRC   = $(sort $(wildcard tests/unit/*.c))
UNIT_BINS  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
LIBS_test_http = -lhttp_parser
LIBS_test_tmpl_fuzz = -ljq -lm
LIBS_test_links = -ljq
LIBS_test_jsondump = -ljq -lm
LIBS_test_hmac = -lcrypto
LIBS_test_quiet = -ljq -lm
LIBS_test_history = -ljq -lm

MANPAGES = $(sort $(wildcard man/*.1 man/*.7))
SCRIPTS  = scripts/asc-receiver scripts/asc-replay scripts/asc-ping

.PHONY: all check test unit bats golden bootstrap run install uninstall clean sanitize bench fuzz fuzz-build valgrind deb deb-check
all: bootstrap-if-needed $(BINS)

# `make` on a fresh machine installs the build dependencies first; CI and `make check`
# also need the test tools, which bootstrap installs in the same go.
.PHONY: bootstrap-if-needed
bootstrap-if-needed:
	@sh scripts/bootstrap

bootstrap:
	sh scripts/bootstrap

$(BUILD)/obj/%.o: %.c $(wildcard common/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBASCBELL): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/cmd/%.o $(LIBASCBELL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBASCBELL) $(LIBS_$*)

$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBASCBELL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBASCBELL) $(LIBS_$*)

# Unit tests and bats both speak TAP, so .ci/run can count them together.
unit: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do $$t || status=1; done; exit $$status

bats: $(BINS)
	ASCBELL_BIN=$(abspath $(BUILD)/bin) bats --tap tests

test: unit bats

# Rewrites tests/golden/*.txt (every fixture as the phone shows it) after a deliberate
# change of wording; the diff is what a reviewer reads.
golden: $(BINS)
	GOLDEN_UPDATE=1 ASCBELL_BIN=$(abspath $(BUILD)/bin) bats --tap tests/golden.bats

check: bootstrap
	$(MAKE) all
	@status=0; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory bats || status=1; \
	exit $$status

# BENCH_FLAGS for scripts/bench-receiver, e.g. BENCH_FLAGS="--compare 'my-receiver'" (its
# --help says what it measures).
bench: all
	bash scripts/bench
	bash scripts/bench-receiver $(BENCH_FLAGS)

run: all
	@sh scripts/run-local

# The whole suite against an ASan+UBSan build. Sanitizer reports go to files, so a report
# from a program whose exit status a test expected to be non-zero still fails the run;
# tests/helpers/common.bash names each test's files after it (asc-http.12.asan.PID).
# One exception: tests/deploy-systemd.bats installs this build into a systemd machine whose
# services get no ASAN_OPTIONS from here (and see build/ read-only). There a report goes to
# the machine's journal and the program fails: a failing handler shows as a 500 the test
# sees, but a report from a process whose status nobody checks (asc-http after it has
# answered, the agent as it stops) is not collected. The same programs on the same paths
# run under socat, xinetd and the CGI servers with the reports collected here.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize: bootstrap
	rm -rf $(BUILD)/asan/logs
	$(MAKE) BUILD=$(BUILD)/asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		$(PROGRAMS:%=$(BUILD)/asan/bin/%) $(UNIT_BINS:$(BUILD)/%=$(BUILD)/asan/%)
	@mkdir -p $(BUILD)/asan/logs
	@# Some tests run the programs as www-data and other users: their reports land here too.
	@chmod 1777 $(BUILD)/asan/logs
	@export ASAN_OPTIONS=log_path=$(abspath $(BUILD)/asan/logs)/asan:detect_leaks=1 \
		UBSAN_OPTIONS=log_path=$(abspath $(BUILD)/asan/logs)/ubsan:print_stacktrace=1; \
	status=0; \
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan unit || status=1; \
	ASCBELL_SANITIZE=1 ASCBELL_BIN=$(abspath $(BUILD)/asan/bin) bats --tap tests || status=1; \
	left=$$(for p in /proc/[0-9]*; do \
		case $$(readlink $$p/exe 2>/dev/null) in $(abspath $(BUILD)/asan/bin)/*) echo $${p#/proc/};; esac; \
	done); \
	if [ -n "$$left" ]; then \
		echo "sanitize: still running after the tests, killed: $$(ps -o pid=,etimes=,args= -p "$$(echo $$left | tr ' ' ,)" | tr -s ' ' | paste -sd ';')" >&2; \
		kill -9 $$left 2>/dev/null; \
	fi; \
	if [ -n "$$(ls $(BUILD)/asan/logs)" ]; then \
		for f in $(BUILD)/asan/logs/*; do echo "=== $$f"; cat "$$f"; done; \
		echo "sanitize: sanitizer reports above (each file is named after its test file and number)" >&2; \
		status=1; \
	fi; exit $$status

# libFuzzer targets (tests/fuzz/fuzz-*.c) against a clang ASan+UBSan build of the library in
# $(BUILD)/fuzz; `make fuzz FUZZ_SECONDS=N` runs each N seconds (FUZZ_TARGETS="http cidr" for
# some), prints TAP with the executions and coverage, and fails on any finding (the input is
# kept in $(BUILD)/fuzz/findings/). See tests/fuzz/README.md.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(sort $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_FLAGS   = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LIBS_fuzz-http      = -lhttp_parser
LIBS_fuzz-cgi       = -lhttp_parser
LIBS_fuzz-signature = -lcrypto
LIBS_fuzz-jsonio    = -ljq -lm
LIBS_fuzz-tmpl      = -ljq -lm
# These two compile the program's own file in and answer its API calls from the input.
FAKE_API_WRAP = -Wl,--wrap=net_request,--wrap=net_set_timeout,--wrap=jwt_token
LIBS_fuzz-enrich    = -ljq -lm -lcrypto $(FAKE_API_WRAP)
LIBS_fuzz-webhooks  = -ljq -lm -lcrypto $(FAKE_API_WRAP) -Wl,--wrap=ascapi_call,--wrap=ascapi_get_next

fuzz-build: bootstrap-if-needed
	$(MAKE) BUILD=$(BUILD)/fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
		LDFLAGS="-fsanitize=address,undefined" $(FUZZ_TARGETS:%=$(BUILD)/fuzz/bin/fuzz-%)
	@python3 tests/fuzz/seeds $(BUILD)/fuzz/seeds

$(BUILD)/bin/fuzz-%: tests/fuzz/fuzz-%.c $(wildcard tests/fuzz/*.h) $(LIBASCBELL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-unused-function -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< \
		$(LIBASCBELL) $(LIBS_fuzz-$*)

fuzz: fuzz-build
	@sh tests/fuzz/run $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Every program under valgrind's memcheck on the fixtures: memory errors and definite leaks
# fail (tests/valgrind/; libjq 1.6's own leak is suppressed there, with the reason).
valgrind: all
	ASCBELL_BIN=$(abspath $(BUILD)/bin) bats --tap tests/valgrind

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(SCRIPTS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(filter %.1,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.7,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man7/
	install -d $(DESTDIR)$(LIBEXECDIR)
	sed 's|/usr/local/bin/|$(BINDIR)/|g' scripts/deploy/asc-cgi >$(DESTDIR)$(LIBEXECDIR)/asc-cgi
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/asc-cgi

# build/ascbell_<version>_<arch>.deb, with debhelper, from scripts/deb/ and the install
# target above (scripts/build-deb; `apt install ./build/ascbell_*.deb`).
deb: bootstrap-if-needed
	sh scripts/build-deb

# The package's tests (tests/deb/): two builds, lintian, dpkg --root installs, a systemd
# machine; about 2.5 minutes, so apart from `make check` (.ci/run runs it).
deb-check: all
	ASCBELL_BIN=$(abspath $(BUILD)/bin) bats --tap tests/deb

uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BINDIR)/%) $(SCRIPTS:scripts/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1,$(MANPAGES)))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(filter %.7,$(MANPAGES)))
	rm -f $(DESTDIR)$(LIBEXECDIR)/asc-cgi

clean:
	rm -rf $(BUILD)

# Keep objects between runs, so a rebuild compiles only what changed.
.SECONDARY:
