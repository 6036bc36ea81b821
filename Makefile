# golive_exporter build, test, lint and bench entry points.
GO        ?= go
BINARY    ?= golive_exporter
PKG       := github.com/golive/golive_exporter
# Prometheus-style version: the newest tag without its "v", or the commit.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)
BUILD_USER ?= $(shell id -un 2>/dev/null)@$(shell hostname 2>/dev/null)
VERSION_PKG := github.com/prometheus/common/version
LDFLAGS   := -X $(VERSION_PKG).Version=$(VERSION) \
             -X $(VERSION_PKG).Revision=$(REVISION) \
             -X $(VERSION_PKG).Branch=$(BRANCH) \
             -X $(VERSION_PKG).BuildDate=$(BUILD_DATE) \
             -X $(VERSION_PKG).BuildUser=$(BUILD_USER)
IMAGE     ?= ghcr.io/golive/golive_exporter
STATICCHECK ?= $(shell scripts/install-go-tools.sh --path staticcheck)

.PHONY: all build run docker release release-snapshot test test-short lint bench soak deps fmt generate

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/golive_exporter

run: build
	./$(BINARY)

# The container image, with the same version information as make build.
docker:
	docker build -f deploy/Dockerfile -t $(IMAGE):$(VERSION) \
	  --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	  --build-arg BRANCH=$(BRANCH) --build-arg BUILD_DATE=$(BUILD_DATE) \
	  --build-arg BUILD_USER=$(BUILD_USER) .

# Release archives for linux, darwin and windows (amd64, arm64) and their
# sha256sums.txt in dist/, by GoReleaser at its pinned version
# (.goreleaser.yaml, scripts/release.sh). make release needs a v* tag on
# HEAD; make release-snapshot builds any commit (CI does).
release:
	scripts/release.sh

release-snapshot:
	scripts/release.sh --snapshot

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
	@# The code and its tests build for the release's other systems too
	@# (vet compiles them; ~10-20 s more each with a warm build cache).
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	@scripts/install-go-tools.sh staticcheck
	$(STATICCHECK) ./...

bench: deps
	scripts/bench.sh

# 30 minutes of 100 HTTPS checks: the exporter's RSS must stay flat
# (SOAK=10m for a shorter run).
soak:
	scripts/soak.sh
