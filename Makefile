# Thin entry points. Every target does its own set-up on a fresh Debian 12 machine.
SHELL := /bin/bash
PRESET ?= dev
BUILD_DIR := $(if $(filter dev,$(PRESET)),build,build-$(PRESET))
JOBS ?= $(shell nproc)
DEB_PACKAGES := build-essential cmake ninja-build pkg-config git libboost1.81-dev nlohmann-json3-dev \
  libre2-dev libsqlite3-dev sqlite3 libspdlog-dev libyaml-cpp-dev libcli11-dev libsodium-dev \
  libtoml11-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev openssl minisign rsyslog chromium python3 \
  groff-base man-db zsh fish dpkg-dev file
BENCH_PACKAGES := hyperfine
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: deps build run test test-all bench format format-check clean install install-only package

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD_DIR)/build.ninja: | deps
	cmake --preset $(PRESET)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The engine's verdicts on an incident-shaped session, then the real thing: a scripted agent (the
# official MCP SDK client) working through `blastwall mcp` against a real MCP server from npm in a
# temporary workspace — allow, ask (approved), deny — and `blastwall log` of what happened.
run: build
	./$(BUILD_DIR)/blastwall demo
	cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node demo.mjs ../../$(BUILD_DIR)/blastwall

# Default suite: unit, rules (every pack's tests + the corpus), integration and the MCP end-to-end
# tests (npm ci of the pinned tests/e2e/package-lock.json on first run). Suites labelled `slow`
# run with `make test-all`.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE slow

test-all: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Binaries, man pages, completions and docs under $(PREFIX) (default /usr/local), staged under
# $(DESTDIR) when set; sudo only when the prefix is not writable and there is no DESTDIR.
install: build
	@$(MAKE) --no-print-directory install-only

install-only:
	@d="$(PREFIX)"; while [ ! -d "$$d" ]; do d=$$(dirname "$$d"); done; \
	sudo=; if [ -z "$(DESTDIR)" ] && [ ! -w "$$d" ]; then sudo="$(SUDO)"; fi; \
	$$sudo env DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"

# A Debian package of the same tree (CPack; Depends computed by dpkg-shlibdeps):
# $(BUILD_DIR)/blastwall_<version>_<arch>.deb. Use PRESET=release for one you hand out.
package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: build
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	bash bench/run.sh $(BUILD_DIR)

format:
	@command -v clang-format >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq clang-format; }
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD_DIR)
