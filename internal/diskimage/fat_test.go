package diskimage

import (
	"reflect"
	"testing"
)

func TestPlanFATSync(t *testing.T) {
	file := func(size int64, b byte) fileState { return fileState{Size: size, Sum: [32]byte{b}} }
	dir := fileState{Dir: true}
	before := manifest{
		"EFI": dir, "EFI/BOOT": dir, "EFI/BOOT/BOOTX64.EFI": file(10, 1), "EFI/BOOT/grub.cfg": file(5, 2),
		"old": dir, "old/a": file(1, 3), "old/sub": dir, "old/sub/b": file(1, 4),
		"kind": file(3, 5), "gone.txt": file(1, 6),
	}
	after := manifest{
		"EFI": dir, "EFI/BOOT": dir,
		"EFI/BOOT/BOOTX64.EFI": file(10, 1), // unchanged
		"EFI/BOOT/grub.cfg":    file(5, 9),  // same size, new content
		"kind":                 dir,         // file became a directory
		"kind/x":               file(2, 7),
		"new":                  dir,
		"new/deep":             dir,
		"new/deep/f":           file(4, 8),
	}
	got := planFATSync("/dev/loop9p1", "/stage", before, after)
	want := [][]string{
		{"mdel", "-i", "/dev/loop9p1", "::/gone.txt"},
		{"mdel", "-i", "/dev/loop9p1", "::/kind"},
		{"mdeltree", "-i", "/dev/loop9p1", "::/old"}, // one call for the whole tree
		{"mcopy", "-o", "-m", "-i", "/dev/loop9p1", "/stage/EFI/BOOT/grub.cfg", "::/EFI/BOOT/grub.cfg"},
		{"mmd", "-i", "/dev/loop9p1", "::/kind"},
		{"mcopy", "-o", "-m", "-i", "/dev/loop9p1", "/stage/kind/x", "::/kind/x"},
		{"mmd", "-i", "/dev/loop9p1", "::/new"},
		{"mmd", "-i", "/dev/loop9p1", "::/new/deep"},
		{"mcopy", "-o", "-m", "-i", "/dev/loop9p1", "/stage/new/deep/f", "::/new/deep/f"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("planFATSync:\n got %q\nwant %q", got, want)
	}
	if ops := planFATSync("d", "s", before, before); len(ops) != 0 {
		t.Errorf("no change planned %q; want nothing", ops)
	}
}

func TestParseBlkidExport(t *testing.T) {
	out := "DEVNAME=/dev/loop0p2\nUUID=6a8f\nLABEL=my\\ root\nTYPE=ext4\nUSAGE=filesystem\n" +
		"PART_ENTRY_UUID=0fc6-02\nPART_ENTRY_NAME=root\\ part\n"
	var p Partition
	applyBlkid(&p, parseBlkidExport(out))
	want := Partition{FSType: "ext4", UUID: "6a8f", Label: "my root", PartUUID: "0fc6-02", PartLabel: "root part"}
	if p != want {
		t.Errorf("applyBlkid = %+v; want %+v", p, want)
	}
	var luks Partition
	applyBlkid(&luks, parseBlkidExport("TYPE=crypto_LUKS\nUUID=abc\nUSAGE=crypto\n"))
	if luks.UUID != "" || luks.FSType != "crypto_LUKS" {
		t.Errorf("a LUKS container must not resolve as a file system UUID: %+v", luks)
	}
}

func TestParseMountinfo(t *testing.T) {
	data := "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n" +
		"40 22 0:39 / /tmp/x\\040y/boot rw master:2 - tmpfs tmpfs rw\n" +
		"41 40 0:40 / /tmp/x\\040y/boot/efi rw - vfat /dev/loop0p1 rw\n" +
		"42 22 0:41 / /tmp/x\\040yz rw - tmpfs tmpfs rw\n"
	mi, err := parseMountinfo([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if mi[1].ID != 40 || mi[1].Point != "/tmp/x y/boot" || mi[1].FSType != "tmpfs" || mi[2].FSType != "vfat" {
		t.Errorf("parseMountinfo = %+v", mi)
	}
	got := mountsUnder(mi, "/tmp/x y")
	if want := []string{"/tmp/x y/boot", "/tmp/x y/boot/efi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("mountsUnder = %q; want %q (not the sibling /tmp/x yz)", got, want)
	}
	if _, err := parseMountinfo([]byte("bad line\n")); err == nil {
		t.Error("parseMountinfo accepted a truncated line")
	}
}
