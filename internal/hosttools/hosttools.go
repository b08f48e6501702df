// Package hosttools is the one list of the host programs the plugin runs: which Debian
// package provides each, and which component runs it. Every component checks its tools with
// Check in its first step; a test keeps the list in step with the argv the code builds.
package hosttools

import (
	"fmt"
	"slices"
	"strings"
)

// Component is a part of the plugin that runs host tools.
type Component string

// Components.
const (
	Builder       Component = "builder"        // source "imagecustomizer" (with the rebuild of a disk from a Live OS ISO)
	PostProcessor Component = "post-processor" // post-processor "imagecustomizer-iso" (rebuilds a disk from a Live OS ISO too)
	Tests         Component = "tests"          // the reference images and the QEMU boot tests
	BootTest      Component = "boot-test"      // post-processor "imagecustomizer-iso" with a boot_test block
)

// Tool is one host program.
type Tool struct {
	Name    string
	Package string // the Debian package that provides it
	Used    []Component
}

var (
	both    = []Component{Builder, PostProcessor}
	builder = []Component{Builder}
	post    = []Component{PostProcessor}
	tests   = []Component{Tests}
)

// Tools lists every host program the plugin's code runs. Tools run inside the image's chroot
// (dracut, useradd, ...) are the image's, not the host's, and are not listed.
var Tools = []Tool{
	{"blkid", "util-linux", both},       // partition file systems and UUIDs
	{"chmod", "coreutils", both},        // the extracted ISO is read-only
	{"chroot", "coreutils", both},       // provisioners (builder), dracut (post-processor)
	{"cp", "coreutils", both},           // raw working copies
	{"fsck.fat", "dosfstools", builder}, // check a FAT file system after writing it back
	{"grub-mkimage", "grub-common", post},
	{"grub-mkstandalone", "grub-common", post},
	{"losetup", "mount", both},
	{"mcopy", "mtools", both},
	{"mdel", "mtools", builder},
	{"mdeltree", "mtools", builder},
	{"mdir", "mtools", both},
	{"mkfs.ext4", "e2fsprogs", both},
	{"mkfs.vfat", "dosfstools", both},
	{"mksquashfs", "squashfs-tools", post},
	{"mmd", "mtools", both},
	{"partx", "util-linux", both},
	{"qemu-img", "qemu-utils", both},
	{"sfdisk", "fdisk", both},
	{"unsquashfs", "squashfs-tools", both},
	{"xorriso", "xorriso", []Component{Builder, PostProcessor, BootTest}}, // BootTest: reads the ISO's grub.cfg

	{"debootstrap", "debootstrap", tests},
	{"e2fsck", "e2fsprogs", tests},
	{"mount", "mount", tests},
	{"mrd", "mtools", tests},
	{"qemu-system-x86_64", "qemu-system-x86", []Component{Tests, BootTest}},
	{"sgdisk", "gdisk", tests},
	{"umount", "mount", tests},
}

// Package returns the Debian package that provides tool, "" when it is not listed.
func Package(tool string) string {
	for _, t := range Tools {
		if t.Name == tool {
			return t.Package
		}
	}
	return ""
}

// Hint says that tool is missing and, when known, which package provides it.
func Hint(tool string) string {
	if p := Package(tool); p != "" {
		return fmt.Sprintf("%s is not installed; it is in the Debian package %s", tool, p)
	}
	return tool + " is not installed"
}

// For returns the names of the tools component runs, sorted.
func For(c Component) []string {
	var out []string
	for _, t := range Tools {
		if slices.Contains(t.Used, c) {
			out = append(out, t.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Check looks up every tool component runs with lookPath (exec.LookPath) and reports all
// missing ones in one error, each with its package.
func Check(c Component, lookPath func(string) (string, error)) error {
	var missing []string
	for _, t := range For(c) {
		if _, err := lookPath(t); err != nil {
			missing = append(missing, Hint(t))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("check host tools: %s", strings.Join(missing, "; "))
	}
	return nil
}
