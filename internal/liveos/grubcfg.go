package liveos

import (
	"fmt"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/grubcfg"
)

// GrubConfig describes the media's /boot/grub/grub.cfg.
type GrubConfig struct {
	// Label is the ISO volume ID; GRUB finds the media by it.
	Label string
	// Entries are the menu entries, default first (newest kernel first).
	Entries []GrubEntry
	// Timeout is the menu timeout in seconds; -1 waits for a key.
	Timeout int
	// Serial mirrors the menu on the first serial port (115200 baud),
	// for headless VMs and the QEMU boot tests.
	Serial bool
}

// GrubEntry is one menu entry. Linux and Initrd are absolute paths on the
// media (/boot/vmlinuz-<v>); Args are kernel arguments as SplitCmdline
// returns them.
type GrubEntry struct {
	Title  string
	Linux  string
	Initrd string
	Args   []string
}

// RenderGrubCfg writes grub.cfg for every GRUB that boots the media:
//   - the image's signed EFI GRUB (Debian's gcdx64.efi.signed finds the
//     media by /.disk/info, sets $prefix=($root)/boot/grub and sources
//     $prefix/grub.cfg);
//   - a grub-mkstandalone EFI GRUB, whose early config searches the label
//     and runs configfile on this file;
//   - the BIOS El Torito core (grub-mkimage -p /boot/grub).
//
// So it only uses commands those builds have built in or embedded, runs
// no insmod (loading modules is refused under Secure Boot) and never
// touches $prefix: a standalone GRUB keeps its modules in (memdisk), and
// resetting $prefix breaks module loading there.
func RenderGrubCfg(c GrubConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Live OS media %q, written by packer-plugin-imagecustomizer.\n", c.Label)
	fmt.Fprintf(&b, "search --no-floppy --set=root --label %s\n", grubcfg.Quote(c.Label))
	if c.Serial {
		b.WriteString("serial --unit=0 --speed=115200\n")
		b.WriteString("terminal_input console serial\n")
		b.WriteString("terminal_output console serial\n")
	}
	b.WriteString("set default=0\n")
	fmt.Fprintf(&b, "set timeout=%d\n", c.Timeout)
	for _, e := range c.Entries {
		title := e.Title
		if title == "" {
			title = "Live OS " + e.Linux
		}
		fmt.Fprintf(&b, "\nmenuentry %s {\n", grubcfg.Quote(title))
		line := []string{"linux", grubcfg.Quote(e.Linux)}
		for _, a := range e.Args {
			line = append(line, grubcfg.ArgWord(a))
		}
		fmt.Fprintf(&b, "\t%s\n", strings.Join(line, " "))
		fmt.Fprintf(&b, "\tinitrd %s\n", grubcfg.Quote(e.Initrd))
		b.WriteString("}\n")
	}
	return b.String()
}
