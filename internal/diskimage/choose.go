package diskimage

import (
	"fmt"
	"strings"
)

// ArtifactFile is one file of a Packer artifact, judged by its content.
type ArtifactFile struct {
	Path string
	// Format is the file's disk image format; "" when it is not a disk image the plugin
	// can convert.
	Format Format
	// What says what the file is, for messages: "qcow2 disk image", "UEFI variable store
	// (firmware volume), not a disk image", ...
	What string
}

// IsDiskImage reports whether f can be the input of a conversion.
func (f ArtifactFile) IsDiskImage() bool { return f.Format != "" }

// ChooseDiskImage returns the only disk image among an artifact's files. Other builders'
// artifacts carry side files next to the disk (a qemu builder's efivars.fd, logs, checksum
// files); they are ignored. No disk image, or more than one, is an error that lists every
// file and what it is, so the user can see what the artifact held.
func ChooseDiskImage(files []ArtifactFile) (ArtifactFile, error) {
	var disks []ArtifactFile
	for _, f := range files {
		if f.IsDiskImage() {
			disks = append(disks, f)
		}
	}
	switch {
	case len(disks) == 1:
		return disks[0], nil
	case len(files) == 0:
		return ArtifactFile{}, fmt.Errorf("the input artifact has no files; want one disk image " +
			"(raw, qcow2, vhd, vhdx or a Live OS ISO)")
	case len(disks) == 0:
		return ArtifactFile{}, fmt.Errorf("the input artifact has no disk image (raw, qcow2, vhd, vhdx or a Live OS ISO) "+
			"among its %d file(s):%s", len(files), listFiles(files))
	}
	return ArtifactFile{}, fmt.Errorf("the input artifact has %d disk images; want exactly one "+
		"(list only one, e.g. with the artifice post-processor's files):%s", len(disks), listFiles(files))
}

func listFiles(files []ArtifactFile) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.What)
	}
	return b.String()
}
