#!/usr/bin/env bash
# make demo: runs Packer on example/ against the default base image (the Debian reference image).
set -euo pipefail
cd "$(dirname "$0")/.."
export PACKER_PLUGIN_PATH=${PACKER_PLUGIN_PATH:-$(pwd)/.packer.d/plugins} PACKER_CONFIG_DIR=${PACKER_CONFIG_DIR:-$(pwd)/.packer.d} CHECKPOINT_DISABLE=1
images=$(bash test/images/build.sh | tail -n 1)
base="$images/base-efi.qcow2"
cd example
../bin/packer validate -var "base_image=$base" .
../bin/packer build -force -var "base_image=$base" .
echo
echo "demo: wrote $(pwd)/output-demo/live.iso"
echo "demo: boot it with: qemu-system-x86_64 -machine q35 -cpu qemu64,-svm -smp 2 -m 2048 -nographic -bios /usr/share/ovmf/OVMF.fd \\"
echo "        -device virtio-scsi-pci -device scsi-cd,drive=cd -drive if=none,id=cd,media=cdrom,file=$(pwd)/output-demo/live.iso"
