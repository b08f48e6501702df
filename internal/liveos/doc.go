// Package liveos plans a bootable Live OS ISO built from a customized disk
// image: the kernel command line, grub.cfg, the media layout, and the argv
// of every tool that makes the media (mksquashfs, dracut, mkfs.vfat/mtools,
// grub-mkimage, xorriso). Everything here is pure: it computes data and
// runs nothing, so the post-processor's executor stays thin and the plans
// are covered by table and golden tests.
//
// The media follows Azure Linux Image Customizer's layout (/liveos/rootfs.img,
// a plain squashfs booted by dracut's dmsquash-live module with an overlayfs
// upper layer in RAM) with the changes a Debian image needs: /.disk/info for
// Debian's signed CD GRUB, /boot/grub instead of /boot/grub2, and a BIOS El
// Torito entry next to the UEFI one.
package liveos

// Paths on the media, relative to its root.
const (
	PathDiskInfo    = ".disk/info"
	PathEFIBootDir  = "EFI/BOOT"
	PathGrubDir     = "boot/grub"
	PathGrubCfg     = "boot/grub/grub.cfg"
	PathBIOSImg     = "boot/grub/bios.img"
	PathBootCatalog = "boot/boot.cat"
	PathSavedConfig = "imagecustomizer/saved-config.yaml"

	// LiveDir and SquashImg are what rd.live.dir= and rd.live.squashimg=
	// point dmsquash-live at; PathSquashfs is where they meet on the media.
	LiveDir      = "liveos"
	SquashImg    = "rootfs.img"
	PathSquashfs = LiveDir + "/" + SquashImg
)
