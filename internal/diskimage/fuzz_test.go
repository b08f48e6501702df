package diskimage

import (
	"strings"
	"testing"
)

// An image's /etc/fstab may hold anything: ParseFstab refuses it or returns entries with a
// source, a mount point and a type, on increasing lines of the input, and a mount plan that
// never mounts a point twice.
func FuzzParseFstab(f *testing.F) {
	f.Add([]byte("# comment\nUUID=0b1c / ext4 errors=remount-ro 0 1\nPARTLABEL=esp /boot/efi vfat umask=0077 0 2\n" +
		"/dev/sda2\t/boot ext4\ntmpfs /tmp tmpfs defaults 0 0\nLABEL=a\\040b /mnt/a\\040b xfs\n"))
	f.Add([]byte("a b c d e f g\n"))
	f.Add([]byte("a b c d -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseFstab(data)
		if err != nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		last := 0
		for _, e := range entries {
			if e.Spec == "" || e.MountPoint == "" || e.FSType == "" || e.Freq < 0 || e.Pass < 0 {
				t.Fatalf("entry %+v", e)
			}
			if e.Line <= last || e.Line > lines {
				t.Fatalf("entry on line %d after line %d of %d", e.Line, last, lines)
			}
			last = e.Line
		}
		root := Partition{Number: 1, Device: "/dev/loop0p1", FSType: "ext4", UUID: "0b1c", Label: "root"}
		parts := []Partition{root, {Number: 2, Device: "/dev/loop0p2", FSType: "vfat", PartLabel: "esp"}}
		plan, _, err := planFstabMounts(entries, parts, root)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, pm := range plan {
			if seen[pm.Entry.MountPoint] {
				t.Fatalf("%s mounted twice: %+v", pm.Entry.MountPoint, plan)
			}
			seen[pm.Entry.MountPoint] = true
		}
	})
}
