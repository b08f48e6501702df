package diskimage

import (
	"errors"
	"io"
	"os"
)

// LiveISOCheck reports whether the ISO at a path is a Live OS ISO the plugin can turn back
// into a disk image; why says what it lacks otherwise. The disk image layer does not know
// the Live OS media, so the caller supplies it.
type LiveISOCheck func(path string) (ok bool, why string)

// InspectArtifactFile says what the file at p is, from its content only (never its name).
// It only reads. A file it cannot read is reported as such, not as an error, so that
// ChooseDiskImage can list it with the others. An ISO counts as a disk image only when
// liveISO accepts it.
func InspectArtifactFile(p string, liveISO LiveISOCheck) ArtifactFile {
	af := ArtifactFile{Path: p}
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		af.What = "unreadable: " + err.Error()
		return af
	case fi.IsDir():
		af.What = "a directory, not a disk image"
		return af
	case !fi.Mode().IsRegular():
		af.What = "not a regular file"
		return af
	}
	head, tail, err := readHeadTail(p, fi.Size())
	if err != nil {
		af.What = "unreadable: " + err.Error()
		return af
	}
	af.Format, af.What = classify(head, tail)
	if af.Format == FormatISO {
		if ok, why := liveISO(p); !ok {
			af.Format, af.What = "", "ISO 9660 image that is not a Live OS ISO ("+why+")"
		}
	}
	return af
}

func readHeadTail(p string, size int64) (head, tail []byte, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	head = make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if size >= footerSize {
		tail = make([]byte, footerSize)
		if _, err := f.ReadAt(tail, size-footerSize); err != nil {
			return nil, nil, err
		}
	}
	return head[:n], tail, nil
}

// classify names what head and tail (see sniff) belong to. Besides the disk formats it
// recognises the side files other builders leave next to a disk, so messages can say what
// they are: a UEFI variable store (a qemu builder's efivars.fd is an OVMF VARS firmware
// volume, signature "_FVH" at byte 40 of its header, UEFI PI spec vol. 3 §3.2.1) and a FAT
// file system image (its boot sector ends in 0x55AA like an MBR; "FAT" at the BPB's file
// system type field tells it apart).
func classify(head, tail []byte) (Format, string) {
	at := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	if at(40, "_FVH") {
		return "", "UEFI firmware volume (such as a VM's efivars.fd), not a disk image"
	}
	format, ok := sniff(head, tail)
	switch {
	case !ok:
		return "", "not a disk image (no qcow2, vhd, vhdx, iso9660, MBR or GPT signature)"
	case format == FormatRaw && (at(512, "EFI PART") || at(4096, "EFI PART")):
		return FormatRaw, "raw disk image (GPT)"
	case format == FormatRaw && (at(0x36, "FAT") || at(0x52, "FAT32")):
		return "", "FAT file system image, not a partitioned disk image"
	case format == FormatRaw:
		return FormatRaw, "raw disk image (MBR)"
	case format == FormatISO:
		return FormatISO, "Live OS ISO"
	}
	return format, string(format) + " disk image"
}
