# mvh: the MiniVoice webhook harness.
# `make demo` runs the main job on the embedded defaults; `make test` runs every test.

GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -s -w -X main.version=$(VERSION)
# staticcheck 2026.2.2: the newest release, and one that type-checks Go 1.26
# (2025.1.1's tag does not resolve through the module proxy).
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN           := bin

# No image registry is reachable: testcontainers' reaper image cannot be pulled,
# so the harness cleans up after itself instead.
export TESTCONTAINERS_RYUK_DISABLED := true
export CGO_ENABLED := 0

.PHONY: all build demo test fmt-check vet lint clean chromium fuzz postgresql mariadb bench

all: build

build: ## static binaries of mvh and the bundled receivers
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mvh ./cmd/mvh
	$(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/reference ./receivers/reference
	$(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/faulty ./receivers/faulty
	@# the receivers' Docker build contexts hold their binaries (git-ignored):
	@# `mvh conform --dockerfile receivers/reference` works after `make build`
	cp $(BIN)/reference receivers/reference/reference
	cp $(BIN)/faulty receivers/faulty/faulty

demo: build ## conformance run of the bundled reference receiver, every check
	$(BIN)/mvh conform --demo --report-dir $(BIN)/demo-report

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	CGO_ENABLED=1 $(GO) vet ./...
	@# bench/ is a module of its own (vegeta stays out of mvh's dependencies)
	cd bench && $(GO) vet ./...

# Headless Chromium (Debian's package) for the browser tests in reporters;
# installed here when missing and we may, else those tests skip (CI: fail).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "chromium not installed: the browser tests will skip"; fi; }

# PostgreSQL server (Debian's package) for the tests that observe receivers
# through their database (package dbtest starts it as nobody in a temporary
# directory); installed here when missing and we may, else those tests skip
# (CI: fail).
postgresql:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing postgresql for the database observer tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	  else echo "postgresql not installed: the database observer tests will skip"; fi; }

# MariaDB (Debian's mariadb-server) for the same tests, the MySQL dialect.
mariadb:
	@test -x /usr/sbin/mariadbd || command -v mariadbd >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing mariadb-server for the database observer tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null; \
	  else echo "mariadb-server not installed: the MariaDB observer tests will skip"; fi; }

# The layout rules (layout_test.go: import direction, no driver in the
# checks, no exported mutable slices or maps) run with the other tests.
test: fmt-check vet lint chromium postgresql mariadb
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m ./...
	@# the full 10,000 generated-payload seeds, too slow under -race
	$(GO) test -count=1 -run '^TestGeneratedValidate$$' ./spec

# Every figure of README "Performance" next to its target, in under 10
# minutes: the packages' microbenchmarks (5 runs each, the median counts), then bench/'s
# end-to-end ones (mvh load vs vegeta, mock serve RSS, the catalogue).
# $(BIN)/bench.txt keeps the raw output for benchstat.
BENCH_OUT := $(BIN)/bench.txt

bench:
	@mkdir -p $(BIN)
	@echo "make bench: microbenchmarks, then end-to-end (about 3 to 5 minutes; raw output in $(BENCH_OUT))"
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./spec/signature ./delivery ./mock > $(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 9m . >> ../$(BENCH_OUT) || { cat ../$(BENCH_OUT); exit 1; }
	cd bench && $(GO) run ./cmd/benchtable < ../$(BENCH_OUT)

lint: vet
	CGO_ENABLED=1 $(GO) run $(STATICCHECK) ./...

clean:
	rm -rf $(BIN)

# Every parser of user or network input has a fuzz target; `make test` runs
# their seed corpora (f.Add and testdata/fuzz), `make fuzz` fuzzes each in
# its own `go test -fuzz` call for FUZZTIME. Minimising a new input is
# capped: the spec targets' inputs are whole contracts, and Go's default
# minute per input would stall the run.
FUZZTIME      ?= 10s
FUZZ_TARGETS  := ./spec:FuzzParseAndLint ./spec:FuzzParseSchedule ./spec:FuzzOverride \
                 ./spec/signature:FuzzParseHeader ./spec/signature:FuzzParseTimestamp \
                 ./mock:FuzzParseScenario ./mock/control:FuzzValidateRequest ./mock/inbox:FuzzDiagnose \
                 ./fixtures:FuzzLoadFile ./suites/observe:FuzzKeyOf ./suites/observe:FuzzCountOutput \
                 ./reporters:FuzzParseDocument

fuzz: ## fuzz every parser for FUZZTIME each (default 10s)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s $$pkg; \
	done

# Images (FROM scratch: no base image is pulled). IMAGE_TAG names the tag.
IMAGE_TAG     ?= dev
IMAGES        := mvh/reference:$(IMAGE_TAG) mvh/faulty:$(IMAGE_TAG) mvh/harness:$(IMAGE_TAG)
IMAGE_LABEL   := org.minivoice.mvh.image=$(IMAGE_TAG)
DOCKER_BUILD  := docker build --quiet --label $(IMAGE_LABEL)

.PHONY: images images-clean

images: build ## the receivers' and the harness's images, from the static binaries
	cp $(BIN)/mvh build/harness/mvh
	$(DOCKER_BUILD) -t mvh/reference:$(IMAGE_TAG) receivers/reference
	$(DOCKER_BUILD) -t mvh/faulty:$(IMAGE_TAG) receivers/faulty
	$(DOCKER_BUILD) -t mvh/harness:$(IMAGE_TAG) build/harness

images-clean: ## removes what `make images` made, older untagged builds too
	-docker rmi $(IMAGES) >/dev/null 2>&1
	docker image prune --force --filter label=$(IMAGE_LABEL) >/dev/null
	rm -f receivers/reference/reference receivers/faulty/faulty build/harness/mvh
