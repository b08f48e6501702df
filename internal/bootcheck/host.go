package bootcheck

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Host tools a boot runs.
const (
	toolQEMU    = "qemu-system-x86_64"
	toolQEMUImg = "qemu-img" // overlays over disks
	toolXorriso = "xorriso"  // seed ISOs and reading an ISO's grub.cfg
)

// CheckHost reports, in one error, every tool and firmware file that boots
// with these firmwares need and the host lacks, each with the Debian
// package that provides it.
func CheckHost(firmwares []Firmware, tools ...string) error {
	missing := missingOnHost(firmwares, append([]string{toolQEMU}, tools...), exec.LookPath, fileExists)
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("check the host for boot tests: %s", strings.Join(missing, "; "))
}

func missingOnHost(firmwares []Firmware, tools []string, lookPath func(string) (string, error), exists func(string) bool) []string {
	var missing []string
	seen := map[string]bool{}
	for _, t := range tools {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := lookPath(t); err != nil {
			missing = append(missing, execx.MissingToolHint(t))
		}
	}
	for _, fw := range firmwares {
		files, err := filesFor(fw)
		if err != nil {
			missing = append(missing, err.Error())
			continue
		}
		for _, f := range files.Check {
			if seen[f] {
				continue
			}
			seen[f] = true
			if !exists(f) {
				missing = append(missing, fmt.Sprintf("firmware %s needs %s, which is not installed; it is in the Debian package %s", fw, f, files.Package))
			}
		}
	}
	return missing
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// KVMUsable reports whether this process can open /dev/kvm for QEMU.
func KVMUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// DetectAccel is KVM when /dev/kvm is usable and TCG otherwise.
func DetectAccel() Accel {
	if KVMUsable() {
		return KVM
	}
	return TCG
}

// copyFirmwareVars copies an OVMF variable store template to a writable file.
func copyFirmwareVars(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read firmware %q: %w (it is in the Debian package ovmf)", src, err)
		}
		return fmt.Errorf("read firmware %q: %w", src, err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		return fmt.Errorf("copy firmware to %q: %w", dst, err)
	}
	return nil
}
