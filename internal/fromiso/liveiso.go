package fromiso

import (
	"fmt"
	"os"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/iso9660"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// IsLiveISO reports whether the ISO at p holds a Live OS root (/liveos/rootfs.img), as the
// ISOs this plugin writes do, so FromLiveISO can turn it back into a disk image; why says
// what is missing otherwise. Only the ISO 9660 directory records are read.
func IsLiveISO(p string) (ok bool, why string) {
	f, err := os.Open(p)
	if err != nil {
		return false, err.Error()
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err.Error()
	}
	fs, err := iso9660.Read(file.New(f, true), fi.Size(), 0, 0)
	if err != nil {
		return false, fmt.Sprintf("unreadable ISO 9660 file system: %v", err)
	}
	// go-diskfs takes io/fs-style paths, relative to the root.
	if _, err := fs.Stat(liveos.PathSquashfs); err != nil {
		return false, "no /" + liveos.PathSquashfs
	}
	return true, ""
}
