package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// userData prints a value only this build's seed contains, with the kernel command line, on
// the serial console once cloud-init has read the seed.
func userData(mark string) string {
	return `#cloud-config
runcmd:
  - echo "` + mark + ` cmdline=$(cat /proc/cmdline)" > /dev/ttyS0
  - echo "` + mark + ` root=$(findmnt -n -o FSTYPE /) live=$(findmnt -n -o SOURCE /run/initramfs/live || echo none)" > /dev/ttyS0
`
}

func seedFiles(mark string) map[string]string {
	return map[string]string{
		"cloud-init-data/user-data":      userData(mark),
		"cloud-init-data/meta-data":      "instance-id: " + mark + "\n",
		"cloud-init-data/network-config": "version: 2\nethernets:\n  all:\n    match:\n      name: \"e*\"\n    dhcp4: true\n",
	}
}

// The seed page's Example 1: cloud-init data on the ISO file system, reached through a symlink
// made by a postCustomization script, and ds=nocloud from iso.kernelCommandLine.
const example1YAML = `
scripts:
  postCustomization:
  - content: |
      set -e
      mkdir -p /var/lib/cloud/seed/
      ln -s -T /run/initramfs/live/cloud-init-data /var/lib/cloud/seed/nocloud

iso:
  additionalFiles:
    cloud-init-data/user-data: /cloud-init-data/user-data
    cloud-init-data/network-config: /cloud-init-data/network-config
    cloud-init-data/meta-data: /cloud-init-data/meta-data

  kernelCommandLine:
    extraCommandLine:
    - "ds=nocloud"
`

// qcow2SourceHCL is the source of the Live OS tests: the reference image in, qcow2 out.
const qcow2SourceHCL = `
variable "base_image" { type = string }

source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
  output_format    = "qcow2"
}

`

const example1Template = qcow2SourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]

  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }

  post-processors {
    post-processor "shell-local" {
      inline = ["sha256sum output/image.qcow2 | cut -d' ' -f1 > output/before.sha256"]
    }
    post-processor "imagecustomizer-iso" {
      config_file = "imagecustomizer.yaml"
      output      = "output/live.iso"
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "output/live.iso.{{.ChecksumType}}"
    }
    post-processor "compress" {
      output              = "output/live.tar.gz"
      compression_level   = 1
      keep_input_artifact = true
    }
    post-processor "manifest" {
      output = "output/manifest.json"
    }
  }
  post-processor "shell-local" {
    inline = ["sha256sum output/image.qcow2 | cut -d' ' -f1 > output/after.sha256"]
  }
}
`

// example1Boot is one way the Example 1 ISO is booted.
type example1Boot struct {
	name     string
	firmware testenv.Firmware
	media    testenv.Media
}

var (
	secureBootCD = example1Boot{"uefi-secure-boot-cd", testenv.UEFISecureBoot, testenv.CD}
	biosCD       = example1Boot{"bios-cd", testenv.BIOS, testenv.CD}
	uefiUSB      = example1Boot{"uefi-usb", testenv.UEFI, testenv.USB}
)

func TestLiveOSExample1SeedOnTheMedia(t *testing.T) {
	ex := example1(t, requireE2E(t), secureBootCD, biosCD, uefiUSB)
	t.Run("recustomize-the-iso", func(t *testing.T) { recustomize(t, ex.iso, ex.mark) })
}

// example1Result is what example1 made: the ISO, the seed's marker and the build's output.
type example1Result struct {
	iso, mark, output string
}

// example1 builds the seed page's Example 1 from a release's reference image, checks the
// media and what the chained post-processors made of it, and boots it each way given.
func example1(t *testing.T, imgs testenv.Images, boots ...example1Boot) example1Result {
	t.Helper()
	dir := t.TempDir()
	mark := marker("E2E-EX1")
	files := seedFiles(mark)
	files["imagecustomizer.yaml"] = example1YAML
	files["build.pkr.hcl"] = example1Template
	writeFiles(t, dir, files)

	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	logStageTimes(t, b.Output)
	out := filepath.Join(dir, "output")
	iso := filepath.Join(out, "live.iso")
	fi, err := os.Stat(iso)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MEASURE example 1 (%s) ISO: %d MiB; packer build %.1fs", imgs.Release, fi.Size()>>20, b.Elapsed.Seconds())
	assertNothingLeft(t, dir)

	before, _ := os.ReadFile(filepath.Join(out, "before.sha256"))
	after, _ := os.ReadFile(filepath.Join(out, "after.sha256"))
	if len(before) == 0 || string(before) != string(after) {
		t.Errorf("the builder's image changed during the ISO conversion: %q -> %q", before, after)
	}
	sum, _ := os.ReadFile(filepath.Join(out, "live.iso.sha256"))
	if !strings.Contains(string(sum), sha256File(t, iso)) {
		t.Errorf("the checksum post-processor's file %q does not hold the ISO's sha256", sum)
	}
	tarList, err := exec.Command("tar", "-tzf", filepath.Join(out, "live.tar.gz")).CombinedOutput()
	if err != nil || !strings.Contains(string(tarList), "live.iso") {
		t.Errorf("the compress post-processor's archive does not hold the ISO: %v %s", err, tarList)
	}
	var manifest struct {
		Builds []struct {
			Files []struct{ Name string } `json:"files"`
		} `json:"builds"`
	}
	if raw, err := os.ReadFile(filepath.Join(out, "manifest.json")); err != nil || json.Unmarshal(raw, &manifest) != nil || len(manifest.Builds) == 0 {
		t.Errorf("no usable manifest.json: %v", err)
	}

	report := xorrisoReport(t, iso)
	for _, want := range []string{"El Torito boot img :   1  BIOS", "El Torito boot img :   2  UEFI", "Volume id    : 'CDROM'"} {
		if !strings.Contains(report, want) {
			t.Errorf("xorriso report lacks %q", want)
		}
	}
	saved := extractFromISO(t, iso, "/imagecustomizer/saved-config.yaml")
	if !strings.Contains(saved, "ds=nocloud") || !strings.Contains(saved, "label: CDROM") {
		t.Errorf("the media does not record how it was built:\n%s", saved)
	}
	if got := extractFromISO(t, iso, "/cloud-init-data/user-data"); !strings.Contains(got, mark) {
		t.Errorf("iso.additionalFiles did not put the seed on the media")
	}

	cmdline := regexp.QuoteMeta(mark) + ` cmdline=.*root=live:LABEL=CDROM .*rd\.live\.image.*console=ttyS0.*ds=nocloud`
	live := regexp.QuoteMeta(mark) + ` root=overlay live=/dev/sr0|` + regexp.QuoteMeta(mark) + ` root=overlay live=/dev/s`
	expect := map[example1Boot][]string{
		secureBootCD: {cmdline, live, "Secure boot enabled"},
		biosCD:       {cmdline, live},
		uefiUSB:      {cmdline},
	}
	for _, bt := range boots {
		t.Run(bt.name, func(t *testing.T) {
			res := testenv.Boot(t, testenv.BootOptions{
				Name: "example1-" + imgs.Release + "-" + bt.name, ISO: iso, Firmware: bt.firmware, Media: bt.media,
				Expect: expect[bt], Timeout: bootTimeout,
			})
			t.Logf("MEASURE boot example 1 (%s) %s: %s", imgs.Release, bt.name, testenv.FormatMilestones(res.Milestones))
		})
	}
	return example1Result{iso: iso, mark: mark, output: b.Output}
}

const recustomizeTemplate = `
variable "base_image" { type = string }
variable "issue" { type = string }

