package iso

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

func TestBootTestDefaults(t *testing.T) {
	b := BootTest{}
	if errs := b.prepare(); len(errs) != 0 {
		t.Fatalf("errors on an empty block: %v", errs)
	}
	want := BootTest{Firmware: []string{"uefi"}, Media: "cd", Expect: []string{"login:"}, Timeout: 10 * time.Minute, Memory: 2048}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("defaults = %+v, want %+v", b, want)
	}
	s := b.suite("/o/live.iso")
	if len(s.Plan()) != 1 || s.Plan()[0].ConsoleLog != "/o/live.iso.boot-uefi.log" || s.FailOn != nil {
		t.Errorf("suite = %+v: want one uefi boot with the default failure patterns", s)
	}
}

func TestBootTestKeepsSettings(t *testing.T) {
	b := BootTest{Firmware: []string{"uefi-secureboot", "bios"}, Media: "usb", Expect: []string{`ci-\d+`},
		FailOn: []string{}, Timeout: 90 * time.Second, Memory: 1024}
	if errs := b.prepare(); len(errs) != 0 {
		t.Fatal(errs)
	}
	got := b.suite("/o/l.iso")
	want := bootcheck.Suite{ISO: "/o/l.iso", Firmwares: []bootcheck.Firmware{bootcheck.UEFISecureBoot, bootcheck.BIOS},
		Media: bootcheck.USB, Expect: []string{`ci-\d+`}, FailOn: []string{}, Timeout: 90 * time.Second, MemoryMiB: 1024}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("suite = %+v, want %+v", got, want)
	}
}

func TestBootTestReportsEveryError(t *testing.T) {
	b := BootTest{Firmware: []string{"uefi", "efi", "uefi"}, Media: "floppy", Expect: []string{"ok", "("},
		FailOn: []string{"[z-a]"}, Timeout: -time.Second, Memory: 64}
	errs := b.prepare()
	want := []string{
		`boot_test.firmware[1]: unknown firmware "efi": valid values are "uefi", "uefi-secureboot", "bios"`,
		`boot_test.firmware[2]: "uefi" is listed twice`,
		`boot_test.media: unknown media "floppy": valid values are "cd", "usb"`,
		"boot_test.expect[1]: error parsing regexp",
		"boot_test.fail_on[0]: error parsing regexp",
		"boot_test.timeout: -1s is negative",
		"boot_test.memory: 64 MiB is less than 256",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %q, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want %q", i, errs[i], w)
		}
	}
	if errs := (&BootTest{Expect: []string{}}).prepare(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "boot_test.expect: is empty") {
		t.Errorf("empty expect: %v", errs)
	}
}

// The block decodes through Prepare, its errors come with the other settings' errors, and no
// block means no boot test.
func TestConfigBootTestBlock(t *testing.T) {
	var c Config
	err := c.Prepare(map[string]interface{}{
		"volume_label": "bad label!",
		"boot_test":    map[string]interface{}{"firmware": []string{"bios", "efi"}, "timeout": "90s", "fail_on": []string{}},
	})
	if err == nil {
		t.Fatal("Prepare accepted an unknown firmware")
	}
	for _, want := range []string{"volume_label", `boot_test.firmware[1]: unknown firmware "efi"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if c.BootTest == nil || c.BootTest.Timeout != 90*time.Second || c.BootTest.FailOn == nil || len(c.BootTest.FailOn) != 0 {
		t.Errorf("boot_test decoded as %+v; want timeout 90s and an empty, non-nil fail_on", c.BootTest)
	}
	var none Config
	if err := none.Prepare(map[string]interface{}{}); err != nil || none.BootTest != nil {
		t.Errorf("without the block: BootTest %+v, err %v", none.BootTest, err)
	}
}
