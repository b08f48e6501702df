// Package diskimage turns a disk image file into a mounted tree: it detects
// and converts image formats, attaches loop devices, reads partition tables,
// and mounts the file systems listed in the image's /etc/fstab, resolving
// every path inside the image so that a hostile image cannot reach the host.
package diskimage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Format is the on-disk format of an input image.
type Format string

// Input formats.
const (
	FormatRaw   Format = "raw"
	FormatQcow2 Format = "qcow2"
	FormatVHD   Format = "vhd"
	FormatVHDX  Format = "vhdx"
	FormatISO   Format = "iso"
)

var formats = []Format{FormatRaw, FormatQcow2, FormatVHD, FormatVHDX, FormatISO}

// ParseFormat checks a user-supplied format name (base_image_format).
func ParseFormat(s string) (Format, error) { return parseName(s, formats, "image format") }

// OutputFormat is the format a customized disk image is written in.
type OutputFormat string

// Output formats, as the original tool names them.
const (
	OutputRaw      OutputFormat = "raw"
	OutputQcow2    OutputFormat = "qcow2"
	OutputVHD      OutputFormat = "vhd"
	OutputVHDFixed OutputFormat = "vhd-fixed"
	OutputVHDX     OutputFormat = "vhdx"
)

var outputFormats = []OutputFormat{OutputRaw, OutputQcow2, OutputVHD, OutputVHDFixed, OutputVHDX}

// ParseOutputFormat checks a user-supplied output format name.
func ParseOutputFormat(s string) (OutputFormat, error) {
	return parseName(s, outputFormats, "output image format")
}

// parseName returns the member of a closed set named s, or an error listing the set.
func parseName[T ~string](s string, valid []T, what string) (T, error) {
	for _, v := range valid {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q: valid values are %s", what, s, joinQuoted(valid))
}

func joinQuoted[T ~string](vs []T) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// Offsets of the signatures DetectFormat looks for.
const (
	isoMagicOffset = 0x8001 // ECMA-119 §8.1: volume descriptors start at sector 16, id at byte 1
	footerSize     = 512    // VHD spec: the hard disk footer is the last 512 bytes
	sniffSize      = isoMagicOffset + 5
)

// DetectFormat identifies an image by its content, never by its file name.
// The order matters: a fixed VHD is a raw disk plus a footer, and a hybrid
// ISO carries an MBR, so both are checked before the raw signatures.
func DetectFormat(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("detect format of %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("detect format of %s: %w", path, err)
	}
	head = head[:n]
	var tail []byte
	if st, err := f.Stat(); err == nil && st.Size() >= footerSize {
		tail = make([]byte, footerSize)
		if _, err := f.ReadAt(tail, st.Size()-footerSize); err != nil {
			return "", fmt.Errorf("detect format of %s: read footer: %w", path, err)
		}
	}
	if fm, ok := sniff(head, tail); ok {
		return fm, nil
	}
	return "", fmt.Errorf("detect format of %s: not a disk image (no qcow2, vhd, vhdx, iso9660, MBR or GPT signature); set base_image_format if it is one", path)
}

// sniff is DetectFormat without the file: head is the start of the image,
// tail its last 512 bytes (nil when the image is shorter).
func sniff(head, tail []byte) (Format, bool) {
	at := func(b []byte, off int, magic string) bool {
		return len(b) >= off+len(magic) && string(b[off:off+len(magic)]) == magic
	}
	switch {
	case at(head, 0, "QFI\xfb"): // qcow2 header magic
		return FormatQcow2, true
	case at(head, 0, "vhdxfile"): // VHDX file type identifier
		return FormatVHDX, true
	case at(head, 0, "conectix"), at(tail, 0, "conectix"): // dynamic VHDs copy the footer to offset 0
		return FormatVHD, true
	case at(head, isoMagicOffset, "CD001"):
		return FormatISO, true
	case at(head, 512, "EFI PART"), at(head, 4096, "EFI PART"): // GPT header at LBA 1
		return FormatRaw, true
	case len(head) >= 512 && bytes.Equal(head[510:512], []byte{0x55, 0xaa}): // MBR boot signature
		return FormatRaw, true
	}
	return "", false
}
