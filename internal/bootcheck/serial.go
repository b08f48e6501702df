package bootcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// ISOGrubCfgPath is where a Live OS ISO made by this plugin keeps its grub.cfg (the media
// layout of package liveos; a test keeps the two equal). bootcheck does not import liveos:
// liveos's own tests boot through this package.
const ISOGrubCfgPath = "boot/grub/grub.cfg"

var serialConsoleArg = regexp.MustCompile(`(^|[\s'"])console=ttyS\d`)

// CheckSerialConsole reads the default (first) menu entry of a Live OS
// grub.cfg and fails, up front, when its kernel arguments have no
// console=ttyS<n>: the kernel and systemd would then print nothing on the
// serial port, and a boot test watching it could only time out.
func CheckSerialConsole(grubCfg string) error {
	for _, line := range strings.Split(grubCfg, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || (f[0] != "linux" && f[0] != "linuxefi") {
			continue
		}
		if serialConsoleArg.MatchString(line) {
			return nil
		}
		return fmt.Errorf("the ISO's kernel command line has no console=ttyS0 argument, so the kernel and systemd print nothing on the serial console that the boot test watches; "+
			"add console=ttyS0 to the kernel arguments (kernel_command_line { extra_command_line = [\"console=ttyS0\"] } or iso.kernelCommandLine.extraCommandLine); the default entry boots: %s",
			strings.TrimSpace(line))
	}
	return fmt.Errorf("check the serial console: the ISO's grub.cfg has no linux line")
}

// ISOGrubConfig extracts /boot/grub/grub.cfg from a Live OS ISO with xorriso.
func ISOGrubConfig(ctx context.Context, run execx.Runner, iso, scratch string) (string, error) {
	dst := filepath.Join(scratch, "grub.cfg")
	src := "/" + ISOGrubCfgPath
	if err := execx.Run(ctx, run, extractArgv(iso, src, dst)...); err != nil {
		return "", fmt.Errorf("read %s from the ISO %s: %w", src, iso, err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		return "", fmt.Errorf("read %s from the ISO %s: %w", src, iso, err)
	}
	return string(b), nil
}

// extractArgv plans copying one file out of an ISO without mounting it.
func extractArgv(iso, src, dst string) []string {
	return []string{toolXorriso, "-osirrox", "on", "-indev", iso, "-extract", src, dst}
}
