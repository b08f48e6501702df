package liveos

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/grubcfg"
)

// Compressions mksquashfs may use for the root image. All four are built
// into the kernels this plugin targets (CONFIG_SQUASHFS_{ZLIB,XZ,ZSTD,LZ4}).
var Compressions = []string{"gzip", "zstd", "xz", "lz4"}

// DefaultCompression matches the original tool, which leaves mksquashfs at
// its default.
const DefaultCompression = "gzip"

// ValidCompression accepts "" (meaning DefaultCompression) and the names in
// Compressions.
func ValidCompression(s string) error {
	if s == "" {
		return nil
	}
	for _, c := range Compressions {
		if s == c {
			return nil
		}
	}
	return fmt.Errorf("invalid squashfs compression %q: use one of %s", s, strings.Join(Compressions, ", "))
}

// DefaultSquashExcludes keeps out of the root image what belongs to the
// disk or to the running build:
//   - boot: kernels and initrds go on the media, not in the root, and the
//     disk's initrd would only waste space;
//   - etc/fstab: its root and ESP UUIDs do not exist on the media; systemd
//     waits for them and drops into emergency mode;
//   - the contents of proc, sys, dev, run and tmp, but not the directories:
//     dracut 059 treats a squashfs with /proc as the root itself and
//     systemd needs the mount points. Two patterns per directory because
//     mksquashfs' '*' does not match names starting with '.'.
func DefaultSquashExcludes() []string {
	ex := []string{"boot", "etc/fstab"}
	for _, d := range []string{"proc", "sys", "dev", "run", "tmp"} {
		ex = append(ex, d+"/*", d+"/.*")
	}
	return ex
}

// MksquashfsArgv builds the root image from the tree at src (squashfs-tools
// >= 4.5). Excludes are wildcard patterns relative to src (see
// DefaultSquashExcludes); processors <= 0 lets mksquashfs use every CPU.
// -xattrs keeps file capabilities and SELinux labels; -noappend replaces a
// stale image instead of appending to it. The progress bar stays on: the
// post-processor shows its percentage.
func MksquashfsArgv(src, dst, compression string, excludes []string, processors int) []string {
	if compression == "" {
		compression = DefaultCompression
	}
	argv := []string{"mksquashfs", src, dst, "-noappend", "-xattrs", "-comp", compression}
	if processors > 0 {
		argv = append(argv, "-processors", strconv.Itoa(processors))
	}
	if len(excludes) > 0 {
		// -e takes every remaining argument, so it comes last.
		argv = append(argv, "-wildcards", "-e")
		argv = append(argv, excludes...)
	}
	return argv
}

// XorrisoOptions describe the ISO to write.
type XorrisoOptions struct {
	// ISO is the output file; Label the volume ID; Staging the tree.
	ISO, Label, Staging string
	// EFIBootImg is the host path of the FAT El Torito image.
	EFIBootImg string
	// BIOSImg is the BIOS El Torito image as a path inside Staging
	// (PathBIOSImg), "" for UEFI-only media.
	BIOSImg string
	// HybridMBR is GRUB's boot_hybrid.img (grub-pc-bin), the MBR boot code
	// that lets BIOS boot the ISO written to a USB stick. Needed with BIOSImg.
	HybridMBR string
}

// XorrisoOptions returns the xorriso options for l.
func (l Layout) XorrisoOptions(iso, staging, hybridMBR string) XorrisoOptions {
	o := XorrisoOptions{ISO: iso, Label: l.Label, Staging: staging, EFIBootImg: l.EFIBootImg, BIOSImg: l.BIOSImg}
	if l.BIOSImg != "" {
		o.HybridMBR = hybridMBR
	}
	return o
}

// XorrisoArgv writes the media as a hybrid ISO that boots as a BIOS CD, a
// UEFI CD and a USB stick on both firmwares; of the layouts boot-tested under
// OVMF and SeaBIOS, it is the only one that booted in all four cases.
//   - -iso-level 3 allows files over 4 GiB (multi-extent), which a big
//     rootfs.img needs; Rock Ridge keeps modes, Joliet long names.
//   - BIOS: GRUB's eltorito core in no-emulation mode with a boot info
//     table (El Torito §2.4), plus GRUB's hybrid MBR for USB.
//   - UEFI: efiboot.img is appended as GPT partition 2 (type EF, the ESP a
//     USB-booting firmware looks for) and the UEFI El Torito entry points
//     at that same partition, so the image is stored once.
//     -partition_offset 16 makes partition 1 a mountable ISO 9660.
func XorrisoArgv(o XorrisoOptions) []string {
	argv := []string{
		"xorriso", "-as", "mkisofs",
		"-o", o.ISO,
		"-V", o.Label,
		"-iso-level", "3",
		"-full-iso9660-filenames",
		"-J", "-joliet-long",
		"-R",
		"-partition_offset", "16",
	}
	if o.BIOSImg != "" {
		argv = append(argv,
			"-b", o.BIOSImg, "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
			"--grub2-boot-info", "--grub2-mbr", o.HybridMBR,
			"-eltorito-alt-boot")
	}
	argv = append(argv,
		"-append_partition", "2", "0xef", o.EFIBootImg,
		"-appended_part_as_gpt",
		"-e", "--interval:appended_partition_2:all::", "-no-emul-boot",
		"-c", PathBootCatalog,
		o.Staging)
	return argv
}

