#!/usr/bin/env bash
# Builds the release archives into dist/: linux, darwin and windows, each for
# amd64 and arm64, with sha256sums.txt, by GoReleaser (.goreleaser.yaml) at
# the version pinned in scripts/install-go-tools.sh. Then checks what it
# built: the checksums, every archive holds the binary, the starter
# checklist, the examples and the other files .goreleaser.yaml packs, the
# archive of this machine's platform runs --version with the expected
# version, the Windows binaries are PE files.
#   scripts/release.sh              (make release) HEAD must carry a v* tag
#                                   that CHANGELOG.md has a section for
#   scripts/release.sh --snapshot   (make release-snapshot, .ci/run) any
#                                   commit, versioned <next>-snapshot-<commit>
# Nothing is published: upload dist/*.tar.gz, dist/*.zip and
# dist/sha256sums.txt to the release page by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot=false
case "${1:-}" in
  --snapshot) snapshot=true ;;
  "") ;;
  *) echo "usage: $0 [--snapshot]" >&2; exit 2 ;;
esac

if ! $snapshot; then
  tag=$(git tag --points-at HEAD --list 'v*' | head -n 1)
  if [ -z "$tag" ]; then
    cat >&2 <<EOF
make release: HEAD ($(git rev-parse --short HEAD)) has no v* tag, and a release
is built from a tagged commit only. To release version X.Y.Z:
  1. in CHANGELOG.md, rename "## [Unreleased]" to "## [X.Y.Z] - $(date -u +%Y-%m-%d)"
     (and start a new empty Unreleased section above it), set the image tags
     in deploy/ to X.Y.Z (go test ./deploy holds them to it), then commit;
  2. git tag -a vX.Y.Z -m 'golive_exporter X.Y.Z'
  3. make release
For a build of this commit that is not a release: make release-snapshot
EOF
    exit 1
  fi
  if ! grep -q "^## \[${tag#v}\]" CHANGELOG.md; then
    echo "make release: CHANGELOG.md has no \"## [${tag#v}]\" section for tag $tag; write the release's changes there first" >&2
    exit 1
  fi
fi

scripts/install-go-tools.sh goreleaser
goreleaser=$(scripts/install-go-tools.sh --path goreleaser)

# The same user@host as make build stamps into the binary.
BUILD_USER="$(id -un 2>/dev/null)@$(hostname 2>/dev/null)"
export BUILD_USER

# GoReleaser reads the remote's URL even though it publishes nothing, and
# without one it stamps no commit into the binaries (a snapshot) or stops
# (a release): a clone with no remote (a local one, a worktree) lends it
# its own path for this run.
if [ -z "$(git remote)" ] && [ -z "${GIT_CONFIG_COUNT:-}" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0="$PWD"
fi

"$goreleaser" check
if $snapshot; then
  "$goreleaser" release --clean --snapshot
else
  # --clean empties dist/ first; GoReleaser refuses a dirty work tree.
  "$goreleaser" release --clean
fi

# Check what was built, as a user downloading it would.
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' dist/metadata.json | head -n 1)
[ -n "$version" ] || { echo "release.sh: no version in dist/metadata.json" >&2; exit 1; }
(cd dist && sha256sum --quiet -c sha256sums.txt)
archives=$(awk '{ print $2 }' dist/sha256sums.txt)
for os_arch in linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64 windows-arm64; do
  ext=tar.gz
  [ "${os_arch%-*}" = windows ] && ext=zip
  name="golive_exporter-$version.$os_arch.$ext"
  grep -qxF "$name" <<<"$archives" || { echo "release.sh: $name is missing from dist/sha256sums.txt" >&2; exit 1; }
done

# Every archive holds the binary and, under their own paths, the files
# .goreleaser.yaml's archives.files names (go test ./scripts holds this list
# to them): the fixed ones here, the examples as git lists them.
packed=(LICENSE README.md CHANGELOG.md config/default.yml checklist/starter/checklist.md
  deploy/systemd/golive_exporter.service docs/golive.schema.json)
mapfile -t examples < <(git ls-files -- 'deploy/examples/*.yml')
[ ${#examples[@]} -gt 0 ] || { echo "release.sh: git lists no deploy/examples/*.yml to check the archives for" >&2; exit 1; }
for os_arch in linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64 windows-arm64; do
  top="golive_exporter-$version.$os_arch"
  if [ "${os_arch%-*}" = windows ]; then
    name="$top.zip" bin=golive_exporter.exe listing=$(unzip -Z1 "dist/$top.zip")
  else
    name="$top.tar.gz" bin=golive_exporter listing=$(tar -tzf "dist/$top.tar.gz")
  fi
  for f in "$bin" "${packed[@]}" "${examples[@]}"; do
    grep -qxF "$top/$f" <<<"$listing" || { echo "release.sh: dist/$name lacks $top/$f" >&2; exit 1; }
  done
done

check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
here="$(go env GOOS)-$(go env GOARCH)"
if [ "${here%-*}" != windows ]; then
  tar -xzf "dist/golive_exporter-$version.$here.tar.gz" -C "$check"
  dir="$check/golive_exporter-$version.$here"
  out=$("$dir/golive_exporter" --version)
  echo "$out"
  grep -q "version $version" <<<"$out" || { echo "release.sh: --version of the $here binary does not say version $version" >&2; exit 1; }
fi
for arch in amd64 arm64; do
  zip="dist/golive_exporter-$version.windows-$arch.zip"
  exe="golive_exporter-$version.windows-$arch/golive_exporter.exe"
  unzip -q "$zip" "$exe" -d "$check"
  # A PE file starts with "MZ", and bytes 60-63 give the offset of "PE\0\0".
  mz=$(head -c 2 "$check/$exe")
  off=$(od -An -tu4 -j60 -N4 "$check/$exe" | tr -d ' ')
  pe=$(od -An -c -j"$off" -N4 "$check/$exe" | tr -d ' ')
  if [ "$mz" != MZ ] || [ "$pe" != 'PE\0\0' ]; then
    echo "release.sh: $exe in $zip is not a Windows (PE) executable" >&2
    exit 1
  fi
done
echo "release.sh: golive_exporter $version built and checked in dist/:"
cat dist/sha256sums.txt
