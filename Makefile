# mvh: the MiniVoice webhook harness.
# `make demo` runs the main job on the embedded defaults; `make test` runs every test.

GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -s -w -X main.version=$(VERSION)
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@2025.1.1
BIN           := bin

# No image registry is reachable: testcontainers' reaper image cannot be pulled,
# so the harness cleans up after itself instead.
export TESTCONTAINERS_RYUK_DISABLED := true
export CGO_ENABLED := 0

.PHONY: all build demo test fmt-check vet lint clean

all: build

build: ## static binaries of mvh and the bundled receivers
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/mvh ./cmd/mvh

demo: build
	$(BIN)/mvh spec events
	@echo
	$(BIN)/mvh fixtures generate --out $(BIN)/demo-fixtures
	@echo
	$(BIN)/mvh verify --secret whsec_minivoice_test --timestamp 1780056000 --now 1780056000 \
		--signature "$$(sed -n 's/.*"X-MiniVoice-Signature": "\([^"]*\)".*/\1/p' $(BIN)/demo-fixtures/valid-call.created.json)" \
		--body-file <(python3 -c 'import json,sys;sys.stdout.write(json.load(open("$(BIN)/demo-fixtures/valid-call.created.json"))["request"]["body"])')

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	CGO_ENABLED=1 $(GO) vet ./...

test: fmt-check vet
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m ./...

lint: vet
	CGO_ENABLED=1 $(GO) run $(STATICCHECK) ./...

clean:
	rm -rf $(BIN)
