#!/usr/bin/env bash
# Installs the Go tools that lint, the tests and releases run, each at the
# version pinned here, into $(go env GOBIN) (default $(go env GOPATH)/bin).
# A tool already there at another version (an unpinned go install, an old
# release) is replaced: the version is read from the binary's own build
# information (go version -m), not taken from its presence.
#   scripts/install-go-tools.sh              the tools lint and the tests need
#   scripts/install-go-tools.sh TOOL...      only those (e.g. goreleaser)
#   scripts/install-go-tools.sh --path TOOL  print where TOOL is installed
set -euo pipefail

# tool name, then package@version, never "latest": a release of a linter
# must not change what make lint says about unchanged code.
pins=(
  staticcheck     honnef.co/go/tools/cmd/staticcheck@v0.8.2
  go-junit-report github.com/jstemmer/go-junit-report/v2@v2.1.0
  gotestsum       gotest.tools/gotestsum@v1.13.0
  goreleaser      github.com/goreleaser/goreleaser/v2@v2.17.0
  # The exporters make bench compares with (scripts/bench.d/compare.sh).
  blackbox_exporter github.com/prometheus/blackbox_exporter@v0.27.0
  postgres_exporter github.com/prometheus-community/postgres_exporter/cmd/postgres_exporter@v0.17.1
  redis_exporter    github.com/oliver006/redis_exporter@v1.74.0
)
# What lint and make test need; goreleaser is installed by make release.
default=(staticcheck go-junit-report gotestsum)

bindir=$(go env GOBIN)
[ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"

pin_of() {
  local i
  for ((i = 0; i < ${#pins[@]}; i += 2)); do
    if [ "${pins[i]}" = "$1" ]; then
      echo "${pins[i+1]}"
      return
    fi
  done
  echo "install-go-tools.sh: no pinned version for $1 (add it to pins)" >&2
  exit 2
}

if [ "${1:-}" = "--path" ]; then
  pin_of "$2" >/dev/null
  echo "$bindir/$2"
  exit 0
fi

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=("${default[@]}")
for tool in "${tools[@]}"; do
  pin=$(pin_of "$tool")
  want=${pin##*@}
  have=""
  if [ -x "$bindir/$tool" ]; then
    # The main module's line: "	mod	<module>	<version>	<sum>".
    have=$(go version -m "$bindir/$tool" 2>/dev/null | awk '$1 == "mod" { print $3; exit }') || true
  fi
  if [ "$have" != "$want" ]; then
    echo "installing $pin${have:+ (found $have)}"
    # go install does not overwrite a file that is not a Go binary.
    rm -f "$bindir/$tool"
    if ! GOBIN="$bindir" go install "$pin"; then
      # go install pkg@version also asks the module proxy for the module's
      # version list (to report deprecations); a proxy that serves the
      # pinned version but refuses the list fails it. go install of the
      # package from a throwaway module that requires exactly that version
      # builds the same thing (the module's own requirements, no replace).
      pkg=${pin%@*}
      mod=${pkg%%/cmd/*}
      tmp=$(mktemp -d)
      # The throwaway module goes also when the install fails (set -e would
      # leave it behind), and the failure still ends the script. -mod=mod
      # (go.sum is empty) comes after the caller's GOFLAGS, not instead of
      # them: the last -mod wins.
      rc=0
      (cd "$tmp" && go mod init install-go-tools >/dev/null 2>&1 &&
        echo "require $mod $want" >>go.mod &&
        GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GOBIN="$bindir" go install "$pkg") || rc=$?
      rm -rf "$tmp"
      [ "$rc" -eq 0 ] || exit "$rc"
    fi
  fi
done
