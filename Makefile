# The two commands of the README. Everything else is CMake.
#   make run       install missing packages, build (Release), run metakv-bench
#   make test      install missing packages, build, run the whole test suite,
#                  then every fuzz target for FUZZ_SMOKE_SECONDS (5; 0 skips)
#   make fuzz      build the libFuzzer targets (clang, ASan+UBSan) in build-fuzz
#   make fuzz-run  run each fuzz target for FUZZ_SECONDS (default 60)
BUILD_DIR ?= build
FUZZ_BUILD_DIR ?= build-fuzz
JOBS ?= 2
BENCH_ARGS ?=
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: run test deps build fuzz fuzz-run clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bench/metakv-bench $(BENCH_ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@if [ "$(FUZZ_SMOKE_SECONDS)" != 0 ]; then \
	  $(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS); fi

fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DMETAKV_BUILD_FUZZ=ON \
	  -DMETAKV_SANITIZE=address,undefined -DMETAKV_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target metakv_fuzzers

fuzz-run: fuzz
	bash scripts/run-fuzz.sh --seconds=$(FUZZ_SECONDS) --build-dir=$(FUZZ_BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_BUILD_DIR)
