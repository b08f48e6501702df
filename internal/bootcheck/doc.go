// Package bootcheck boots a disk image or a Live OS ISO under QEMU and
// watches its serial console: it proves that media boots. The plugin's
// tests and the ISO post-processor's boot_test run the same code.
//
// The plan is pure (Argv: the qemu-system-x86_64 command line per firmware
// and media); Run executes it: it checks the host, copies the OVMF variable
// store, puts a qcow2 overlay over a disk, starts QEMU through execx and
// feeds the serial log to a Console that times milestones and notices
// failure lines. Media under test is never written: ISOs are attached
// read-only, disks through a throwaway overlay.
//
// The machine is q35 with KVM when /dev/kvm is usable and TCG otherwise.
// Under TCG the CPU is qemu64 without SVM: with SVM the guest loads kvm_amd,
// which costs about a minute per boot. OVMF boots from pflash with a fresh
// copy of its variable store per run, so no boot entry leaks between runs.
// CDs sit on virtio-scsi, which every Debian kernel drives; Debian's cloud
// kernel has no AHCI, so q35's default SATA CD-ROM would never appear.
package bootcheck