// EFIBootImgSizeKiB sizes the FAT El Torito image for files of the given
// sizes: each rounded up to a 4 KiB cluster, plus a tenth and 1 MiB for the
// FATs, directories and the reserved sectors, rounded up to whole MiB
// (which keeps the sector count a multiple of mtools' 32 sectors per
// track) and at least 2 MiB. mkfs.vfat then picks FAT12 or FAT16, which
// OVMF reads; a FAT32 this small has fewer clusters than the FAT32 minimum
// and OVMF does not boot from it.
func EFIBootImgSizeKiB(fileSizes []int64) int {
	var total int64
	for _, s := range fileSizes {
		total += (s + 4095) / 4096 * 4
	}
	total += total/10 + 1024
	mib := (total + 1023) / 1024
	if mib < 2 {
		mib = 2
	}
	return int(mib * 1024)
}

// EFIBootImgArgv makes the FAT El Torito image img of sizeKiB and copies
// files into it (Dest is the path inside the image, e.g.
// EFI/BOOT/BOOTX64.EFI; Source the host file), with mtools so that no vfat
// mount is needed. img must not exist: mkfs.vfat -C creates it.
func EFIBootImgArgv(img string, sizeKiB int, files []MediaFile) [][]string {
	cmds := [][]string{{"mkfs.vfat", "-C", img, strconv.Itoa(sizeKiB)}}
	mmd := []string{"mmd", "-i", img}
	made := map[string]bool{}
	for _, f := range files {
		parts := strings.Split(strings.Trim(f.Dest, "/"), "/")
		for i := 1; i < len(parts); i++ {
			d := "::/" + strings.Join(parts[:i], "/")
			if !made[d] {
				made[d] = true
				mmd = append(mmd, d)
			}
		}
	}
	if len(mmd) > 3 {
		cmds = append(cmds, mmd)
	}
	for _, f := range files {
		cmds = append(cmds, []string{"mcopy", "-i", img, f.Source, "::/" + strings.Trim(f.Dest, "/")})
	}
	return cmds
}

// EFIBootFiles lists what goes into efiboot.img for a layout input: the
// removable-media path of UEFI (UEFI 2.10 §3.5.1.1) holds the shim as
// BOOTX64.EFI with GRUB and MokManager next to it, or a standalone GRUB
// as BOOTX64.EFI.
func EFIBootFiles(shim, grub, mokManager string) []MediaFile {
	if shim == "" {
		return []MediaFile{{Dest: PathEFIBootDir + "/BOOTX64.EFI", Source: grub}}
	}
	files := []MediaFile{
		{Dest: PathEFIBootDir + "/BOOTX64.EFI", Source: shim},
		{Dest: PathEFIBootDir + "/grubx64.efi", Source: grub},
	}
	if mokManager != "" {
		files = append(files, MediaFile{Dest: PathEFIBootDir + "/mmx64.efi", Source: mokManager})
	}
	return files
}

// DefaultBIOSModules are built into the BIOS El Torito core: the media is
// ISO 9660 read through BIOS disk calls, and grub.cfg needs search by
// label, serial, the linux loader and the normal-mode menu. grub-mkimage
// adds their dependencies.
func DefaultBIOSModules() []string {
	return []string{"biosdisk", "iso9660", "normal", "configfile", "search", "search_label",
		"linux", "serial", "terminal", "echo", "test", "sleep"}
}

// GrubBIOSImageArgv makes the BIOS El Torito core from the host's
// grub-pc-bin modules (modDir, usually /usr/lib/grub/i386-pc). Its prefix
// /boot/grub on the boot CD makes it read the media's grub.cfg.
func GrubBIOSImageArgv(modDir, out string, modules []string) []string {
	argv := []string{"grub-mkimage", "-O", "i386-pc-eltorito", "-d", modDir, "-p", "/boot/grub", "-o", out}
	return append(argv, modules...)
}

// standaloneModules are the only modules put in a standalone GRUB's
// memdisk, which keeps the binary near 1.2 MB.
var standaloneModules = []string{"normal", "configfile", "linux", "iso9660", "part_gpt", "part_msdos", "fat",
	"search", "search_label", "search_fs_file", "search_fs_uuid", "serial", "terminal", "echo", "test", "sleep",
	"efi_gop", "efi_uga", "all_video", "gzio"}

