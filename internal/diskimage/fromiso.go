package diskimage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// GPT partition types of the disk made from an ISO.
const (
	espTypeGUID    = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	rootTypeGUID   = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" // x86-64 root (Discoverable Partitions Spec)
	fromISOESPMiB  = 64
	mib            = int64(1) << 20
	fromISOMinRoot = 1024 * mib
)

// FromLiveISO makes a raw GPT disk image at dst from a Live OS ISO this plugin wrote, so it can
// be customized again: an ESP with the media's EFI binaries and an ext4 root holding the
// squashfs's tree, the kernels (and the live initrds as placeholders) in /boot and an fstab by
// UUID. What belongs to the media rather than the root file system (its saved config and the
// files that were added to it) is kept in liveos.CarryDir, where the ISO post-processor finds
// it. scratch is a work directory on a file system with room for the media.
//
// The media is extracted with xorriso: go-diskfs' ISO reader truncates files over 4 GiB, which
// a squashfs root can be. Every write into the new root goes through OpenInRoot, since the
// squashfs's own symlinks are not to be trusted.
func FromLiveISO(ctx context.Context, r execx.Runner, iso, dst, scratch string, logf func(string, ...any)) (err error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	media := filepath.Join(scratch, "media")
	if err := execx.Run(ctx, r, "xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/", media); err != nil {
		return fmt.Errorf("extract the ISO %s: %w", iso, err)
	}
	if err := execx.Run(ctx, r, "chmod", "-R", "u+rwX", media); err != nil {
		return err
	}
	files, err := regularFiles(media)
	if err != nil {
		return err
	}
	inv, err := liveos.ClassifyMedia(files)
	if err != nil {
		return fmt.Errorf("read %s: %w", iso, err)
	}
	squashfs := filepath.Join(media, liveos.PathSquashfs)
	listing, err := execx.Output(ctx, r, "unsquashfs", "-lln", "-d", "", squashfs)
	if err != nil {
		return fmt.Errorf("list %s: %w", squashfs, err)
	}
	size := FromISODiskSize(SquashfsTreeSize(listing))
	logf("diskimage: rebuilding a %d MiB disk from %s", size/mib, iso)

	if err := makeGPTDisk(ctx, r, dst, size); err != nil {
		return err
	}
	l, err := AttachLoop(ctx, r, dst, false)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, l.Close()) }()
	esp, root := partDevice(l.Device, 1), partDevice(l.Device, 2)
	for _, argv := range [][]string{{"mkfs.vfat", "-n", "ESP", esp}, {"mkfs.ext4", "-q", "-L", "root", root}} {
		if err := execx.Run(ctx, r, argv...); err != nil {
			return err
		}
	}
	if err := fillESP(ctx, r, esp, media, inv.EFIBoot); err != nil {
		return err
	}
	mnt := filepath.Join(scratch, "root")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return err
	}
	if err := unix.Mount(root, mnt, "ext4", 0, ""); err != nil {
		return fmt.Errorf("mount the new root %s: %w", root, err)
	}
	defer func() {
		if uerr := unix.Unmount(mnt, 0); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unmount the new root: %w", uerr))
		}
	}()
	if err := execx.Run(ctx, r, "unsquashfs", "-f", "-no-progress", "-d", mnt, squashfs); err != nil {
		return fmt.Errorf("unpack the ISO's root file system: %w", err)
	}
	espUUID, err := blkidValue(ctx, r, esp, "UUID")
	if err != nil {
		return err
	}
	rootUUID, err := blkidValue(ctx, r, root, "UUID")
	if err != nil {
		return err
	}
	return fillRoot(mnt, media, inv, rootUUID, espUUID)
}

// SquashfsTreeSize adds up the sizes in an `unsquashfs -lln` listing, plus a block per entry.
func SquashfsTreeSize(listing string) int64 {
	var total int64
	sc := bufio.NewScanner(strings.NewReader(listing))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || len(f[0]) != 10 {
			continue
		}
		total += 4096
		if f[0][0] == '-' {
			if n, err := strconv.ParseInt(f[2], 10, 64); err == nil {
				total += n
			}
		}
	}
	return total
}