source "imagecustomizer" "again" {
  base_image       = var.base_image
  output_directory = "output"
}

build {
  sources = ["source.imagecustomizer.again"]
  provisioner "shell" {
    inline = ["echo \"${var.issue}\" >> /etc/issue"]
  }
  post-processor "imagecustomizer-iso" {
    output = "output/again.iso"
    kernel_command_line {
      extra_command_line = ["e2e.recustomized=1"]
    }
  }
}
`

// recustomize builds a new ISO from an ISO made earlier: the new media carries the earlier
// media's seed (iso.additionalFiles) and kernel arguments (ds=nocloud), plus this build's
// change to the root file system and its new argument.
func recustomize(t *testing.T, iso, mark string) {
	dir := t.TempDir()
	issue := marker("E2E-RECUSTOMIZED")
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": recustomizeTemplate})
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": iso, "issue": issue})
	if b.Err != nil {
		t.Fatalf("packer build from the ISO failed: %v", b.Err)
	}
	t.Logf("MEASURE re-customizing the ISO: packer build %.1fs", b.Elapsed.Seconds())
	assertNothingLeft(t, dir)
	again := filepath.Join(dir, "output", "again.iso")
	if got := extractFromISO(t, again, "/cloud-init-data/user-data"); !strings.Contains(got, mark) {
		t.Errorf("the earlier media's seed was not carried to the new ISO")
	}
	res := testenv.Boot(t, testenv.BootOptions{
		Name: "recustomized", ISO: again, Firmware: testenv.UEFI, Media: testenv.CD, Timeout: bootTimeout,
		Expect: []string{
			regexp.QuoteMeta(mark) + ` cmdline=.*root=live:LABEL=CDROM .*ds=nocloud e2e\.recustomized=1`,
			regexp.QuoteMeta(issue),
		},
	})
	t.Logf("MEASURE boot re-customized ISO: %s", testenv.FormatMilestones(res.Milestones))
}

// The seed page's Example 2: cloud-init data in the root file system with os.additionalFiles,
// ds=nocloud from os.kernelCommandLine. The customized disk boots with it (the provisioner's
// proof), and so does the ISO made from it, which carries the image's kernel arguments. The ISO
// is UEFI-only (bios_boot = false): no BIOS El Torito entry, no hybrid MBR, whatever the host has.
const example2YAML = `
os:
  kernelCommandLine:
    extraCommandLine:
    - "ds=nocloud"

  additionalFiles:
    cloud-init-data/user-data: /var/lib/cloud/seed/nocloud/user-data
    cloud-init-data/network-config: /var/lib/cloud/seed/nocloud/network-config
    cloud-init-data/meta-data: /var/lib/cloud/seed/nocloud/meta-data
