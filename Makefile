# egressc — build, test, install.
#
#   make            build ./egressc (-Wall -Wextra -Werror)
#   make run        install missing build packages, build, compile the
#                   shipped policy to every target into out/
#   make check      install missing test packages, then run every test
#                   against a normal build and an ASan+UBSan build
#   make fuzz       SECONDS=N (60): build the libFuzzer harnesses of
#                   tests/fuzz/ with clang and run each for N seconds on its
#                   corpus; new inputs go to build/fuzz/new/, findings to
#                   build/fuzz/
#   make bench      the scaling table: 1k..16k rules, every command, time,
#                   memory and the libyaml floor; then the shapes, the
#                   resolver, refresh and kernel benchmarks (bench/bench.sh),
#                   after the test packages, which those run
#   make install    PREFIX=/usr/local DESTDIR=  (the binary, man pages, the
#                   shipped policy, catalog and example lock, the JSON
#                   Schemas, bash and zsh completion, the systemd units of
#                   egressc refresh; templates/*.tmpl are built into the
#                   binary)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/egressc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
SYSTEMDDIR  ?= $(PREFIX)/lib/systemd/system

CC      ?= cc
PKGS     = yaml-0.1 libcares libpcre2-8 libnftnl libmnl
# Debian packages: what building needs, and what the tests add.
BUILD_DEBS = gcc make pkg-config libyaml-dev libc-ares-dev libpcre2-dev \
             libnftnl-dev libmnl-dev
TEST_DEBS  = nftables iptables ipset dnsmasq-base iproute2 mandoc socat strace time zsh \
             pre-commit git debhelper lintian dpkg-dev systemd \
             perl python3 coturn openssl clang libclang-rt-14-dev
# nodejs and npm: tests/lib/npm.sh installs them only when node is absent
# (a NodeSource nodejs bundles npm and conflicts with Debian's npm package).

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
           -Wno-unused-parameter
CFLAGS  ?= -O2 -g
# CPPFLAGS and LDFLAGS as dpkg-buildflags gives them (fortify, relro).
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -D_GNU_SOURCE \
             -DEGRESSC_VERSION='"$(VERSION)"' \
             -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

