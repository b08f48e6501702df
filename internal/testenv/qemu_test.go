package testenv

import (
	"strings"
	"testing"
)

func TestQemuArgv(t *testing.T) {
	base := vmPlan{Serial: "/t/serial.log", Vars: "/t/vars.fd", Overlay: "/t/overlay.qcow2"}
	with := func(f func(*vmPlan)) vmPlan { p := base; f(&p); return p }
	tests := map[string]struct {
		plan    vmPlan
		want    []string // argument sequences that must appear, each in order
		notWant []string
	}{
		"uefi disk": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI }),
			want: []string{
				"-machine q35 -accel tcg -cpu qemu64,-svm -m 2048 -smp 2",
				"-serial file:/t/serial.log -no-reboot",
				"-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
				"-drive if=pflash,format=raw,unit=1,file=/t/vars.fd",
				"-drive if=none,id=disk0,format=qcow2,file=/t/overlay.qcow2 -device virtio-blk-pci,drive=disk0,bootindex=1",
				"-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=",
			},
			notWant: []string{"smm=on", "secure,value=on", "virtio-scsi-pci", "scsi-cd", "usb-storage", "hostfwd"},
		},
		"secure boot": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFISecureBoot }),
			want: []string{
				"-machine q35,smm=on",
				"-global driver=cfi.pflash01,property=secure,value=on",
				"file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
			},
		},
		"bios has no pflash": {
			plan:    with(func(p *vmPlan) { p.Firmware = BIOS }),
			want:    []string{"-machine q35 "},
			notWant: []string{"pflash", "OVMF"},
		},
		"iso as cd boots first on virtio-scsi": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI; p.ISO = "/in/live.iso"; p.Overlay = "" }),
			want: []string{
				"-device virtio-scsi-pci,id=scsi0 -drive if=none,id=iso0,format=raw,readonly=on,file=/in/live.iso" +
					" -device scsi-cd,bus=scsi0.0,drive=iso0,bootindex=0",
			},
			notWant: []string{"disk0", "usb"},
		},
		"iso as usb stick": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI; p.ISO = "/in/live.iso"; p.Media = USB }),
			want: []string{
				"-device qemu-xhci,id=xhci0 -device usb-storage,bus=xhci0.0,drive=iso0,bootindex=0",
				"-device virtio-blk-pci,drive=disk0,bootindex=1",
			},
			notWant: []string{"scsi-cd"},
		},
		"ssh forwarded from loopback": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI; p.SSHPort = 40022 }),
			want: []string{"-netdev user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22 -device virtio-net-pci"},
		},
		"seed as second cd": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI; p.SeedISO = "/t/seed.iso"; p.MemoryMiB = 1024 }),
			want: []string{
				"-m 1024",
				"-device virtio-scsi-pci,id=scsi0",
				"-drive if=none,id=seed0,format=raw,readonly=on,file=/t/seed.iso -device scsi-cd,bus=scsi0.0,drive=seed0 ",
			},
			notWant: []string{"bootindex=0"},
		},
		"commas in paths are doubled": {
			plan: with(func(p *vmPlan) { p.Firmware = UEFI; p.Overlay = "/t/a,b.qcow2" }),
			want: []string{"file=/t/a,,b.qcow2 "},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			argv, err := qemuArgv(tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			if argv[0] != "qemu-system-x86_64" {
				t.Errorf("argv[0] = %q", argv[0])
			}
			line := strings.Join(argv, " ") + " "
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("argv lacks %q:\n%s", w, line)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(line, w) {
					t.Errorf("argv has %q:\n%s", w, line)
				}
			}
		})
	}
}

func TestQemuArgvRejects(t *testing.T) {
	tests := map[string]struct {
		plan vmPlan
		want string
	}{
		"unknown firmware": {vmPlan{Firmware: "coreboot", Overlay: "/d"}, `unknown firmware "coreboot"`},
		"nothing to boot":  {vmPlan{Firmware: UEFI}, "neither a disk nor an ISO"},
		"unknown media":    {vmPlan{Firmware: UEFI, ISO: "/i", Media: "floppy"}, `unknown media "floppy"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := qemuArgv(tc.plan)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDiskFormat(t *testing.T) {
	tests := map[string]string{
		"a/base.qcow2": "qcow2", "base.RAW": "raw", "x.img": "raw", "b.vhd": "vpc", "c.vhdx": "vhdx",
	}
	for in, want := range tests {
		got, err := diskFormat(in)
		if err != nil || got != want {
			t.Errorf("diskFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := diskFormat("disk.vmdk"); err == nil {
		t.Error("diskFormat(disk.vmdk) accepted an unsupported format")
	}
}

func TestPrepareArgv(t *testing.T) {
	got := strings.Join(overlayArgv("/c/base.vhd", "vpc", "/t/o.qcow2"), " ")
	if want := "qemu-img create -q -f qcow2 -b /c/base.vhd -F vpc /t/o.qcow2"; got != want {
		t.Errorf("overlayArgv = %q, want %q", got, want)
	}
	got = strings.Join(seedArgv("/s", "/t/seed.iso"), " ")
	if want := "xorriso -as mkisofs -quiet -o /t/seed.iso -V cidata -J -R /s"; got != want {
		t.Errorf("seedArgv = %q, want %q", got, want)
	}
}
