# mailpulse — the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build build-asan build-fuzz run test unit-test integration-test fuzz-smoke bench clean format docs lambda-package

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILPULSE_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target mailpulse

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMAILPULSE_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

build-fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILPULSE_FUZZ=ON -DMAILPULSE_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Runs mailpulse on its embedded defaults with a demo key pair and the simulator feeding it.
run: build
	@scripts/run-demo.sh

unit-test: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) --timeout 300

# The integration tests drive the sanitizer build's binary: one build serves
# both suites, and every loopback test also runs under ASan + UBSan.
integration-test: build-asan
	@MAILPULSE_BIN=$(CURDIR)/$(ASAN_BUILD)/mailpulse ASAN_OPTIONS=detect_leaks=0 \
	  node --test --test-concurrency=1 tests/integration/

fuzz-smoke: build-fuzz
	@scripts/fuzz-smoke.sh $(FUZZ_BUILD) 20

test: unit-test integration-test fuzz-smoke
	@echo "make test: all suites passed"

# dist/mailpulse-lambda.zip for a provided.al2023 (x86_64) function: the
# release binary (with glibc 2.34 stand-ins), a static launcher as `bootstrap`
# and the shared libraries it needs; then the glibc/library check and a smoke
# run of the unpacked package (docs/aws.md, "The package").
lambda-package: build
	@cmake --build $(BUILD) -j $(JOBS) --target mailpulse_lambda
	@scripts/lambda-package.sh $(BUILD)/mailpulse_lambda dist/mailpulse-lambda.zip
	@scripts/check-lambda-package.sh dist/mailpulse-lambda.zip
	@scripts/smoke-lambda-package.sh dist/mailpulse-lambda.zip

bench: build
	@bench/run-all.sh

format:
	@clang-format -i $$(git ls-files 'src/*.h' 'src/*.cc' 'tests/*.cc' 'fuzz/*.cc')

# Regenerates docs/config.md from the configuration table.
docs: build
	@$(BUILD)/mailpulse config-doc > docs/config.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
