package bootcheck

import (
	goldenfile "github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/golden"

	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestArgvGolden plans the command line for every firmware and media an
// ISO boot can use, and for the disk boots the tests run, and compares it
// with testdata/argv/<case>.args (one option and its value per line).
func TestArgvGolden(t *testing.T) {
	iso := func(fw Firmware, media Media, accel Accel) VM {
		vm := VM{Firmware: fw, Accel: accel, ISO: "/out/live.iso", Media: media, Serial: "/out/live.iso.boot-" + string(fw) + ".log"}
		if fw != BIOS {
			vm.Vars = "/tmp/b/vars.fd"
		}
		return vm
	}
	cases := map[string]VM{
		"iso-uefi-cd":             iso(UEFI, CD, TCG),
		"iso-uefi-usb":            iso(UEFI, USB, TCG),
		"iso-uefi-secureboot-cd":  iso(UEFISecureBoot, CD, TCG),
		"iso-uefi-secureboot-usb": iso(UEFISecureBoot, USB, TCG),
		"iso-bios-cd":             iso(BIOS, CD, TCG),
		"iso-bios-usb":            iso(BIOS, USB, TCG),
		"iso-uefi-cd-kvm":         iso(UEFI, CD, KVM),
		"disk-uefi-seed": {Firmware: UEFI, Vars: "/tmp/b/vars.fd", Overlay: "/tmp/b/overlay.qcow2",
			SeedISO: "/tmp/b/seed.iso", Serial: "/tmp/b/serial.log", MemoryMiB: 1024},
		"disk-bios-comma-path": {Firmware: BIOS, Overlay: "/tmp/a,b/overlay.qcow2", Serial: "/tmp/b/serial.log"},
	}
	for name, vm := range cases {
		t.Run(name, func(t *testing.T) {
			argv, err := Argv(vm)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenLines(argv)
			goldenfile.CheckFile(t, filepath.Join("testdata", "argv", name+".args"), got)
		})
	}
}

// goldenLines renders argv with each option and its value on one line.
func goldenLines(argv []string) string {
	var b strings.Builder
	b.WriteString(argv[0])
	for i, a := range argv[1:] {
		if i == 0 || strings.HasPrefix(a, "-") {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(a)
	}
	return b.String() + "\n"
}

// TestArgvInvariants states, independently of the goldens, what makes each
// firmware and media boot and what keeps the media unwritten.
func TestArgvInvariants(t *testing.T) {
	for _, fw := range Firmwares {
		for _, media := range MediaKinds {
			vm := VM{Firmware: fw, ISO: "/i.iso", Media: media, Serial: "/s", Vars: "/v"}
			argv, err := Argv(vm)
			if err != nil {
				t.Fatalf("%s/%s: %v", fw, media, err)
			}
			line := " " + strings.Join(argv, " ") + " "
			check := func(want bool, s string) {
				if strings.Contains(line, s) != want {
					t.Errorf("%s/%s: contains %q = %v, want %v:\n%s", fw, media, s, !want, want, line)
				}
			}
			check(true, "format=raw,readonly=on,file=/i.iso")
			check(true, "drive=iso0,bootindex=0")
			check(fw == UEFISecureBoot, "smm=on")
			check(fw == UEFISecureBoot, "property=secure,value=on")
			check(fw != BIOS, "if=pflash")
			check(fw != BIOS, "unit=1,file=/v ")
			check(media == CD, " scsi-cd,")
			check(media == USB, " usb-storage,")
		}
	}
}

func TestArgvRejects(t *testing.T) {
	tests := map[string]struct {
		vm   VM
		want string
	}{
		"unknown firmware": {VM{Firmware: "coreboot", Overlay: "/d", Serial: "/s"}, `unknown firmware "coreboot": valid values are "uefi", "uefi-secureboot", "bios"`},
		"nothing to boot":  {VM{Firmware: BIOS, Serial: "/s"}, "neither a disk nor an ISO"},
		"no serial":        {VM{Firmware: BIOS, ISO: "/i"}, "no file for the serial console"},
		"unknown media":    {VM{Firmware: BIOS, ISO: "/i", Media: "floppy", Serial: "/s"}, `unknown media "floppy"`},
		"uefi needs vars":  {VM{Firmware: UEFI, ISO: "/i", Serial: "/s"}, `firmware "uefi" needs a copy of its variable store`},
		"unknown accel":    {VM{Firmware: BIOS, ISO: "/i", Serial: "/s", Accel: "hvf"}, `unknown accelerator "hvf"`},
		"negative memory":  {VM{Firmware: BIOS, ISO: "/i", Serial: "/s", MemoryMiB: -1}, "memory -1 MiB"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Argv(tc.vm)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	for _, fw := range Firmwares {
		if got, err := ParseFirmware(string(fw)); err != nil || got != fw {
			t.Errorf("ParseFirmware(%q) = %q, %v", fw, got, err)
		}
	}
	if _, err := ParseFirmware("uefi-sb"); err == nil || !strings.Contains(err.Error(), `"uefi-secureboot"`) {
		t.Errorf("ParseFirmware(uefi-sb) = %v, want an error listing the valid values", err)
	}
	if got, err := ParseMedia("usb"); err != nil || got != USB {
		t.Errorf("ParseMedia(usb) = %q, %v", got, err)
	}
	if _, err := ParseMedia("dvd"); err == nil || !strings.Contains(err.Error(), `"cd", "usb"`) {
		t.Errorf("ParseMedia(dvd) = %v", err)
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

func TestHelperArgv(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{strings.Join(OverlayArgv("/c/base.vhd", "vpc", "/t/o.qcow2"), " "), "qemu-img create -q -f qcow2 -b /c/base.vhd -F vpc /t/o.qcow2"},
		{strings.Join(SeedArgv("/s", "/t/seed.iso"), " "), "xorriso -as mkisofs -quiet -o /t/seed.iso -V cidata -J -R /s"},
		{strings.Join(extractArgv("/o/l.iso", "/boot/grub/grub.cfg", "/t/g"), " "), "xorriso -osirrox on -indev /o/l.iso -extract /boot/grub/grub.cfg /t/g"},
	} {
		if tc.got != tc.want {
			t.Errorf("argv = %q, want %q", tc.got, tc.want)
		}
	}
}

func TestArgvForwardsSSHFromLoopbackOnly(t *testing.T) {
	base := VM{Firmware: BIOS, Overlay: "/t/overlay.qcow2", Serial: "/t/serial.log"}
	for port, want := range map[int]string{0: "user,id=net0", 40022: "user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22"} {
		vm := base
		vm.SSHPort = port
		argv, err := Argv(vm)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(argv, "-netdev")
		if i < 0 || argv[i+1] != want {
			t.Errorf("SSHPort %d: -netdev %v, want %q", port, argv, want)
		}
	}
}
