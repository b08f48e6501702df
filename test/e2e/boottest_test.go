package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Example 1 with a boot_test: the post-processor itself boots the ISO under Secure Boot and
// SeaBIOS and waits for the line the seed's runcmd prints. The manifest records the result.
const bootTestTemplate = qcow2SourceHCL + `variable "expect" { type = string }
variable "timeout" { type = string }
variable "firmware" { type = list(string) }

build {
  sources = ["source.imagecustomizer.e2e"]

  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }

  post-processors {
    post-processor "imagecustomizer-iso" {
      config_file = "imagecustomizer.yaml"
      output      = "output/live.iso"
      boot_test {
        firmware = var.firmware
        expect   = [var.expect]
        timeout  = var.timeout
      }
    }
    post-processor "manifest" {
      output      = "output/manifest.json"
      custom_data = { boot_test = build.BootTest }
    }
  }
}
`

func bootTestBuild(t *testing.T, expect, timeout, firmware string) (build, string) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	mark := marker("E2E-BOOTTEST")
	files := seedFiles(mark)
	files["imagecustomizer.yaml"] = example1YAML
	files["build.pkr.hcl"] = bootTestTemplate
	writeFiles(t, dir, files)
	expect = strings.ReplaceAll(expect, "MARK", regexp.QuoteMeta(mark))
	b := packerBuild(t, context.Background(), dir, map[string]string{
		"base_image": imgs.EFIQcow2, "expect": expect, "timeout": timeout, "firmware": firmware,
	})
	t.Logf("MEASURE boot_test build (%s): %.1fs", firmware, b.Elapsed.Seconds())
	return b, dir
}

func TestBootTestPasses(t *testing.T) {
	b, dir := bootTestBuild(t, `MARK cmdline=.*console=ttyS0`, "20m", `["uefi-secureboot","bios"]`)
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	assertNothingLeft(t, dir)
	out := filepath.Join(dir, "output")
	for _, fw := range []string{"uefi-secureboot", "bios"} {
		if !regexp.MustCompile(fw + ` \(cd, (kvm|tcg)\): pass after [0-9.]+s; firmware [0-9.]+s, kernel [0-9.]+s, initrd `).MatchString(b.Output) {
			t.Errorf("the build output has no passing report for %s", fw)
		}
		log, err := os.ReadFile(filepath.Join(out, "live.iso.boot-"+fw+".log"))
		if err != nil || !strings.Contains(string(log), "E2E-BOOTTEST") {
			t.Errorf("console log of %s missing or without the marker: %v", fw, err)
		}
	}
	if !strings.Contains(b.Output, "Boot test passed: uefi-secureboot=pass bios=pass") {
		t.Error("the build output lacks the boot test summary")
	}
	var manifest struct {
		Builds []struct {
			CustomData map[string]string `json:"custom_data"`
		} `json:"builds"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || json.Unmarshal(raw, &manifest) != nil || len(manifest.Builds) != 1 {
		t.Fatalf("no usable manifest.json: %v\n%s", err, raw)
	}
	if got := manifest.Builds[0].CustomData["boot_test"]; got != "uefi-secureboot=pass bios=pass" {
		t.Errorf("manifest custom_data boot_test = %q, want the boot results", got)
	}
}

func TestBootTestFailsNamingThePattern(t *testing.T) {
	const never = `never-printed-MARK`
	b, dir := bootTestBuild(t, never, "45s", `["bios"]`)
	if b.Err == nil {
		t.Fatal("packer build passed although the expected line never appeared")
	}
	assertNothingLeft(t, dir)
	for _, want := range []string{
		"boot test with firmware bios failed",
		"timed out (45s)",
		`never saw ["never-printed-E2E-BOOTTEST`,
		"last console lines:",
		"live.iso.boot-bios.log",
	} {
		if !strings.Contains(b.Output, want) {
			t.Errorf("the build output lacks %q", want)
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "output", "live.iso.boot-bios.log"))
	if err != nil || !strings.Contains(string(log), "SeaBIOS") {
		t.Errorf("the console log of the failed boot is missing or empty: %v", err)
	}
}
