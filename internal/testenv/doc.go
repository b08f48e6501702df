// Package testenv holds what the plugin's tier (c) tests need from the
// host: gates that skip (or, in CI, fail) when root, loop devices or a tool
// are missing; the reference Debian disk images built by
// test/images/build.sh; and a QEMU boot harness that watches the serial
// console for milestones.
//
// The harness follows the measurements in the team's liveos-harness.md
// notes: TCG q35 with -cpu qemu64,-svm (§12), OVMF pflash with a fresh VARS
// copy per run (§6.8), CDs on virtio-scsi (what Hyper-V Gen2 and most clouds
// present; Debian's cloud kernel would also lack AHCI, §6.1).
package testenv
