# golive_exporter build, test, lint and bench entry points.
GO        ?= go
BINARY    ?= golive_exporter
PKG       := github.com/golive/golive_exporter
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=main
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck

.PHONY: all build run test test-short lint bench deps fmt generate

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/golive_exporter

run: build
	./$(BINARY)

# Installs what the tests need that a fresh machine lacks (Debian packages,
# staticcheck) and starts PostgreSQL and Redis if they are not running.
deps:
	scripts/install-deps.sh
	scripts/start-services.sh

test: deps
	$(GO) test -race -count=1 -timeout 20m ./...

# Unit tests only: skips tests that need servers or external tools.
test-short:
	$(GO) test -short -count=1 ./...

# Rewrites the generated files that are committed: the JSON Schemas in
# docs/ (from the Go types). A test fails while they are stale.
generate:
	$(GO) generate ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	$(STATICCHECK) ./...

bench: deps
	scripts/bench.sh
