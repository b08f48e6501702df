package diskimage

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// plannedMount is one fstab entry that maps to a partition of the image.
type plannedMount struct {
	Entry FstabEntry
	Part  Partition
}

// pseudoFS are file systems that are not on a partition of the image
// (kernel pseudo file systems and network mounts); fstab lines for them are
// skipped.
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "tmpfs": true, "devtmpfs": true, "devpts": true, "ramfs": true,
	"cgroup": true, "cgroup2": true, "securityfs": true, "debugfs": true, "tracefs": true,
	"efivarfs": true, "pstore": true, "bpf": true, "configfs": true, "fusectl": true, "hugetlbfs": true,
	"mqueue": true, "binfmt_misc": true, "overlay": true, "none": true, "swap": true,
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "9p": true, "virtiofs": true, "sshfs": true,
}

// planFstabMounts decides which fstab entries to mount and in which order
// (parents before children: "/", "/boot", "/boot/efi"). It returns the
// skipped lines as log messages. root is the partition holding /etc/fstab,
// already mounted at "/".
func planFstabMounts(entries []FstabEntry, parts []Partition, root Partition) ([]plannedMount, []string, error) {
	var plan []plannedMount
	var skipped []string
	seen := map[string]int{}
	for _, e := range entries {
		mp := e.MountPoint
		switch {
		case pseudoFS[e.FSType] || strings.HasPrefix(e.FSType, "fuse") || !strings.HasPrefix(mp, "/"):
			skipped = append(skipped, fmt.Sprintf("skip fstab line %d (%s on %s, type %s): not a partition of the image", e.Line, e.Spec, mp, e.FSType))
			continue
		case hasOption(e.Options, "bind") || hasOption(e.Options, "rbind"):
			skipped = append(skipped, fmt.Sprintf("skip fstab line %d (%s on %s): bind mount", e.Line, e.Spec, mp))
			continue
		}
		mp = path.Clean(mp)
		p, err := ResolveSpec(e.Spec, parts)
		if err != nil {
			return nil, nil, fmt.Errorf("mount /etc/fstab line %d (%s on %s): %w", e.Line, e.Spec, mp, err)
		}
		if prev, dup := seen[mp]; dup {
			return nil, nil, fmt.Errorf("mount /etc/fstab line %d: %s is already mounted by line %d", e.Line, mp, prev)
		}
		seen[mp] = e.Line
		if mp == "/" {
			if p.Number != root.Number {
				return nil, nil, fmt.Errorf("mount /etc/fstab line %d: it mounts partition %d at /, but /etc/fstab was found on partition %d", e.Line, p.Number, root.Number)
			}
			continue // already mounted
		}
		if p.Number == root.Number && !hasSubvol(e.Options) {
			return nil, nil, fmt.Errorf("mount /etc/fstab line %d: it mounts the root partition %d again at %s", e.Line, p.Number, mp)
		}
		e.MountPoint = mp
		plan = append(plan, plannedMount{Entry: e, Part: p})
	}
	sort.SliceStable(plan, func(i, j int) bool { return depth(plan[i].Entry.MountPoint) < depth(plan[j].Entry.MountPoint) })
	return plan, skipped, nil
}

func depth(p string) int { return strings.Count(p, "/") }

func hasOption(opts, name string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == name {
			return true
		}
	}
	return false
}

func hasSubvol(opts string) bool { return subvolData(opts) != "" }

// subvolData keeps the btrfs subvolume options of an fstab line: without
// them a btrfs root would be mounted at its top level, not at the
// subvolume the OS lives in.
func subvolData(opts string) string {
	var keep []string
	for _, o := range strings.Split(opts, ",") {
		if strings.HasPrefix(o, "subvol=") || strings.HasPrefix(o, "subvolid=") {
			keep = append(keep, o)
		}
	}
	return strings.Join(keep, ",")
}
