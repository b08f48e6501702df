package liveos

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
)

// MediaFile is one file on the media. Its bytes come from Source (a host
// path) or, when Source is "", from Content.
type MediaFile struct {
	// Dest is the path on the media, relative to its root.
	Dest    string
	Source  string
	Content []byte
	// Mode is the file's permission bits as Rock Ridge records them.
	Mode os.FileMode
}

// Layout is everything the executor stages before running xorriso.
type Layout struct {
	// Label is the ISO volume ID.
	Label string
	// Files are copied (Source) or written (Content) into the staging
	// directory at Dest, in this order.
	Files []MediaFile
	// EFIBootImg is the host path of the FAT image that becomes the UEFI
	// El Torito entry and the GPT ESP appended to the ISO; it is not a file
	// in the ISO tree (see XorrisoArgv).
	EFIBootImg string
	// BIOSImg is the media path of the BIOS El Torito image, "" when the
	// media boots UEFI only.
	BIOSImg string
}

// LayoutInput is what PlanLayout places on the media. Host paths name
// files the executor has already produced or extracted from the image.
type LayoutInput struct {
	Label string
	// Kernels carry host paths: the image's vmlinuz and the live initrd
	// dracut built for that version. The first one is the default entry.
	Kernels []Kernel
	// GrubCfg is the text of /boot/grub/grub.cfg (see RenderGrubCfg).
	GrubCfg string
	// EFIBootImg is the FAT El Torito image; BIOSImg the grub-mkimage
	// i386-pc-eltorito core, "" for UEFI-only media.
	EFIBootImg, BIOSImg string
	// Shim, Grub and MokManager are the EFI binaries also found inside
	// efiboot.img; on the media they are EFI/BOOT/{BOOTX64.EFI,grubx64.efi,
	// mmx64.efi} so a USB stick made by copying files (not dd) still boots.
	// Without a shim, Grub is a standalone GRUB and becomes BOOTX64.EFI.
	// MokManager is optional.
	Shim, Grub, MokManager string
	// GrubConfig is where Grub reads its configuration on the media when that is not
	// boot/grub/grub.cfg (GrubBinary.Config); the media gets RedirectGrubCfg there.
	GrubConfig string
	// Squashfs is the root filesystem image (liveos/rootfs.img).
	Squashfs string
	// SavedConfig is the YAML from SavedConfig.Marshal; nil writes none.
	SavedConfig []byte
	// DiskInfo is the text of /.disk/info, which Debian's signed CD GRUB
	// searches for to find the media; "" writes a default naming Label.
	DiskInfo string
	// AdditionalFiles are the user's iso.additionalFiles.
	AdditionalFiles []MediaFile
}

const (
	modeFile os.FileMode = 0o644
)

