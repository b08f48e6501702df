package diskimage

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FstabEntry is one line of /etc/fstab (fstab(5)).
type FstabEntry struct {
	Spec, MountPoint, FSType, Options string
	Freq, Pass                        int
	// Line is the 1-based line number, for error messages.
	Line int
}

// ParseFstab reads fstab(5) text. Fields are separated by blanks (spaces or
// tabs); the options, freq and passno fields may be omitted and then default
// to "defaults", 0 and 0, as libmount does. Octal escapes (\040) are decoded.
func ParseFstab(data []byte) ([]FstabEntry, error) {
	var entries []FstabEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("parse fstab line %d %q: want at least a source, a mount point and a type", n, line)
		}
		if len(f) > 6 {
			return nil, fmt.Errorf("parse fstab line %d %q: %d fields, at most 6 allowed", n, line, len(f))
		}
		e := FstabEntry{Spec: unescapeOctal(f[0]), MountPoint: unescapeOctal(f[1]), FSType: f[2], Options: "defaults", Line: n}
		if len(f) > 3 {
			e.Options = f[3]
		}
		for i, dst := range []*int{&e.Freq, &e.Pass} {
			if len(f) <= 4+i {
				break
			}
			v, err := strconv.Atoi(f[4+i])
			if err != nil || v < 0 {
				return nil, fmt.Errorf("parse fstab line %d %q: field %d (%s) must be a non-negative number, got %q",
					n, line, 5+i, []string{"freq", "passno"}[i], f[4+i])
			}
			*dst = v
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse fstab: %w", err)
	}
	return entries, nil
}

var octalEscape = regexp.MustCompile(`\\[0-3][0-7]{2}`)

func unescapeOctal(s string) string {
	return octalEscape.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[1:], 8, 8)
		return string(rune(v))
	})
}

// hexEscape decodes udev's \xNN escapes in /dev/disk/by-label names.
var hexEscape = regexp.MustCompile(`\\x[0-9a-fA-F]{2}`)

func unescapeHex(s string) string {
	return hexEscape.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[2:], 16, 8)
		return string(rune(v))
	})
}

// Kernel device names whose trailing number is the partition number.
var devicePartition = regexp.MustCompile(`^/dev/(?:(?:[shv]d|xvd)[a-z]+|(?:nvme\d+n\d+|mmcblk\d+|loop\d+)p)(\d+)$`)

type specKind struct {
	prefix, what string
	get          func(Partition) string
	fold         bool // compare case-insensitively (UUIDs)
}

var specKinds = []specKind{
	{"UUID=", "file system UUID", func(p Partition) string { return p.UUID }, true},
	{"LABEL=", "file system label", func(p Partition) string { return p.Label }, false},
	{"PARTUUID=", "partition UUID", func(p Partition) string { return p.PartUUID }, true},
	{"PARTLABEL=", "partition name", func(p Partition) string { return p.PartLabel }, false},
	{"/dev/disk/by-uuid/", "file system UUID", func(p Partition) string { return p.UUID }, true},
	{"/dev/disk/by-label/", "file system label", func(p Partition) string { return p.Label }, false},
	{"/dev/disk/by-partuuid/", "partition UUID", func(p Partition) string { return p.PartUUID }, true},
	{"/dev/disk/by-partlabel/", "partition name", func(p Partition) string { return p.PartLabel }, false},
}

// ResolveSpec finds the partition an fstab source names: a tag (UUID=,
// LABEL=, PARTUUID=, PARTLABEL=, quoted or not), a /dev/disk/by-* link, or a
// kernel device name such as /dev/sda2 or /dev/nvme0n1p2, which is taken by
// partition number because the image will not have that name here.
func ResolveSpec(spec string, parts []Partition) (Partition, error) {
	if m := devicePartition.FindStringSubmatch(spec); m != nil {
		n, _ := strconv.Atoi(m[1])
		for _, p := range parts {
			if p.Number == n {
				return p, nil
			}
		}
		return Partition{}, fmt.Errorf("resolve %q: the image has no partition %d (it has %s)", spec, n, describeParts(parts))
	}
	for _, k := range specKinds {
		v, ok := strings.CutPrefix(spec, k.prefix)
		if !ok {
			continue
		}
		if strings.HasPrefix(k.prefix, "/dev/") {
			v = unescapeHex(v)
		} else {
			v = strings.Trim(v, `"'`)
		}
		var found []Partition
		for _, p := range parts {
			got := k.get(p)
			if got != "" && (got == v || k.fold && strings.EqualFold(got, v)) {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			return Partition{}, fmt.Errorf("resolve %q: no partition has %s %q (the image has %s)", spec, k.what, v, describeParts(parts))
		default:
			return Partition{}, fmt.Errorf("resolve %q: %d partitions have %s %q (%s); give each a unique one", spec, len(found), k.what, v, describeParts(found))
		}
	}
	return Partition{}, fmt.Errorf("resolve %q: unsupported source; use UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-*/ or a partition device name", spec)
}

// describeParts renders partitions for error messages: "1 (vfat UUID=ABCD-1234), 2 (ext4 ...)".
func describeParts(parts []Partition) string {
	if len(parts) == 0 {
		return "no partitions"
	}
	s := make([]string, len(parts))
	for i, p := range parts {
		d := []string{orDash(p.FSType)}
		if p.UUID != "" {
			d = append(d, "UUID="+p.UUID)
		}
		if p.Label != "" {
			d = append(d, "LABEL="+p.Label)
		}
		if p.PartLabel != "" {
			d = append(d, "PARTLABEL="+p.PartLabel)
		}
		s[i] = fmt.Sprintf("partition %d (%s)", p.Number, strings.Join(d, " "))
	}
	return strings.Join(s, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "no file system"
	}
	return s
}
