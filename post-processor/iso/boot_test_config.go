//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type BootTest

package iso

import (
	"fmt"
	"regexp"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hosttools"
)

// BootTest boots the ISO under QEMU once per firmware after writing it, and fails the build
// unless every `expect` pattern appears on the serial console (ttyS0) before a `fail_on`
// pattern, the timeout, or the VM's exit. QEMU uses KVM when /dev/kvm is usable and TCG
// otherwise; the ISO is attached read-only and never changed. The console of each boot is
// kept next to the ISO as `<iso>.boot-<firmware>.log`, whether the boot passes or not. The
// ISO's kernel arguments must include `console=ttyS0`, or the test fails before booting.
// The host needs `qemu-system-x86_64` (Debian package qemu-system-x86), `xorriso`, and the
// firmware: `ovmf` for the UEFI ones, `seabios` for `bios`.
type BootTest struct {
	// Firmwares to boot with, one boot each, one after the other: `uefi` (OVMF),
	// `uefi-secureboot` (OVMF with Microsoft's keys enrolled and Secure Boot on) and `bios`
	// (SeaBIOS). Defaults to `["uefi"]`.
	Firmware []string `mapstructure:"firmware" required:"false"`
	// How the ISO is attached: `cd` (a SCSI CD-ROM, the default) or `usb` (a USB stick).
	Media string `mapstructure:"media" required:"false"`
	// Regular expressions (Go RE2 syntax) that must all appear on the serial console, each
	// within one line, in any order. Defaults to `["login:"]`, a getty's prompt.
	Expect []string `mapstructure:"expect" required:"false"`
	// Regular expressions that fail the boot as soon as a console line matches one. Setting
	// this replaces the defaults (`[]` disables them): `Kernel panic`,
	// `dracut-initqueue.*timeout`, `Entering emergency mode`, `(?i)emergency shell` and
	// `Access Denied` (OVMF refusing an unsigned boot loader under Secure Boot).
	FailOn []string `mapstructure:"fail_on" required:"false"`
	// How long each boot may take, e.g. `"10m"`. Defaults to `10m`: a Live OS boots in one to
	// two minutes under TCG on an idle 2-core host and takes up to about 7 on a loaded one.
	Timeout time.Duration `mapstructure:"timeout" required:"false"`
	// Guest RAM in MiB; at least 256. Defaults to 2048.
	Memory int `mapstructure:"memory" required:"false"`
}

const minBootTestMemory = 256

var defaultBootTestExpect = []string{`login:`}

// prepare applies the defaults and returns every problem, each naming the setting.
func (b *BootTest) prepare() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(b.Firmware) == 0 {
		b.Firmware = []string{string(bootcheck.UEFI)}
	}
	seen := map[string]bool{}
	for i, fw := range b.Firmware {
		if _, err := bootcheck.ParseFirmware(fw); err != nil {
			add("boot_test.firmware[%d]: %w", i, err)
		} else if seen[fw] {
			add("boot_test.firmware[%d]: %q is listed twice", i, fw)
		}
		seen[fw] = true
	}
	if b.Media == "" {
		b.Media = string(bootcheck.CD)
	}
	if _, err := bootcheck.ParseMedia(b.Media); err != nil {
		add("boot_test.media: %w", err)
	}
	if b.Expect == nil {
		b.Expect = defaultBootTestExpect
	}
	if len(b.Expect) == 0 {
		add("boot_test.expect: is empty: nothing would tell a boot that works from one that hangs")
	}
	for _, f := range []struct {
		name string
		list []string
	}{{"expect", b.Expect}, {"fail_on", b.FailOn}} {
		for i, p := range f.list {
			if _, err := regexp.Compile(p); err != nil {
				add("boot_test.%s[%d]: %w", f.name, i, err)
			}
		}
	}
	if b.Timeout == 0 {
		b.Timeout = bootcheck.DefaultTimeout
	} else if b.Timeout < 0 {
		add("boot_test.timeout: %s is negative", b.Timeout)
	}
	if b.Memory == 0 {
		b.Memory = bootcheck.DefaultMemoryMiB
	} else if b.Memory < minBootTestMemory {
		add("boot_test.memory: %d MiB is less than %d", b.Memory, minBootTestMemory)
	}
	return errs
}

// suite is the boot test of the ISO at iso; b is prepared.
func (b *BootTest) suite(iso string) bootcheck.Suite {
	fws := make([]bootcheck.Firmware, len(b.Firmware))
	for i, fw := range b.Firmware {
		fws[i] = bootcheck.Firmware(fw)
	}
	return bootcheck.Suite{
		ISO: iso, Firmwares: fws, Media: bootcheck.Media(b.Media),
		Expect: b.Expect, FailOn: b.FailOn, Timeout: b.Timeout, MemoryMiB: b.Memory,
	}
}

// checkHost fails, naming the Debian packages, when the host cannot run the boots; a nil
// BootTest needs nothing.
func (b *BootTest) checkHost() error {
	if b == nil {
		return nil
	}
	return bootcheck.CheckHost(b.suite("").Firmwares, hosttools.For(hosttools.BootTest)...)
}
