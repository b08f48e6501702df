package diskimage

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFstab(t *testing.T) {
	data := "# /etc/fstab: static file system information.\n" +
		"\n" +
		"UUID=1111-2222\t/boot/efi\tvfat\tumask=0077\t0\t1\n" +
		"   # indented comment\n" +
		"LABEL=root / ext4 defaults,errors=remount-ro 0 1\n" +
		"/dev/sda3 /data\\040dir xfs\n" +
		"tmpfs /tmp tmpfs nosuid 0\n" +
		"  \t \n" +
		"PARTUUID=abc none swap sw 0 0\n"
	got, err := ParseFstab([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []FstabEntry{
		{Spec: "UUID=1111-2222", MountPoint: "/boot/efi", FSType: "vfat", Options: "umask=0077", Freq: 0, Pass: 1, Line: 3},
		{Spec: "LABEL=root", MountPoint: "/", FSType: "ext4", Options: "defaults,errors=remount-ro", Freq: 0, Pass: 1, Line: 5},
		{Spec: "/dev/sda3", MountPoint: "/data dir", FSType: "xfs", Options: "defaults", Line: 6},
		{Spec: "tmpfs", MountPoint: "/tmp", FSType: "tmpfs", Options: "nosuid", Line: 7},
		{Spec: "PARTUUID=abc", MountPoint: "none", FSType: "swap", Options: "sw", Line: 9},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseFstab:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseFstabErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"UUID=x /\n", "line 1"},
		{"# c\nUUID=x / ext4 defaults zero 1\n", "line 2"},
		{"UUID=x / ext4 defaults 0 -1\n", "passno"},
		{"UUID=x / ext4 defaults 0 1 extra\n", "at most 6"},
	} {
		_, err := ParseFstab([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFstab(%q) error = %v; want one mentioning %q", tc.data, err, tc.want)
		}
	}
	if got, err := ParseFstab([]byte("# only comments\n\n")); err != nil || len(got) != 0 {
		t.Errorf("ParseFstab(comments) = %v, %v; want nothing", got, err)
	}
}

var testParts = []Partition{
	{Number: 1, FSType: "vfat", UUID: "ABCD-1234", Label: "ESP", PartUUID: "0fc63daf-0000-4000-8000-000000000001", PartLabel: "efi"},
	{Number: 2, FSType: "ext4", UUID: "6a8f5a3e-0c2e-4b6c-9d1e-2f3a4b5c6d7e", Label: "boot fs", PartUUID: "0fc63daf-0000-4000-8000-000000000002", PartLabel: "boot"},
	{Number: 3, FSType: "ext4", UUID: "11111111-2222-3333-4444-555555555555", Label: "root", PartUUID: "0fc63daf-0000-4000-8000-000000000003", PartLabel: "root"},
}

func TestResolveSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want int
	}{
		{"UUID=ABCD-1234", 1},
		{"UUID=abcd-1234", 1}, // UUIDs compare case-insensitively
		{`UUID="11111111-2222-3333-4444-555555555555"`, 3},
		{"LABEL=root", 3},
		{"PARTUUID=0FC63DAF-0000-4000-8000-000000000002", 2},
		{"PARTLABEL=efi", 1},
		{"/dev/disk/by-uuid/6a8f5a3e-0c2e-4b6c-9d1e-2f3a4b5c6d7e", 2},
		{`/dev/disk/by-label/boot\x20fs`, 2},
		{"/dev/disk/by-partuuid/0fc63daf-0000-4000-8000-000000000003", 3},
		{"/dev/disk/by-partlabel/boot", 2},
		{"/dev/sda1", 1}, {"/dev/vda2", 2}, {"/dev/xvda3", 3}, {"/dev/sdb2", 2},
		{"/dev/nvme0n1p3", 3}, {"/dev/mmcblk0p1", 1},
	} {
		p, err := ResolveSpec(tc.spec, testParts)
		if err != nil || p.Number != tc.want {
			t.Errorf("ResolveSpec(%q) = partition %d, %v; want %d", tc.spec, p.Number, err, tc.want)
		}
	}
}

func TestResolveSpecErrors(t *testing.T) {
	dup := append([]Partition{}, testParts...)
	dup[1].UUID = dup[2].UUID // a cloned file system
	for _, tc := range []struct {
		spec  string
		parts []Partition
		want  string
	}{
		{"UUID=dead-beef", testParts, `no partition has file system UUID "dead-beef"`},
		{"LABEL=ROOT", testParts, "file system label"}, // labels are case-sensitive
		{"PARTLABEL=swap", testParts, "partition name"},
		{"/dev/sda9", testParts, "no partition 9"},
		{"/dev/mapper/vg-root", testParts, "unsupported source"},
		{"server:/export", testParts, "unsupported source"},
		{"UUID=11111111-2222-3333-4444-555555555555", dup, "2 partitions have"},
	} {
		_, err := ResolveSpec(tc.spec, tc.parts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.spec) {
			t.Errorf("ResolveSpec(%q) error = %v; want it to name the spec and say %q", tc.spec, err, tc.want)
		}
	}
}

func TestPlanFstabMounts(t *testing.T) {
	fstab := "UUID=ABCD-1234 /boot/efi vfat umask=0077 0 2\n" +
		"LABEL=root / ext4 defaults 0 1\n" +
		"PARTLABEL=boot /boot/ ext4 defaults 0 2\n" +
		"proc /proc proc defaults 0 0\n" +
		"/swapfile none swap sw 0 0\n" +
		"/srv /mnt/srv none bind 0 0\n" +
		"nas:/x /mnt/nas nfs4 defaults 0 0\n"
	entries, err := ParseFstab([]byte(fstab))
	if err != nil {
		t.Fatal(err)
	}
	plan, skipped, err := planFstabMounts(entries, testParts, testParts[2])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pm := range plan {
		got = append(got, pm.Entry.MountPoint+"="+pm.Part.FSType)
	}
	if want := []string{"/boot=ext4", "/boot/efi=vfat"}; !reflect.DeepEqual(got, want) {
		t.Errorf("plan = %v; want %v (parents first, / already mounted)", got, want)
	}
	if len(skipped) != 4 {
		t.Errorf("skipped = %q; want the proc, swap, bind and nfs lines", skipped)
	}

	for _, tc := range []struct{ fstab, want string }{
		{"UUID=nope /boot/efi vfat defaults 0 0\n", "line 1 (UUID=nope on /boot/efi)"},
		{"LABEL=root / ext4 defaults 0 1\nPARTLABEL=boot / ext4 defaults 0 1\n", "already mounted by line 1"},
		{"PARTLABEL=boot / ext4 defaults 0 1\n", "/etc/fstab was found on partition 3"},
		{"LABEL=root /data ext4 defaults 0 1\n", "root partition 3 again"},
	} {
		entries, err := ParseFstab([]byte(tc.fstab))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := planFstabMounts(entries, testParts, testParts[2]); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("planFstabMounts(%q) error = %v; want %q", tc.fstab, err, tc.want)
		}
	}
}
