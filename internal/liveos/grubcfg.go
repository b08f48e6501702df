package liveos

import (
	"fmt"
	"strings"
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
	fmt.Fprintf(&b, "search --no-floppy --set=root --label %s\n", GrubQuote(c.Label))
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
		fmt.Fprintf(&b, "\nmenuentry %s {\n", GrubQuote(title))
		line := []string{"linux", GrubQuote(e.Linux)}
		for _, a := range e.Args {
			line = append(line, GrubQuote(kernelArgToGrubWord(a)))
		}
		fmt.Fprintf(&b, "\t%s\n", strings.Join(line, " "))
		fmt.Fprintf(&b, "\tinitrd %s\n", GrubQuote(e.Initrd))
		b.WriteString("}\n")
	}
	return b.String()
}

// kernelArgToGrubWord removes the kernel's double quotes from an argument
// (foo="a b" becomes foo=a b). GRUB adds quotes back around an argument
// with blanks when it builds the kernel command line, but it escapes any
// quote already there with a backslash, which the kernel does not
// understand (grub-core/lib/cmdline.c).
func kernelArgToGrubWord(arg string) string {
	return strings.ReplaceAll(arg, `"`, "")
}

// GrubQuote makes s one literal GRUB word. Words made only of safe
// characters stay bare so the config reads naturally; anything else goes
// in single quotes, where GRUB expands nothing: ';' would end the command
// (ds=nocloud;s=...), '$' would expand a variable, blanks split words.
func GrubQuote(s string) string {
	if s != "" && strings.Trim(s, safeGrubChars) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

const safeGrubChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/=+@%"