SRCS     = $(sort $(wildcard src/*.c src/*/*.c))
LIBSRCS  = $(filter-out src/egressc.c,$(SRCS))
UNITSRCS = $(sort $(wildcard tests/unit/*.c))
HDRS     = $(wildcard src/*.h src/*/*.h tests/unit/*.h tests/fuzz/*.h)
TMPLS    = $(sort $(wildcard templates/*.tmpl))

# Two variants: release (the binary) and asan (AddressSanitizer + UBSan).
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=all
B_release = build/release
B_asan    = build/asan
# The fuzzers: clang's libFuzzer with ASan and UBSan, every object built
# with the fuzzer's coverage counters (-fsanitize=fuzzer-no-link).
FUZZ_CC  ?= clang-14
FUZZ_SAN  = -fsanitize=fuzzer-no-link,address,undefined \
            -fno-omit-frame-pointer -fno-sanitize-recover=all
# clang reads -Wformat=2 as gcc does not: vprintf-style wrappers are fine.
FUZZ_WARN = -Wno-format-nonliteral
B_fuzz    = build/fuzz

# Keep the unit tests' objects: they are not throw-away intermediates.
.SECONDARY:

.PHONY: all run check check-release check-asan unit bench install deps \
        test-deps clean lint-man fuzz fuzzers
all: egressc

# The templates are compiled in (gen/templates.c), so the binary's output
# does not depend on which files it could find at run time.  $(3), when
# given, is the compiler of the variant (the fuzzers' clang).
define variant
$$(B_$(1))/%.o: %.c $$(HDRS) | deps-ok
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(if $(3),$(3),$$(CC)) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$$(B_$(1))/gen/templates.c: $$(TMPLS) scripts/embed-templates.sh
	@mkdir -p $$(dir $$@)
	@echo "  GEN   $$@"
	@sh scripts/embed-templates.sh $$(TMPLS) >$$@.tmp && mv $$@.tmp $$@
$$(B_$(1))/gen/templates.o: $$(B_$(1))/gen/templates.c $$(HDRS) | deps-ok
	@echo "  CC    $$@"
	@$(if $(3),$(3),$$(CC)) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$$(B_$(1))/egressc: $$(SRCS:%.c=$$(B_$(1))/%.o) $$(B_$(1))/gen/templates.o
	@echo "  LD    $$@"
	@$(if $(3),$(3),$$(CC)) $$(ALL_CFLAGS) $(2) $$(LDFLAGS) $$^ -o $$@ $$(LIBS)
$$(B_$(1))/unit/%.t: $$(B_$(1))/tests/unit/%.o $$(LIBSRCS:%.c=$$(B_$(1))/%.o) \
    $$(B_$(1))/gen/templates.o
	@mkdir -p $$(dir $$@)
	@echo "  LD    $$@"
	@$(if $(3),$(3),$$(CC)) $$(ALL_CFLAGS) $(2) $$(LDFLAGS) $$^ -o $$@ $$(LIBS)
endef
$(eval $(call variant,release,))
$(eval $(call variant,asan,$(SAN)))
$(eval $(call variant,fuzz,$(FUZZ_SAN) $(FUZZ_WARN),$(FUZZ_CC)))

# A new file renamed into place, not a copy over the old one: cp onto a
# binary that is running (a refresh timer, a loop) fails, text file busy.
egressc: $(B_release)/egressc
	cp $< $@.tmp && mv -f $@.tmp $@

UNIT_release = $(UNITSRCS:tests/unit/%.c=$(B_release)/unit/%.t)
UNIT_asan    = $(UNITSRCS:tests/unit/%.c=$(B_asan)/unit/%.t)

# Packages: install what is missing when we are root, else say what to do.
deps-ok:
	@sh tests/lib/debs.sh $(BUILD_DEBS)
	@touch $@
test-deps: deps-ok
	@sh tests/lib/debs.sh $(TEST_DEBS)
	@sh tests/lib/npm.sh

run: egressc
	sh scripts/run.sh

# The whole suite, once per build variant. prove prints the summary.
check: test-deps egressc $(B_asan)/egressc $(UNIT_release) $(UNIT_asan)
	@echo "== release build"
	EGRESSC=$(CURDIR)/$(B_release)/egressc UNITDIR=$(CURDIR)/$(B_release)/unit \
	  prove --exec "" -r tests/ $(CURDIR)/$(B_release)/unit/
	@echo "== ASan + UBSan build"
	EGRESSC=$(CURDIR)/$(B_asan)/egressc UNITDIR=$(CURDIR)/$(B_asan)/unit \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  prove --exec "" -r tests/ $(CURDIR)/$(B_asan)/unit/

# One harness per reader (tests/fuzz/README.md).  make fuzz writes what
# it finds under build/fuzz/, never into the corpora of tests/fuzz/, runs
# every harness even after one finds something, and fails if any did.
FUZZERS   = policy lock catalog livekit aerleon
FUZZ_BINS = $(FUZZERS:%=$(B_fuzz)/fuzz-%)
SECONDS  ?= 60
FUZZ_OPTS = -rss_limit_mb=2048 -timeout=25 -print_final_stats=1
$(B_fuzz)/fuzz-%: $(B_fuzz)/tests/fuzz/%.o $(B_fuzz)/tests/fuzz/fuzz.o \
    $(LIBSRCS:%.c=$(B_fuzz)/%.o) $(B_fuzz)/gen/templates.o
	@echo "  LD    $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined \
	  $(LDFLAGS) $^ -o $@ $(LIBS)
fuzzers: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@rc=0; for h in $(FUZZERS); do \
	  mkdir -p $(B_fuzz)/new/$$h $(B_fuzz)/found; \
	  dict=tests/fuzz/yaml.dict; \
	  [ -f tests/fuzz/$$h.dict ] && dict=tests/fuzz/$$h.dict; \
	  echo "== fuzz-$$h for $(SECONDS) s"; \
	  $(B_fuzz)/fuzz-$$h $(FUZZ_OPTS) -dict=$$dict -max_total_time=$(SECONDS) \
	    -artifact_prefix=$(B_fuzz)/found/$$h- \
	    $(B_fuzz)/new/$$h tests/fuzz/corpus/$$h || rc=1; \
	done; exit $$rc

bench: test-deps egressc
	sh bench/bench.sh

# The completion scripts are written by the binary from its own command
# table, so they cannot drift from it.
build/completion/egressc build/completion/_egressc: egressc
	@mkdir -p build/completion
	./egressc completion bash >build/completion/egressc.tmp
	./egressc completion zsh >build/completion/_egressc.tmp
	mv build/completion/egressc.tmp build/completion/egressc
	mv build/completion/_egressc.tmp build/completion/_egressc

install: egressc build/completion/egressc build/completion/_egressc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/catalogs \
	  $(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 egressc $(DESTDIR)$(BINDIR)/egressc
	install -m 644 man/egressc.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/egressc-policy.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 policies/heygen-livekit.yaml \
	  policies/heygen-livekit.example.lock $(DESTDIR)$(DATADIR)/
	install -m 644 policies/catalogs/livekit-cloud.yaml \
	  $(DESTDIR)$(DATADIR)/catalogs/
	install -m 644 grammar/*.schema.json $(DESTDIR)$(DATADIR)/schema/
	install -m 644 build/completion/egressc $(DESTDIR)$(BASHCOMPDIR)/egressc
	install -m 644 build/completion/_egressc $(DESTDIR)$(ZSHCOMPDIR)/_egressc
	# The units run the binary where this install puts it.
	for u in contrib/systemd/egressc-refresh@.service \
	    contrib/systemd/egressc-refresh@.timer; do \
		sed 's|@BINDIR@|$(BINDIR)|g' $$u >$(DESTDIR)$(SYSTEMDDIR)/$${u##*/} && \
		chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$${u##*/} || exit 1; \
	done

clean:
	rm -rf build egressc egressc.tmp out deps-ok
