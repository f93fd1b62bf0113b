#!/bin/sh
# Install a mailcheck release binary, its checksum verified:
#
#   sh install.sh [VERSION] [DIR]
#
# VERSION is a release such as 1.2.0 or v1.2.0, or "latest" (the default);
# DIR is where the binary goes (default: ./bin). Needs curl or wget, tar
# (unzip on Windows) and sha256sum or shasum. The GitHub Action (action.yml)
# and the GitLab CI template (ci/mailcheck.gitlab-ci.yml) use this script.
set -eu

repo="${MAILCHECK_REPO:-mailcheck/mailcheck}"
version="${1:-latest}"
dir="${2:-./bin}"

fetch() { # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  else
    wget -q -O "$2" "$1"
  fi
}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
  *) echo "install.sh: unsupported system $(uname -s)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "install.sh: unsupported architecture $(uname -m)" >&2; exit 2 ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ "$version" = latest ]; then
  fetch "${MAILCHECK_LATEST_URL:-https://api.github.com/repos/$repo/releases/latest}" "$tmp/latest.json"
  version="$(sed -n 's/.*"tag_name": *"\([^"]*\)".*/\1/p' "$tmp/latest.json" | head -n 1)"
  [ -n "$version" ] || { echo "install.sh: could not read the latest release of $repo" >&2; exit 1; }
fi
version="${version#v}"

ext=tar.gz
[ "$os" = windows ] && ext=zip
archive="mailcheck_${version}_${os}_${arch}.$ext"
# MAILCHECK_DOWNLOAD_URL replaces the releases address (a mirror, or a
# local copy of dist/ to test this script): it holds v<version>/<files>.
base="${MAILCHECK_DOWNLOAD_URL:-https://github.com/$repo/releases/download}/v$version"
fetch "$base/$archive" "$tmp/$archive"
fetch "$base/checksums.txt" "$tmp/checksums.txt"

(
  cd "$tmp"
  grep " $archive\$" checksums.txt >sum.txt || { echo "install.sh: $archive is not in checksums.txt" >&2; exit 1; }
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -c sum.txt >/dev/null
  else
    shasum -a 256 -c sum.txt >/dev/null
  fi
) || { echo "install.sh: checksum mismatch for $archive" >&2; exit 1; }

mkdir -p "$dir"
if [ "$ext" = zip ]; then
  (cd "$tmp" && unzip -q "$archive" mailcheck.exe)
  mv "$tmp/mailcheck.exe" "$dir/"
else
  tar -xzf "$tmp/$archive" -C "$tmp" mailcheck
  mv "$tmp/mailcheck" "$dir/"
fi
echo "mailcheck $version installed in $dir"
