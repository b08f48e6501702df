#!/usr/bin/env bash
# Installs what the plugin and its tests need on a fresh Debian machine whose only network is the Go
# module proxy and Debian's archive. Idempotent, and quick when everything is present.
#   - Debian packages (tools the plugin runs, plus QEMU/OVMF and debootstrap for the tests)
#   - bin/packer: a packer >= 1.10 from PATH, or Packer v1.12.0 built from its Go module
#   - bin/packer-sdc: built from the SDK module pinned in go.mod (through tools.go)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
mkdir -p bin

packages=(
  qemu-utils qemu-system-x86 ovmf xorriso squashfs-tools mtools dosfstools e2fsprogs debootstrap
  fdisk gdisk grub-efi-amd64-bin grub-pc-bin grub-common zstd udev kmod cpio util-linux mount psmisc
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # Other configured sources may be unreachable here; the Debian archive is what we need.
  $sudo_cmd apt-get update -q || echo "deps: apt-get update reported errors; continuing with what it fetched"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

packer_ok() { # $1 = binary; true when it reports version >= 1.10
  local v
  v=$("$1" version 2>/dev/null | head -n1 | sed -n 's/^Packer v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p') || return 1
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 1 ] || { [ "$1" -eq 1 ] && [ "$2" -ge 10 ]; }
}

if [ -x bin/packer ] && packer_ok bin/packer; then
  :
elif command -v packer >/dev/null 2>&1 && packer_ok "$(command -v packer)"; then
  ln -sfn "$(command -v packer)" bin/packer
else
  echo "deps: building Packer v1.12.0 from its Go module (no packer >= 1.10 on PATH)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # `go install module@version` needs the proxy's version list, which is not served here;
  # downloading the exact version and building in the module directory works.
  (cd "$tmp" && GOFLAGS=-mod=mod go mod download github.com/hashicorp/packer@v1.12.0)
  moddir=$(cd "$tmp" && go env GOMODCACHE)/github.com/hashicorp/packer@v1.12.0
  (cd "$moddir" && go build -trimpath -o "$repo/bin/packer.tmp" .)
  mv bin/packer.tmp bin/packer
fi

if [ ! -x bin/packer-sdc ] || [ go.mod -nt bin/packer-sdc ]; then
  echo "deps: building packer-sdc from the SDK module"
  go build -o bin/packer-sdc github.com/hashicorp/packer-plugin-sdk/cmd/packer-sdc
fi
echo "deps: ok ($(bin/packer version | head -n1), $(go version | cut -d' ' -f3))"
