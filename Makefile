# The two commands of the README. Everything else is CMake.
#   make run   install missing packages, build (Release), run metakv-bench
#   make test  install missing packages, build, run the whole test suite
BUILD_DIR ?= build
JOBS ?= 2
BENCH_ARGS ?=

.PHONY: run test deps build fuzz clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bench/metakv-bench $(BENCH_ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