// FromISODiskSize sizes the rebuilt disk: the ESP, the tree with half again as much room for
// the customizations to come (the original uses 1.5 too), at least 1 GiB of root, in MiB.
func FromISODiskSize(tree int64) int64 {
	root := tree + tree/2
	if root < fromISOMinRoot {
		root = fromISOMinRoot
	}
	total := 2*mib + fromISOESPMiB*mib + root + mib // GPT at both ends
	return (total + mib - 1) / mib * mib
}

func makeGPTDisk(ctx context.Context, r execx.Runner, dst string, size int64) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	script := fmt.Sprintf("label: gpt\nsize=%dMiB, type=%s, name=ESP\ntype=%s, name=root\n", fromISOESPMiB, espTypeGUID, rootTypeGUID)
	if err := r.Run(ctx, execx.Cmd{Argv: []string{"sfdisk", "--quiet", dst}, Stdin: strings.NewReader(script)}); err != nil {
		return fmt.Errorf("partition %s: %w", dst, err)
	}
	return nil
}

// fillESP copies the media's EFI/BOOT binaries to the ESP with mtools.
func fillESP(ctx context.Context, r execx.Runner, esp, media string, efi []string) error {
	env := []string{"MTOOLS_SKIP_CHECK=1"}
	if err := r.Run(ctx, execx.Cmd{Argv: []string{"mmd", "-i", esp, "::/EFI", "::/EFI/BOOT"}, Env: env}); err != nil {
		return err
	}
	for _, f := range efi {
		if err := r.Run(ctx, execx.Cmd{Argv: []string{"mcopy", "-i", esp, filepath.Join(media, f), "::/" + f}, Env: env}); err != nil {
			return fmt.Errorf("copy %s to the ESP: %w", f, err)
		}
	}
	return nil
}

// fillRoot puts what the squashfs lacks into the new root: /boot, /boot/efi, /etc/fstab, and
// the media's own files in liveos.CarryDir.
func fillRoot(root, media string, inv liveos.MediaInventory, rootUUID, espUUID string) error {
	for _, d := range []string{"boot/efi", liveos.CarryMediaDir} {
		if err := rootfs.MkdirAllInRoot(root, d, 0o755); err != nil {
			return err
		}
	}
	copies := map[string]string{liveos.CarrySavedConfig: liveos.PathSavedConfig}
	for _, k := range inv.Kernels {
		copies[k.Vmlinuz] = k.Vmlinuz
		copies[k.Initrd] = k.Initrd // the live initrd stands in until the post-processor builds one
	}
	for _, f := range inv.Carried {
		copies[liveos.CarryMediaDir+"/"+f] = f
	}
	for dst, src := range copies {
		if err := copyIntoRoot(root, dst, filepath.Join(media, src)); err != nil {
			return err
		}
	}
	fstab := fmt.Sprintf("# Rebuilt from a Live OS ISO by packer-plugin-imagecustomizer.\nUUID=%s / ext4 defaults 0 1\nUUID=%s /boot/efi vfat umask=0077 0 2\n", rootUUID, espUUID)
	return writeInRoot(root, "etc/fstab", strings.NewReader(fstab), 0o644)
}

func copyIntoRoot(root, dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := rootfs.MkdirAllInRoot(root, filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return writeInRoot(root, dst, in, fi.Mode().Perm())
}

func writeInRoot(root, path string, r io.Reader, mode os.FileMode) error {
	f, err := rootfs.OpenInRoot(root, path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW)
	if err != nil {
		return fmt.Errorf("create %s in the new root: %w", path, err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Chmod(mode)
	}
	return errors.Join(err, f.Close())
}

// regularFiles lists the regular files below dir, relative to it; symlinks and the like on a
// media are not carried.
func regularFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}

func blkidValue(ctx context.Context, r execx.Runner, dev, key string) (string, error) {
	out, err := execx.Output(ctx, r, "blkid", "-p", "-s", key, "-o", "value", dev)
	if err != nil {
		return "", fmt.Errorf("read the %s of %s: %w", key, dev, err)
	}
	return strings.TrimSpace(out), nil
}
