package testenv

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Firmware selects what the VM boots with.
type Firmware string

const (
	// UEFI is OVMF without Secure Boot.
	UEFI Firmware = "uefi"
	// UEFISecureBoot is OVMF with Microsoft's keys enrolled and Secure Boot on.
	UEFISecureBoot Firmware = "uefi-sb"
	// BIOS is SeaBIOS, QEMU's default firmware.
	BIOS Firmware = "bios"
)

// Media selects how the ISO is attached.
type Media string

const (
	// CD attaches the ISO as a SCSI CD-ROM on virtio-scsi, which every
	// Debian kernel drives (the cloud kernel has no AHCI, so q35's default
	// SATA CD would never show up with it).
	CD Media = "cd"
	// USB attaches the ISO as a USB mass-storage disk (hybrid ISO as USB stick).
	USB Media = "usb"
)

// OVMF files from Debian's ovmf package: the code is read-only, each run gets a
// fresh copy of the variable store.
const (
	ovmfDir        = "/usr/share/OVMF"
	ovmfCode       = ovmfDir + "/OVMF_CODE_4M.fd"
	ovmfVars       = ovmfDir + "/OVMF_VARS_4M.fd"
	ovmfCodeSecure = ovmfDir + "/OVMF_CODE_4M.secboot.fd"
	ovmfVarsMS     = ovmfDir + "/OVMF_VARS_4M.ms.fd"
)

// firmwareFiles returns the pflash code file and the VARS template to copy,
// or empty strings for SeaBIOS.
func firmwareFiles(fw Firmware) (code, varsTemplate string, err error) {
	switch fw {
	case UEFI:
		return ovmfCode, ovmfVars, nil
	case UEFISecureBoot:
		return ovmfCodeSecure, ovmfVarsMS, nil
	case BIOS:
		return "", "", nil
	}
	return "", "", fmt.Errorf("unknown firmware %q: want %q, %q or %q", fw, UEFI, UEFISecureBoot, BIOS)
}

// diskFormat maps an image file name to its qemu block driver name.
func diskFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".qcow2":
		return "qcow2", nil
	case ".raw", ".img":
		return "raw", nil
	case ".vhd":
		return "vpc", nil
	case ".vhdx":
		return "vhdx", nil
	}
	return "", fmt.Errorf("detect format of disk %q: want a .qcow2, .raw, .img, .vhd or .vhdx file", path)
}

// vmPlan is everything qemuArgv needs; all paths are final (the overlay and
// VARS copy already exist when QEMU starts).
type vmPlan struct {
	Firmware  Firmware
	Vars      string // writable copy of the VARS template (UEFI only)
	Overlay   string // qcow2 overlay over the disk under test; empty for none
	ISO       string // empty for none
	Media     Media
	SeedISO   string // NoCloud cidata ISO; empty for none
	Serial    string // file receiving the serial console
	MemoryMiB int
	SSHPort   int // host loopback port forwarded to the guest's port 22; 0 for none
}

// qemuArgv plans the qemu-system-x86_64 command line for p.
func qemuArgv(p vmPlan) ([]string, error) {
	code, _, err := firmwareFiles(p.Firmware)
	if err != nil {
		return nil, err
	}
	if p.Overlay == "" && p.ISO == "" {
		return nil, fmt.Errorf("plan vm: neither a disk nor an ISO to boot")
	}
	media := p.Media
	if media == "" {
		media = CD
	}
	if media != CD && media != USB {
		return nil, fmt.Errorf("unknown media %q: want %q or %q", p.Media, CD, USB)
	}
	mem := p.MemoryMiB
	if mem == 0 {
		mem = 2048
	}
	machine := "q35"
	if p.Firmware == UEFISecureBoot {
		// OVMF's secboot build keeps its variable store in SMM.
		machine = "q35,smm=on"
	}
	a := []string{
		"qemu-system-x86_64",
		"-machine", machine,
		"-accel", "tcg",
		// qemu64 advertises AMD SVM; the guest then loads kvm_amd, which
		// cost +68 s per boot under TCG.
		"-cpu", "qemu64,-svm",
		"-m", strconv.Itoa(mem),
		"-smp", "2",
		"-nographic",
		"-monitor", "none",
		"-serial", "file:" + p.Serial,
		"-no-reboot",
	}
	if p.Firmware == UEFISecureBoot {
		a = append(a, "-global", "driver=cfi.pflash01,property=secure,value=on")
	}
	if code != "" {
		a = append(a,
			"-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+code,
			"-drive", "if=pflash,format=raw,unit=1,file="+p.Vars)
	}
	// The ISO boots first when present; the disk is the fallback.
	if p.ISO != "" || p.SeedISO != "" {
		a = append(a, "-device", "virtio-scsi-pci,id=scsi0")
	}
	if p.ISO != "" {
		a = append(a, "-drive", "if=none,id=iso0,format=raw,readonly=on,file="+optPath(p.ISO))
		if media == CD {
			a = append(a, "-device", "scsi-cd,bus=scsi0.0,drive=iso0,bootindex=0")
		} else {
			a = append(a,
				"-device", "qemu-xhci,id=xhci0",
				"-device", "usb-storage,bus=xhci0.0,drive=iso0,bootindex=0")
		}
	}
	if p.Overlay != "" {
		a = append(a,
			"-drive", "if=none,id=disk0,format=qcow2,file="+optPath(p.Overlay),
			"-device", "virtio-blk-pci,drive=disk0,bootindex=1")
	}
	if p.SeedISO != "" {
		a = append(a,
			"-drive", "if=none,id=seed0,format=raw,readonly=on,file="+optPath(p.SeedISO),
			"-device", "scsi-cd,bus=scsi0.0,drive=seed0")
	}
	// romfile= drops the NIC's iPXE option ROM: nothing here boots from
	// the network, and loading it costs firmware time under TCG.
	a = append(a,
		"-netdev", netdevArg(p.SSHPort),
		"-device", "virtio-net-pci,netdev=net0,romfile=")
	return a, nil
}

// netdevArg is QEMU's user network, with the guest's port 22 forwarded from sshPort on the
// host's loopback only (the guest is reachable from this host, not the network).
func netdevArg(sshPort int) string {
	if sshPort == 0 {
		return "user,id=net0"
	}
	return fmt.Sprintf("user,id=net0,hostfwd=tcp:127.0.0.1:%d-:22", sshPort)
}

// optPath escapes a path for a QEMU option list, where a comma ends the value
// and ",," stands for a literal comma.
func optPath(p string) string { return strings.ReplaceAll(p, ",", ",,") }