// PlanLayout places the generated files and the user's additional files on
// the media:
//
//	.disk/info
//	EFI/BOOT/BOOTX64.EFI, grubx64.efi, mmx64.efi
//	boot/grub/grub.cfg, bios.img
//	boot/vmlinuz-<v>, boot/initrd.img-<v>       (one pair per kernel)
//	liveos/rootfs.img
//	imagecustomizer/saved-config.yaml
//	<iso.additionalFiles>
//
// An additional file may not escape the media root, replace a generated
// file or collide with a directory. Names are compared case-insensitively
// because the media is often copied to a FAT USB stick, where BOOTX64.EFI
// and bootx64.efi are the same file.
func PlanLayout(in LayoutInput) (Layout, error) {
	if err := ValidLabel(in.Label); err != nil {
		return Layout{}, err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"grub.cfg", in.GrubCfg}, {"efiboot.img", in.EFIBootImg},
		{"EFI GRUB binary", in.Grub}, {"squashfs root image", in.Squashfs},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(in.Kernels) == 0 {
		missing = append(missing, "kernel")
	}
	if len(missing) > 0 {
		return Layout{}, fmt.Errorf("plan the media layout: missing %s", strings.Join(missing, ", "))
	}

	diskInfo := in.DiskInfo
	if diskInfo == "" {
		diskInfo = "Live OS " + in.Label
	}
	l := Layout{Label: in.Label, EFIBootImg: in.EFIBootImg}
	p := newPlacer()
	add := func(f MediaFile) {
		if f.Mode == 0 {
			f.Mode = modeFile
		}
		p.place(f.Dest)
		l.Files = append(l.Files, f)
	}
	add(MediaFile{Dest: PathDiskInfo, Content: []byte(strings.TrimRight(diskInfo, "\n") + "\n")})
	if in.Shim != "" {
		add(MediaFile{Dest: PathEFIBootDir + "/BOOTX64.EFI", Source: in.Shim})
		add(MediaFile{Dest: PathEFIBootDir + "/grubx64.efi", Source: in.Grub})
	} else {
		add(MediaFile{Dest: PathEFIBootDir + "/BOOTX64.EFI", Source: in.Grub})
	}
	if in.MokManager != "" {
		add(MediaFile{Dest: PathEFIBootDir + "/mmx64.efi", Source: in.MokManager})
	}
	add(MediaFile{Dest: PathGrubCfg, Content: []byte(in.GrubCfg)})
	if in.GrubConfig != "" && in.GrubConfig != PathGrubCfg {
		add(MediaFile{Dest: in.GrubConfig, Content: []byte(RedirectGrubCfg(in.Label))})
	}
	if in.BIOSImg != "" {
		add(MediaFile{Dest: PathBIOSImg, Source: in.BIOSImg})
		l.BIOSImg = PathBIOSImg
	}
	for i, k := range in.Kernels {
		if k.Version == "" || k.Vmlinuz == "" || k.Initrd == "" {
			return Layout{}, fmt.Errorf("plan the media layout: kernel %d (%q) needs a version, a vmlinuz and an initrd", i, k.Version)
		}
		if p.taken(k.ISOVmlinuz()) {
			return Layout{}, fmt.Errorf("plan the media layout: kernel %s is listed twice", k.Version)
		}
		add(MediaFile{Dest: k.ISOVmlinuz(), Source: k.Vmlinuz})
		add(MediaFile{Dest: k.ISOInitrd(), Source: k.Initrd})
	}
	add(MediaFile{Dest: PathSquashfs, Source: in.Squashfs})
	if in.SavedConfig != nil {
		add(MediaFile{Dest: PathSavedConfig, Content: in.SavedConfig})
	}

	for i, f := range in.AdditionalFiles {
		dest, err := p.check(f.Dest)
		if err != nil {
			return Layout{}, fmt.Errorf("check iso.additionalFiles[%d] destination %q: %w", i, f.Dest, err)
		}
		f.Dest = dest
		add(f)
	}
	return l, nil
}

// placer tracks which media paths are files and which are directories.
type placer struct {
	files map[string]string // lower-cased path -> path as placed
	dirs  map[string]string
}

func newPlacer() *placer {
	return &placer{files: map[string]string{}, dirs: map[string]string{}}
}

func (p *placer) taken(dest string) bool {
	_, ok := p.files[strings.ToLower(dest)]
	return ok
}

func (p *placer) place(dest string) {
	p.files[strings.ToLower(dest)] = dest
	for d := path.Dir(dest); d != "."; d = path.Dir(d) {
		p.dirs[strings.ToLower(d)] = d
	}
}

// check cleans a user-supplied destination and reports why it cannot be
// placed. A leading '/' is allowed: destinations are relative to the media
// root either way.
func (p *placer) check(dest string) (string, error) {
	clean := path.Clean("/" + strings.TrimLeft(dest, "/"))[1:]
	switch {
	case strings.TrimSpace(dest) == "" || clean == "":
		return "", errors.New("it names the media root, not a file")
	case hasDotDot(dest):
		return "", errors.New("it leaves the media root ('..')")
	}
	if prev, ok := p.files[strings.ToLower(clean)]; ok {
		return "", fmt.Errorf("%s is already on the media", prev)
	}
	if prev, ok := p.dirs[strings.ToLower(clean)]; ok {
		return "", fmt.Errorf("%s is a directory on the media", prev)
	}
	for d := path.Dir(clean); d != "."; d = path.Dir(d) {
		if prev, ok := p.files[strings.ToLower(d)]; ok {
			return "", fmt.Errorf("%s is a file on the media, not a directory", prev)
		}
	}
	return clean, nil
}

// hasDotDot reports a '..' element anywhere in p. Such a path is refused
// even when it would clean to a path inside the root (a/../b): it is
// almost certainly a mistake, and refusing it keeps the rule simple.
func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

// ValidLabel checks an ISO volume ID used as the media label: 1 to 32
// characters (ISO 9660 §8.4.6) from A-Z a-z 0-9 _ - . so that it survives
// GRUB's search, dracut's root=live:LABEL= and udev's /dev/disk/by-label
// without escaping.
func ValidLabel(label string) error {
	ok := label != "" && len(label) <= 32
	for _, r := range label {
		ok = ok && strings.ContainsRune(labelChars, r)
	}
	if !ok {
		return fmt.Errorf("invalid media label %q: use 1 to 32 characters from A-Z, a-z, 0-9, '_', '-' and '.'", label)
	}
	return nil
}

const labelChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-."
