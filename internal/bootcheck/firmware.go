package bootcheck

import (
	"fmt"
	"strings"
)

// Firmware selects what the VM boots with.
type Firmware string

// Firmwares.
const (
	// UEFI is OVMF without Secure Boot.
	UEFI Firmware = "uefi"
	// UEFISecureBoot is OVMF with Microsoft's keys enrolled and Secure Boot on.
	UEFISecureBoot Firmware = "uefi-secureboot"
	// BIOS is SeaBIOS, QEMU's default firmware.
	BIOS Firmware = "bios"
)

// Firmwares lists every Firmware, in the order the docs give them.
var Firmwares = []Firmware{UEFI, UEFISecureBoot, BIOS}

// Media selects how an ISO is attached.
type Media string

// Media kinds.
const (
	// CD attaches the ISO as a SCSI CD-ROM on virtio-scsi.
	CD Media = "cd"
	// USB attaches the ISO as a USB mass-storage disk, as a hybrid ISO
	// written to a USB stick boots.
	USB Media = "usb"
)

// MediaKinds lists every Media.
var MediaKinds = []Media{CD, USB}

// Accel is QEMU's accelerator.
type Accel string

// Accelerators.
const (
	KVM Accel = "kvm"
	TCG Accel = "tcg"
)

// ParseFirmware checks a user-supplied firmware name.
func ParseFirmware(s string) (Firmware, error) { return parseName(s, Firmwares, "firmware") }

// ParseMedia checks a user-supplied media name.
func ParseMedia(s string) (Media, error) { return parseName(s, MediaKinds, "media") }

func parseName[T ~string](s string, valid []T, what string) (T, error) {
	q := make([]string, len(valid))
	for i, v := range valid {
		if string(v) == s {
			return v, nil
		}
		q[i] = fmt.Sprintf("%q", v)
	}
	return "", fmt.Errorf("unknown %s %q: valid values are %s", what, s, strings.Join(q, ", "))
}

// firmwareFiles are the host files a firmware needs. Code is the pflash
// code file handed to QEMU and VarsTemplate the variable store copied per
// run (UEFI only); Check are files that must exist and Package is the
// Debian package that ships them.
type firmwareFiles struct {
	Code, VarsTemplate string
	Check              []string
	Package            string
}

// OVMF files from Debian's ovmf package. OVMF_CODE_4M.secboot.fd needs SMM
// and OVMF_VARS_4M.ms.fd has Microsoft's keys enrolled with Secure Boot on.
const (
	ovmfDir        = "/usr/share/OVMF"
	ovmfCode       = ovmfDir + "/OVMF_CODE_4M.fd"
	ovmfVars       = ovmfDir + "/OVMF_VARS_4M.fd"
	ovmfCodeSecure = ovmfDir + "/OVMF_CODE_4M.secboot.fd"
	ovmfVarsMS     = ovmfDir + "/OVMF_VARS_4M.ms.fd"
	// seabiosImage is what qemu-system-x86_64 loads for -machine q35 when
	// no firmware is given; Debian's QEMU searches /usr/share/seabios.
	seabiosImage = "/usr/share/seabios/bios-256k.bin"
)

func filesFor(fw Firmware) (firmwareFiles, error) {
	switch fw {
	case UEFI:
		return firmwareFiles{ovmfCode, ovmfVars, []string{ovmfCode, ovmfVars}, "ovmf"}, nil
	case UEFISecureBoot:
		return firmwareFiles{ovmfCodeSecure, ovmfVarsMS, []string{ovmfCodeSecure, ovmfVarsMS}, "ovmf"}, nil
	case BIOS:
		return firmwareFiles{Check: []string{seabiosImage}, Package: "seabios"}, nil
	}
	_, err := ParseFirmware(string(fw))
	return firmwareFiles{}, err
}
