#!/usr/bin/env bash
# Installs the Debian packages metakv needs, only those that are missing.
# Idempotent and quiet when everything is present. Needs root (or sudo) only
# when something is actually missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake make pkg-config
  librocksdb-dev libsnappy-dev libzstd-dev libxxhash-dev liblz4-dev libbz2-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  gnuplot-nox
  golang-go golang-github-prometheus-client-golang-dev
  golang-github-hashicorp-raft-dev golang-github-hashicorp-raft-boltdb-dev
  prometheus python3-prometheus-client
  curl bc
  libfuse3-dev fuse3 stress-ng git
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "metakv: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "metakv: these Debian packages are missing and installing them needs root:" >&2
    echo "    apt-get install ${missing[*]}" >&2
    echo "Run that as root (or run this command as root), then try again." >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "metakv: packages installed"