// GrubStandaloneEFIArgv makes an unsigned EFI GRUB from the host's
// grub-efi-amd64-bin modules (modDir, usually /usr/lib/grub/x86_64-efi),
// used when the image has no GRUB that finds the media by itself. Its
// memdisk holds earlyCfg (see StandaloneEarlyConfig) as boot/grub/grub.cfg,
// which GRUB runs first. It does not boot under Secure Boot. Booted here
// (OVMF, CD and USB) it reaches grub.cfg in about 7 s under TCG, after
// printing one harmless "file .../<fs>.mod not found" per file system it
// does not carry: search tries every file system GRUB knows on each device.
func GrubStandaloneEFIArgv(modDir, out, earlyCfg string) []string {
	return []string{"grub-mkstandalone", "-O", "x86_64-efi", "-d", modDir, "-o", out,
		"--install-modules=" + strings.Join(standaloneModules, " "),
		"--locales=", "--fonts=", "--themes=",
		"boot/grub/grub.cfg=" + earlyCfg}
}

// StandaloneEarlyConfig is the memdisk config of a standalone GRUB: find
// the media by label and run its grub.cfg. It must not set $prefix: the
// modules live in (memdisk)/boot/grub, and pointing $prefix at the media
// breaks every module load.
func StandaloneEarlyConfig(label string) string { return RedirectGrubCfg(label) }

// RedirectGrubCfg finds the media by label and runs its grub.cfg. It is what a signed GRUB
// whose built-in prefix points elsewhere on the media (GrubBinary.Config) reads there.
func RedirectGrubCfg(label string) string {
	return fmt.Sprintf("search --no-floppy --set=root --label %s\nconfigfile ($root)/%s\n", grubcfg.Quote(label), PathGrubCfg)
}

// DefaultDracutModules are the dracut modules the live initrd adds to the
// image's defaults. dmsquash-live finds the media, mounts the squashfs and
// sets up the overlay. The original also adds livenet (PXE) and selinux,
// which Debian images often cannot install.
func DefaultDracutModules() []string { return []string{"dmsquash-live"} }

// DefaultLiveDrivers are the kernel modules the live initrd needs to find
// and mount the media on common firmware and hypervisors: CD and USB
// storage, the file systems, loop and overlay, and the virtual disk
// controllers. Filter them with FilterDrivers first: dracut fails on a
// module the kernel does not have.
func DefaultLiveDrivers() []string {
	return []string{
		"sr_mod", "cdrom", "isofs", "squashfs", "overlay", "loop", "dm_mod",
		"sd_mod", "usb_storage", "uas", "xhci_pci", "ehci_pci",
		"ata_piix", "ahci", "virtio_scsi", "virtio_blk", "virtio_pci", "hv_storvsc",
	}
}

// DracutConf is the dracut.conf.d drop-in that makes the live initrd. It
// must be generic (hostonly="no"): dracut runs in a chroot, where host-only
// mode would probe the build machine instead of the target.
func DracutConf(modules, drivers []string) string {
	var b strings.Builder
	b.WriteString("# Live OS initrd, written by packer-plugin-imagecustomizer for the build only.\n")
	b.WriteString("hostonly=\"no\"\n")
	b.WriteString("hostonly_cmdline=\"no\"\n")
	if len(modules) > 0 {
		fmt.Fprintf(&b, "add_dracutmodules+=\" %s \"\n", strings.Join(modules, " "))
	}
	if len(drivers) > 0 {
		fmt.Fprintf(&b, "add_drivers+=\" %s \"\n", strings.Join(drivers, " "))
	}
	return b.String()
}

// DracutConfPath is where the executor puts DracutConf inside the image.
const DracutConfPath = "etc/dracut.conf.d/90-imagecustomizer-liveos.conf"

// DracutArgv builds the live initrd for kernel kver at out (a path inside
// the chroot). --force overwrites a previous attempt; the conf drop-in
// carries the drivers.
func DracutArgv(kver, out string) []string {
	return []string{"dracut", "--force", "--no-hostonly", "--kver", kver, "--add", "dmsquash-live", out}
}

// FilterDrivers keeps the wanted modules the kernel has, loadable (listed
// in modules.dep) or built in (modules.builtin), in the wanted order.
// '-' and '_' are the same in module names, as for modprobe.
func FilterDrivers(wanted []string, modulesDep, modulesBuiltin string) []string {
	have := map[string]bool{}
	collect := func(list string, field func(string) string) {
		for _, line := range strings.Split(list, "\n") {
			if p := field(line); p != "" {
				have[moduleName(p)] = true
			}
		}
	}
	collect(modulesDep, func(l string) string { p, _, _ := strings.Cut(l, ":"); return strings.TrimSpace(p) })
	collect(modulesBuiltin, strings.TrimSpace)
	var out []string
	kept := map[string]bool{}
	for _, w := range wanted {
		n := moduleName(w)
		if have[n] && !kept[n] {
			kept[n] = true
			out = append(out, w)
		}
	}
	return out
}

// moduleName turns kernel/fs/isofs/isofs.ko.xz or dm-mod into dm_mod.
func moduleName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if i := strings.Index(p, ".ko"); i >= 0 {
		p = p[:i]
	}
	return strings.ReplaceAll(p, "-", "_")
}
