package fromiso

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// GPT partition types and sizes of the disk made from an ISO.
const (
	espTypeGUID  = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	rootTypeGUID = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" // x86-64 root (Discoverable Partitions Spec)
	espMiB       = 64
	mib          = int64(1) << 20
	minRoot      = 1024 * mib
)

// mtoolsEnv lets mtools work on a partition device without a drive letter check.
var mtoolsEnv = []string{"MTOOLS_SKIP_CHECK=1"}

// Partition numbers of the rebuilt disk.
const (
	partESP  = 1
	partRoot = 2
)

// ExtractArgv unpacks the whole ISO into dir. xorriso is used because go-diskfs' ISO reader
// truncates files over 4 GiB, which a squashfs root can be.
func ExtractArgv(iso, dir string) []string {
	return []string{"xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/", dir}
}

// WritableArgv makes the extracted media writable (ISO 9660 files are read-only).
func WritableArgv(dir string) []string { return []string{"chmod", "-R", "u+rwX", dir} }

// ListSquashfsArgv lists the squashfs with sizes (SquashfsTreeSize reads the listing).
func ListSquashfsArgv(squashfs string) []string {
	return []string{"unsquashfs", "-lln", "-d", "", squashfs}
}

// PartitionArgv and PartitionScript make the GPT: an ESP, then a root partition filling the disk.
func PartitionArgv(disk string) []string { return []string{"sfdisk", "--quiet", disk} }

// PartitionScript is sfdisk's input for PartitionArgv.
func PartitionScript() string {
	return fmt.Sprintf("label: gpt\nsize=%dMiB, type=%s, name=ESP\ntype=%s, name=root\n", espMiB, espTypeGUID, rootTypeGUID)
}

// MkfsArgv formats the ESP and the root partition.
func MkfsArgv(esp, root string) [][]string {
	return [][]string{{"mkfs.vfat", "-n", "ESP", esp}, {"mkfs.ext4", "-q", "-L", "root", root}}
}

// ESPArgv copies the media's EFI/BOOT binaries (media paths) to the ESP with mtools.
func ESPArgv(esp, media string, efi []string) [][]string {
	cmds := [][]string{{"mmd", "-i", esp, "::/EFI", "::/EFI/BOOT"}}
	for _, f := range efi {
		cmds = append(cmds, []string{"mcopy", "-i", esp, filepath.Join(media, f), "::/" + f})
	}
	return cmds
}

// UnsquashArgv unpacks the squashfs into the mounted root.
func UnsquashArgv(squashfs, root string) []string {
	return []string{"unsquashfs", "-f", "-no-progress", "-d", root, squashfs}
}

// UUIDArgv reads the file system UUID of dev, probing the device rather than blkid's cache.
func UUIDArgv(dev string) []string { return []string{"blkid", "-p", "-s", "UUID", "-o", "value", dev} }

// Fstab mounts the rebuilt root and ESP by UUID.
func Fstab(rootUUID, espUUID string) string {
	return fmt.Sprintf("# Rebuilt from a Live OS ISO by packer-plugin-imagecustomizer.\nUUID=%s / ext4 defaults 0 1\nUUID=%s /boot/efi vfat umask=0077 0 2\n", rootUUID, espUUID)
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

// DiskSize sizes the rebuilt disk: the ESP, the tree with half again as much room for the
// customizations to come (the original uses 1.5 too), at least 1 GiB of root, in MiB.
func DiskSize(tree int64) int64 {
	root := tree + tree/2
	if root < minRoot {
		root = minRoot
	}
	total := 2*mib + espMiB*mib + root + mib // GPT at both ends
	return (total + mib - 1) / mib * mib
}
