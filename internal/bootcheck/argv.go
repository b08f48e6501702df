package bootcheck

import (
	"fmt"
	"strconv"
	"strings"
)

// VM is everything Argv needs. Paths are final: the overlay and the VARS
// copy exist when QEMU starts.
type VM struct {
	Firmware Firmware
	Accel    Accel  // default TCG
	Vars     string // writable copy of the VARS template (UEFI only)
	Overlay  string // qcow2 overlay over the disk under test; empty for none
	ISO      string // empty for none; attached read-only
	Media    Media  // how ISO is attached; default CD
	SeedISO  string // NoCloud cidata ISO; empty for none
	Serial   string // file receiving the serial console
	// MemoryMiB is the guest RAM; default 2048.
	MemoryMiB int
	// SSHPort is the host loopback port forwarded to the guest's port 22; 0 for none.
	SSHPort int
}

// DefaultMemoryMiB is the guest RAM when none is asked for.
const DefaultMemoryMiB = 2048

// Argv plans the qemu-system-x86_64 command line for vm.
func Argv(vm VM) ([]string, error) {
	files, err := filesFor(vm.Firmware)
	if err != nil {
		return nil, err
	}
	if vm.Overlay == "" && vm.ISO == "" {
		return nil, fmt.Errorf("plan vm: neither a disk nor an ISO to boot")
	}
	if vm.Serial == "" {
		return nil, fmt.Errorf("plan vm: no file for the serial console")
	}
	media := vm.Media
	if media == "" {
		media = CD
	}
	if _, err := ParseMedia(string(media)); err != nil {
		return nil, err
	}
	if files.Code != "" && vm.Vars == "" {
		return nil, fmt.Errorf("plan vm: firmware %q needs a copy of its variable store", vm.Firmware)
	}
	a, err := machineArgv(vm)
	if err != nil {
		return nil, err
	}
	if files.Code != "" {
		a = append(a,
			"-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+optPath(files.Code),
			"-drive", "if=pflash,format=raw,unit=1,file="+optPath(vm.Vars))
	}
	a = append(a, diskArgs(vm, media)...)
	// romfile= drops the NIC's iPXE option ROM: nothing here boots from
	// the network, and loading it costs firmware time under TCG.
	return append(a,
		"-netdev", netdevArg(vm.SSHPort),
		"-device", "virtio-net-pci,netdev=net0,romfile="), nil
}

// netdevArg is QEMU's user network, with the guest's port 22 forwarded from sshPort on the
// host's loopback only: the guest is reachable from this host, not from the network.
func netdevArg(sshPort int) string {
	if sshPort == 0 {
		return "user,id=net0"
	}
	return fmt.Sprintf("user,id=net0,hostfwd=tcp:127.0.0.1:%d-:22", sshPort)
}

// machineArgv plans the program, the machine, accelerator, CPU, memory and console.
func machineArgv(vm VM) ([]string, error) {
	mem := vm.MemoryMiB
	if mem == 0 {
		mem = DefaultMemoryMiB
	}
	if mem < 0 {
		return nil, fmt.Errorf("plan vm: memory %d MiB is negative", mem)
	}
	machine := "q35"
	if vm.Firmware == UEFISecureBoot {
		// OVMF's secboot build keeps its variable store in SMM.
		machine = "q35,smm=on"
	}
	var cpu []string
	switch vm.Accel {
	case KVM:
		cpu = []string{"-accel", "kvm", "-cpu", "host"}
	case TCG, "":
		// qemu64 advertises AMD SVM; the guest then loads kvm_amd, which
		// costs about a minute per boot under TCG.
		cpu = []string{"-accel", "tcg", "-cpu", "qemu64,-svm"}
	default:
		return nil, fmt.Errorf("plan vm: unknown accelerator %q: valid values are %q, %q", vm.Accel, KVM, TCG)
	}
	a := append([]string{"qemu-system-x86_64", "-machine", machine}, cpu...)
	a = append(a,
		"-m", strconv.Itoa(mem),
		"-smp", "2",
		"-nographic",
		"-monitor", "none",
		"-serial", "file:"+vm.Serial,
		"-no-reboot",
	)
	if vm.Firmware == UEFISecureBoot {
		a = append(a, "-global", "driver=cfi.pflash01,property=secure,value=on")
	}
	return a, nil
}

// diskArgs attaches the ISO (boots first), the disk overlay and the seed.
func diskArgs(vm VM, media Media) []string {
	var a []string
	if (vm.ISO != "" && media == CD) || vm.SeedISO != "" {
		a = append(a, "-device", "virtio-scsi-pci,id=scsi0")
	}
	if vm.ISO != "" {
		a = append(a, "-drive", "if=none,id=iso0,format=raw,readonly=on,file="+optPath(vm.ISO))
		if media == CD {
			a = append(a, "-device", "scsi-cd,bus=scsi0.0,drive=iso0,bootindex=0")
		} else {
			a = append(a,
				"-device", "qemu-xhci,id=xhci0",
				"-device", "usb-storage,bus=xhci0.0,drive=iso0,bootindex=0")
		}
	}
	if vm.Overlay != "" {
		a = append(a,
			"-drive", "if=none,id=disk0,format=qcow2,file="+optPath(vm.Overlay),
			"-device", "virtio-blk-pci,drive=disk0,bootindex=1")
	}
	if vm.SeedISO != "" {
		a = append(a,
			"-drive", "if=none,id=seed0,format=raw,readonly=on,file="+optPath(vm.SeedISO),
			"-device", "scsi-cd,bus=scsi0.0,drive=seed0")
	}
	return a
}

// optPath escapes a path for a QEMU option list, where a comma ends the
// value and ",," stands for a literal comma.
func optPath(p string) string { return strings.ReplaceAll(p, ",", ",,") }

// OverlayArgv plans a qcow2 overlay whose backing file is the disk under test.
func OverlayArgv(disk, format, overlay string) []string {
	return []string{"qemu-img", "create", "-q", "-f", "qcow2", "-b", disk, "-F", format, overlay}
}

// SeedArgv plans a NoCloud seed ISO: cloud-init finds it by the volume
// label "cidata" (cloud-init's NoCloud datasource).
func SeedArgv(dir, iso string) []string {
	return []string{"xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-V", "cidata", "-J", "-R", dir}
}
