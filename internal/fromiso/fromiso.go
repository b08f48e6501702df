// Package fromiso rebuilds a disk image from a Live OS ISO this plugin wrote, so the builder
// can customize it again. Every tool's argv is planned in plan.go; this file runs them.
package fromiso

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// FromLiveISO makes a raw GPT disk image at dst from a Live OS ISO this plugin wrote: an ESP
// with the media's EFI binaries and an ext4 root holding the squashfs's tree, the kernels (and
// the live initrds as placeholders) in /boot and an fstab by UUID. What belongs to the media
// rather than the root file system (its saved config and the files that were added to it) is
// kept in liveos.CarryDir, where the ISO post-processor finds it. scratch is a work directory
// on a file system with room for the media. Every write into the new root goes through
// rootfs, since the squashfs's own symlinks are not to be trusted.
func FromLiveISO(ctx context.Context, r execx.Runner, iso, dst, scratch string, logf func(string, ...any)) (err error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	media := filepath.Join(scratch, "media")
	inv, size, err := readMedia(ctx, r, iso, media)
	if err != nil {
		return err
	}
	logf("fromiso: rebuilding a %d MiB disk from %s", size/mib, iso)
	if err := makeGPTDisk(ctx, r, dst, size); err != nil {
		return err
	}
	d := &disk{}
	defer func() { err = errors.Join(err, d.Close()) }()
	if d.loop, err = diskimage.AttachLoop(ctx, r, dst, false); err != nil {
		return err
	}
	esp, root := d.loop.PartitionDevice(partESP), d.loop.PartitionDevice(partRoot)
	for _, argv := range append(MkfsArgv(esp, root), ESPArgv(esp, media, inv.EFIBoot)...) {
		if err := r.Run(ctx, execx.Cmd{Argv: argv, Env: mtoolsEnv}); err != nil {
			return fmt.Errorf("prepare the disk rebuilt from %s: %w", iso, err)
		}
	}
	if d.tree, err = diskimage.MountFS(root, "ext4", filepath.Join(scratch, "root"), diskimage.Options{Logf: logf}); err != nil {
		return fmt.Errorf("mount the new root: %w", err)
	}
	if err := execx.Run(ctx, r, UnsquashArgv(filepath.Join(media, liveos.PathSquashfs), d.tree.Root)...); err != nil {
		return fmt.Errorf("unpack the ISO's root file system: %w", err)
	}
	espUUID, err := uuid(ctx, r, esp)
	if err != nil {
		return err
	}
	rootUUID, err := uuid(ctx, r, root)
	if err != nil {
		return err
	}
	return fillRoot(d.tree.Root, media, inv, rootUUID, espUUID)
}

// disk owns the rebuilt disk's loop device and the mount of its root; Close releases them
// newest first and is safe to call twice.
type disk struct {
	loop *diskimage.Loop
	tree *diskimage.Tree
}

func (d *disk) Close() error {
	var errs []error
	if d.tree != nil {
		if err := d.tree.Close(); err != nil {
			errs = append(errs, fmt.Errorf("unmount the new root: %w", err))
		} else {
			d.tree = nil
		}
	}
	if d.loop != nil && len(errs) == 0 {
		if err := d.loop.Close(); err != nil {
			errs = append(errs, err)
		} else {
			d.loop = nil
		}
	}
	return errors.Join(errs...)
}

// readMedia extracts the ISO into media, checks that this plugin made it and sizes the disk.
func readMedia(ctx context.Context, r execx.Runner, iso, media string) (liveos.MediaInventory, int64, error) {
	for _, argv := range [][]string{ExtractArgv(iso, media), WritableArgv(media)} {
		if err := execx.Run(ctx, r, argv...); err != nil {
			return liveos.MediaInventory{}, 0, fmt.Errorf("extract the ISO %s: %w", iso, err)
		}
	}
	files, err := regularFiles(media)
	if err != nil {
		return liveos.MediaInventory{}, 0, err
	}
	inv, err := liveos.ClassifyMedia(files)
	if err != nil {
		return liveos.MediaInventory{}, 0, fmt.Errorf("read %s: %w", iso, err)
	}
	squashfs := filepath.Join(media, liveos.PathSquashfs)
	listing, err := execx.Output(ctx, r, ListSquashfsArgv(squashfs)...)
	if err != nil {
		return liveos.MediaInventory{}, 0, fmt.Errorf("list %s: %w", squashfs, err)
	}
	return inv, DiskSize(SquashfsTreeSize(listing)), nil
}

func makeGPTDisk(ctx context.Context, r execx.Runner, dst string, size int64) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := errors.Join(f.Truncate(size), f.Close()); err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if err := r.Run(ctx, execx.Cmd{Argv: PartitionArgv(dst), Stdin: strings.NewReader(PartitionScript())}); err != nil {
		return fmt.Errorf("partition %s: %w", dst, err)
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
	return rootfs.WriteFile(root, "etc/fstab", strings.NewReader(Fstab(rootUUID, espUUID)), 0o644)
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
	return rootfs.WriteFile(root, dst, in, fi.Mode().Perm())
}

// regularFiles lists the regular files below dir, relative to it; symlinks and the like on a
// media are not carried.
func regularFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	return out, err
}

func uuid(ctx context.Context, r execx.Runner, dev string) (string, error) {
	out, err := execx.Output(ctx, r, UUIDArgv(dev)...)
	if err != nil {
		return "", fmt.Errorf("read the UUID of %s: %w", dev, err)
	}
	return strings.TrimSpace(out), nil
}
