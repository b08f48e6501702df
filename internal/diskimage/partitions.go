package diskimage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	diskfs "github.com/diskfs/go-diskfs"
	"github.com/diskfs/go-diskfs/partition/gpt"
	"github.com/diskfs/go-diskfs/partition/mbr"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Partition is one partition of an attached image with the facts about its
// file system that fstab lines refer to.
type Partition struct {
	Number int
	// Device is the loop partition node, /dev/loopNpM.
	Device string
	// Start and Size are in bytes.
	Start, Size int64
	// FSType, UUID and Label describe the file system (blkid TYPE, UUID,
	// LABEL); FSType is empty when blkid finds none.
	FSType, UUID, Label string
	// PartUUID and PartLabel are the GPT entry's unique GUID and name (for
	// MBR: the "<disk id>-<nn>" PARTUUID and no name).
	PartUUID, PartLabel string
	// TypeGUID is the GPT partition type GUID, or the MBR type as "0x83".
	TypeGUID string
}

// partitionTable reads the partition table of a device or image file. It
// opens read-only: go-diskfs' default mode is read-write exclusive.
func partitionTable(dev string) ([]Partition, error) {
	d, err := diskfs.Open(dev, diskfs.WithOpenMode(diskfs.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("read partition table of %s: %w", dev, err)
	}
	defer d.Close()
	t, err := d.GetPartitionTable()
	if err != nil {
		return nil, fmt.Errorf("read partition table of %s: %w", dev, err)
	}
	var parts []Partition
	switch t := t.(type) {
	case *gpt.Table:
		for _, p := range t.Partitions {
			if p.Type == gpt.Unused {
				continue
			}
			parts = append(parts, Partition{Number: p.Index, Start: p.GetStart(), Size: p.GetSize(),
				PartUUID: strings.ToLower(p.GUID), PartLabel: p.Name, TypeGUID: strings.ToLower(string(p.Type))})
		}
	case *mbr.Table:
		for _, p := range t.Partitions {
			if p.Type == mbr.Empty {
				continue
			}
			parts = append(parts, Partition{Number: p.Index, Start: p.GetStart(), Size: p.GetSize(),
				PartUUID: p.UUID(), TypeGUID: fmt.Sprintf("0x%02x", byte(p.Type))})
		}
	default:
		return nil, fmt.Errorf("read partition table of %s: unsupported table type %T", dev, t)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("read partition table of %s: no partitions", dev)
	}
	return parts, nil
}

// partDevice names partition n of a loop device (the kernel adds "p"
// because loop device names end in a digit).
func partDevice(dev string, n int) string { return fmt.Sprintf("%sp%d", dev, n) }

// ListPartitions reads the partition table of the loop device and asks
// blkid about each partition's file system. blkid -p probes the device
// itself rather than trusting its cache.
func ListPartitions(ctx context.Context, r execx.Runner, l *Loop) ([]Partition, error) {
	parts, err := partitionTable(l.Device)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		p := &parts[i]
		p.Device = partDevice(l.Device, p.Number)
		out, err := execx.Output(ctx, r, "blkid", "-p", "-o", "export", p.Device)
		var xe *execx.Error
		if errors.As(err, &xe) && xe.ExitCode == 2 {
			continue // blkid(8): exit 2 means nothing was identified
		}
		if err != nil {
			return nil, fmt.Errorf("probe file system on %s: %w", p.Device, err)
		}
		applyBlkid(p, parseBlkidExport(out))
	}
	return parts, nil
}

// parseBlkidExport reads `blkid -o export` KEY=value lines.
func parseBlkidExport(out string) map[string]string {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			kv[k] = unescapeBlkid(v)
		}
	}
	return kv
}

// unescapeBlkid undoes blkid's export quoting (a backslash before each
// special character).
func unescapeBlkid(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func applyBlkid(p *Partition, kv map[string]string) {
	if kv["USAGE"] != "" && kv["USAGE"] != "filesystem" && kv["TYPE"] != "swap" {
		// RAID members, LUKS, LVM: not something fstab mounts directly.
		p.FSType = kv["TYPE"]
		return
	}
	p.FSType, p.UUID, p.Label = kv["TYPE"], kv["UUID"], kv["LABEL"]
	if v := kv["PART_ENTRY_UUID"]; v != "" {
		p.PartUUID = v
	}
	if v := kv["PART_ENTRY_NAME"]; v != "" {
		p.PartLabel = v
	}
}

// PartitionDevice is the device of partition n of the attached image (/dev/loop0p2).
func (l *Loop) PartitionDevice(n int) string { return partDevice(l.Device, n) }
