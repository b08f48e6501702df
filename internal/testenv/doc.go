// Package testenv holds what the plugin's tier (c) tests need from the
// host: gates that skip (or, in CI, fail) when root, loop devices or a tool
// are missing; the reference Debian disk images built by
// test/images/build.sh; and a QEMU boot harness that watches the serial
// console for milestones.
//
// The harness boots TCG q35 with -cpu qemu64,-svm (the guest then does not
// load kvm_amd, which costs over a minute per boot under TCG), OVMF pflash
// with a fresh VARS copy per run, and CDs on virtio-scsi (what Hyper-V Gen2
// and most clouds present; Debian's cloud kernel also lacks AHCI).
package testenv
