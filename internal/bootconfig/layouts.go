// Package bootconfig knows where Linux images keep their kernel command line and plans the
// edits that add kernel arguments to it, for every layout GRUB-booted and BLS images use:
//
//   - /etc/default/grub (and its grub.d drop-ins) with a grub.cfg written by grub-mkconfig
//     or grub2-mkconfig: the assignment is edited and grub.cfg rebuilt by the image's tool
//     (Debian, Ubuntu, Azure Linux 3, Fedora);
//   - a grub.cfg written by hand or by an image builder, without /etc/default/grub: the
//     arguments go on every linux, linuxefi and linux16 line (Azure Linux 2, appliances);
//   - Boot Loader Specification entries: the arguments go on every options line (Fedora's
//     GRUB blscfg, systemd-boot);
//   - /etc/kernel/cmdline, which kernel-install(8) uses for kernels installed later.
//
// The package is pure: Read gathers the files through a Reader, PlanKernelArgs computes
// the new contents, and the caller writes them and runs the planned commands.
package bootconfig

import (
	"fmt"
	"path"
	"strings"
)

// Where the layouts keep their files, as absolute paths and globs inside the image.
var (
	// DefaultGrub is grub-mkconfig's settings file; DefaultGrubDropIns are sourced after it
	// in the shell's glob order (Debian and Ubuntu cloud images put GRUB_CMDLINE_LINUX there).
	DefaultGrub        = "/etc/default/grub"
	DefaultGrubDropIns = "/etc/default/grub.d/*.cfg"
	// GrubCfgs are where GRUB's main config lives: /boot/grub on Debian and Ubuntu,
	// /boot/grub2 on Fedora, RHEL and Azure Linux, and the ESP's EFI/<vendor>/grub.cfg, which
	// is a stub that loads one of those on current distributions and the real config on
	// older Fedora and RHEL EFI installs.
	GrubCfgs = []string{"/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/boot/efi/EFI/*/grub.cfg"}
	// KernelCmdline is kernel-install(8)'s command line for new kernels and UKIs.
	KernelCmdline = "/etc/kernel/cmdline"
	// BLSEntries are Boot Loader Specification entry files: in /boot (Fedora, GRUB's blscfg)
	// or on the ESP or XBOOTLDR partition (systemd-boot).
	BLSEntries = []string{"/boot/loader/entries/*.conf", "/boot/efi/loader/entries/*.conf", "/efi/loader/entries/*.conf"}
)

// Reader reads files of an image. Paths are absolute inside the image.
type Reader interface {
	// ReadFile returns the content of the regular file at p; ok is false when p does not
	// exist or is not a regular file. A symbolic link is not followed (ok is false): an edit
	// written through it would replace the link, and its target is read on its own when it
	// is one of the known paths.
	ReadFile(p string) (content string, ok bool, err error)
	// Glob returns the paths matching pattern, sorted as the shell sorts them.
	Glob(pattern string) ([]string, error)
}

// File is one file read from the image.
type File struct {
	Path, Content string
}

// Snapshot is what the image holds of the known layouts.
type Snapshot struct {
	DefaultGrub   *File  // nil when the image has no /etc/default/grub
	DropIns       []File // /etc/default/grub.d/*.cfg in the order grub-mkconfig sources them
	GrubCfgs      []File
	KernelCmdline *File
	BLSEntries    []File
}

// Read gathers the known layouts' files from an image.
func Read(r Reader) (Snapshot, error) {
	var s Snapshot
	var err error
	if s.DefaultGrub, err = readOne(r, DefaultGrub); err != nil {
		return s, err
	}
	if s.KernelCmdline, err = readOne(r, KernelCmdline); err != nil {
		return s, err
	}
	if s.DropIns, err = readGlobs(r, DefaultGrubDropIns); err != nil {
		return s, err
	}
	if s.GrubCfgs, err = readGlobs(r, GrubCfgs...); err != nil {
		return s, err
	}
	s.BLSEntries, err = readGlobs(r, BLSEntries...)
	return s, err
}

func readOne(r Reader, p string) (*File, error) {
	content, ok, err := r.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !ok {
		return nil, nil
	}
	return &File{Path: p, Content: content}, nil
}

// readGlobs reads every regular file the patterns match; a literal pattern is its own match.
func readGlobs(r Reader, patterns ...string) ([]File, error) {
	var out []File
	for _, pat := range patterns {
		paths := []string{pat}
		if strings.ContainsAny(pat, "*?[") {
			var err error
			if paths, err = r.Glob(pat); err != nil {
				return nil, fmt.Errorf("list %s: %w", pat, err)
			}
		}
		for _, p := range paths {
			f, err := readOne(r, path.Clean(p))
			if err != nil {
				return nil, err
			}
			if f != nil {
				out = append(out, *f)
			}
		}
	}
	return out, nil
}

// lookedFor names every place the planner looks, for the error when it finds none.
func lookedFor() string {
	return fmt.Sprintf("%s with a grub.cfg written by grub-mkconfig; a grub.cfg with linux commands (%s); %s; "+
		"Boot Loader Specification entries (%s)",
		DefaultGrub, strings.Join(GrubCfgs, ", "), KernelCmdline, strings.Join(BLSEntries, ", "))
}