`

const example2Template = qcow2SourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]

  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }

  post-processor "imagecustomizer-iso" {
    output               = "output/live.iso"
    volume_label         = "E2E_LIVE2"
    squashfs_compression = "zstd"
    bios_boot            = false
  }
}
`

func TestLiveOSExample2SeedInTheRootFS(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	mark := marker("E2E-EX2")
	files := seedFiles(mark)
	files["imagecustomizer.yaml"] = example2YAML
	files["build.pkr.hcl"] = example2Template
	writeFiles(t, dir, files)

	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	logStageTimes(t, b.Output)
	assertNothingLeft(t, dir)
	disk := filepath.Join(dir, "output", "image.qcow2")
	iso := filepath.Join(dir, "output", "live.iso")

	// The image's own update-grub regenerated grub.cfg with the argument, and still finds the
	// root by UUID (the private /dev has /dev/disk/by-uuid even on hosts without udev).
	tree := openImage(t, disk)
	grubCfg, _ := readImageFile(t, tree, "/boot/grub/grub.cfg")
	if !regexp.MustCompile(`linux\s+/boot/vmlinuz-\S+ root=UUID=\S+ .*ds=nocloud`).MatchString(grubCfg) {
		t.Errorf("grub.cfg does not boot root=UUID=... with ds=nocloud:\n%s", grepLines(grubCfg, "linux"))
	}
	if seed, _ := readImageFile(t, tree, "/var/lib/cloud/seed/nocloud/user-data"); !strings.Contains(seed, mark) {
		t.Errorf("os.additionalFiles did not place the seed in the root file system")
	}
	report := xorrisoReport(t, iso)
	uefi := regexp.MustCompile(`El Torito boot img :\s+1\s+UEFI`).MatchString(report)
	bios := regexp.MustCompile(`El Torito boot img :\s+\d+\s+BIOS`).MatchString(report)
	if !uefi || bios || strings.Contains(report, "grub2-mbr") {
		t.Errorf("bios_boot = false: want a UEFI-only ISO (one UEFI El Torito entry, no BIOS entry, no GRUB MBR)")
	}

	t.Run("disk-uefi", func(t *testing.T) {
		res := testenv.Boot(t, testenv.BootOptions{
			Name: "example2-disk", Disk: disk, Firmware: testenv.UEFI, Timeout: bootTimeout,
			Expect: []string{regexp.QuoteMeta(mark) + ` cmdline=.*root=UUID=.*ds=nocloud`},
		})
		t.Logf("MEASURE boot example 2 disk: %s", testenv.FormatMilestones(res.Milestones))
	})
	t.Run("iso-uefi-cd", func(t *testing.T) {
		res := testenv.Boot(t, testenv.BootOptions{
			Name: "example2-iso", ISO: iso, Firmware: testenv.UEFI, Media: testenv.CD, Timeout: bootTimeout,
			Expect: []string{
				regexp.QuoteMeta(mark) + ` cmdline=.*root=live:LABEL=E2E_LIVE2 .*ds=nocloud`,
				regexp.QuoteMeta(mark) + ` root=overlay`,
			},
		})
		t.Logf("MEASURE boot example 2 ISO: %s", testenv.FormatMilestones(res.Milestones))
	})
}

func xorrisoReport(t *testing.T, iso string) string {
	t.Helper()
	out, err := exec.Command("xorriso", "-indev", iso, "-report_el_torito", "plain", "-report_system_area", "plain", "-pvd_info").CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso report: %v\n%s", err, out)
	}
	t.Logf("xorriso report:\n%s", indent(string(out)))
	return string(out)
}

func extractFromISO(t *testing.T, iso, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "extracted")
	out, err := exec.Command("xorriso", "-osirrox", "on", "-indev", iso, "-extract", path, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("extract %s from the ISO: %v\n%s", path, err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// logStageTimes repeats the post-processor's timing lines as measurements.
func logStageTimes(t *testing.T, output string) {
	for _, line := range strings.Split(output, "\n") {
		if strings.Contains(line, "imagecustomizer-iso") && (strings.Contains(line, " in ") || strings.Contains(line, "Wrote")) {
			t.Logf("MEASURE %s", strings.TrimSpace(line))
		}
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
