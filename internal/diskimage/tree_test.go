package diskimage

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

const (
	rootUUID = "11111111-2222-3333-4444-555555555555"
	bootUUID = "66666666-7777-8888-9999-000000000000"
)

func espPart() testPart {
	return testPart{name: "esp", sizeMiB: 34, fs: "vfat", uuid: "ABCD1234", label: "ESP", files: map[string]string{
		"EFI/BOOT/BOOTX64.EFI": "shim v1",
		"EFI/old.txt":          "delete me",
		"stale/sub/f":          "whole tree goes",
		"keep/":                "",
	}}
}

func rootPart(fstab string, extra map[string]string, links map[string]string) testPart {
	files := map[string]string{"etc/fstab": fstab, "boot/efi/": "", "etc/os-release": "ID=test\n"}
	for k, v := range extra {
		files[k] = v
	}
	return testPart{name: "root", sizeMiB: 24, fs: "ext4", uuid: rootUUID, label: "root", files: files, links: links}
}

const espFstab = "UUID=" + rootUUID + " / ext4 defaults 0 1\nUUID=ABCD-1234 /boot/efi vfat umask=0077 0 2\n"

func TestOpenTreeWritesFATBack(t *testing.T) {
	requireRoot(t)
	img := buildImage(t, espPart(), rootPart(espFstab, nil, nil))
	mnt := t.TempDir()
	ctx, r := context.Background(), runner(t)
	l := attach(t, img.path, false, mnt)

	tree, err := OpenTree(ctx, r, l, mnt, Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if tree.RootPartition.Number != 2 || tree.RootPartition.UUID != rootUUID {
		t.Errorf("root partition = %+v; want partition 2", tree.RootPartition)
	}
	if got, want := tree.MountPoints(), []string{"/", "/boot/efi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MountPoints = %q; want %q", got, want)
	}
	if got := readIn(t, mnt, "boot/efi/EFI/BOOT/BOOTX64.EFI"); got != "shim v1" {
		t.Errorf("ESP file = %q", got)
	}
	// What a provisioner would do under /boot/efi.
	must(t, os.WriteFile(filepath.Join(mnt, "boot/efi/EFI/BOOT/BOOTX64.EFI"), []byte("shim v2"), 0o644))
	must(t, os.WriteFile(filepath.Join(mnt, "boot/efi/EFI/BOOT/grub.cfg"), []byte("set timeout=0\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(mnt, "boot/efi/new/deep"), 0o755))
	must(t, os.WriteFile(filepath.Join(mnt, "boot/efi/new/deep/f.txt"), []byte("deep"), 0o644))
	must(t, os.Remove(filepath.Join(mnt, "boot/efi/EFI/old.txt")))
	must(t, os.RemoveAll(filepath.Join(mnt, "boot/efi/stale")))
	must(t, os.WriteFile(filepath.Join(mnt, "etc/hello"), []byte("from the root fs"), 0o644))

	// The chroot mounts, then early cleanup.
	for _, s := range []MountSpec{
		{FSType: "proc", Source: "proc", Target: "/proc"},
		{FSType: "sysfs", Source: "sysfs", Target: "/sys"},
		{FSType: "bind", Source: "/dev", Target: "/dev"},
		{FSType: "bind", Source: "/dev/pts", Target: "/dev/pts"},
		{FSType: "tmpfs", Source: "tmpfs", Target: "/run"},
	} {
		if err := tree.Mount(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(mnt, "proc/self/status")); err != nil {
		t.Errorf("proc not mounted in the tree: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "dev/null")); err != nil {
		t.Errorf("/dev not bound in the tree: %v", err)
	}
	must(t, tree.UnmountExtras())
	if entries, err := os.ReadDir(filepath.Join(mnt, "proc")); err != nil {
		t.Errorf("read the tree's /proc after UnmountExtras: %v", err)
	} else if len(entries) != 0 {
		t.Errorf("/proc still populated after UnmountExtras: %d entries", len(entries))
	}
	if got := readIn(t, mnt, "boot/efi/EFI/BOOT/grub.cfg"); got != "set timeout=0\n" {
		t.Errorf("UnmountExtras touched the image's own mounts: grub.cfg = %q", got)
	}
	must(t, tree.Close())
	must(t, tree.Close()) // a no-op the second time
	assertNoMounts(t, mnt)
	must(t, l.Close())

	// The FAT itself, read from the image file by mtools.
	esp := img.at(0)
	if got := run(t, mtoolsEnv, "mtype", "-i", esp, "::/EFI/BOOT/BOOTX64.EFI"); got != "shim v2" {
		t.Errorf("changed file in FAT = %q; want shim v2", got)
	}
	if got := run(t, mtoolsEnv, "mtype", "-i", esp, "::/EFI/BOOT/grub.cfg"); got != "set timeout=0\n" {
		t.Errorf("new file in FAT = %q", got)
	}
	if got := run(t, mtoolsEnv, "mtype", "-i", esp, "::/new/deep/f.txt"); got != "deep" {
		t.Errorf("new nested file in FAT = %q", got)
	}
	listing := run(t, mtoolsEnv, "mdir", "-/", "-b", "-i", esp, "::/")
	for _, gone := range []string{"old.txt", "stale"} {
		if strings.Contains(listing, gone) {
			t.Errorf("deleted %s is still in the FAT:\n%s", gone, listing)
		}
	}
	if !strings.Contains(listing, "::/keep/") {
		t.Errorf("untouched empty directory lost:\n%s", listing)
	}
	// Open again read-only: the root file system change persisted too.
	l2 := attach(t, img.path, true, mnt)
	tree2, err := OpenTree(ctx, r, l2, mnt, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	if got := readIn(t, mnt, "etc/hello"); got != "from the root fs" {
		t.Errorf("root fs change = %q", got)
	}
	if got := readIn(t, mnt, "boot/efi/new/deep/f.txt"); got != "deep" {
		t.Errorf("re-read ESP file = %q", got)
	}
	must(t, tree2.Close())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenTreeSeparateBoot(t *testing.T) {
	requireRoot(t)
	// Three ways of naming partitions, mounted parents first whatever the
	// fstab order.
	fstab := "PARTLABEL=esp /boot/efi vfat defaults 0 2\n" +
		"LABEL=root / ext4 defaults 0 1\n" +
		"/dev/sda2 /boot ext4 defaults 0 2\n" +
		"tmpfs /tmp tmpfs defaults 0 0\n"
	boot := testPart{name: "boot", sizeMiB: 16, fs: "ext4", uuid: bootUUID, label: "boot",
		files: map[string]string{"vmlinuz": "kernel", "efi/": ""}}
	img := buildImage(t, espPart(), boot, rootPart(fstab, nil, nil))
	mnt := t.TempDir()
	l := attach(t, img.path, false, mnt)
	tree, err := OpenTree(context.Background(), runner(t), l, mnt, Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tree.MountPoints(), []string{"/", "/boot", "/boot/efi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MountPoints = %q; want %q", got, want)
	}
	if tree.RootPartition.Number != 3 {
		t.Errorf("root partition = %d; want 3", tree.RootPartition.Number)
	}
	if got := readIn(t, mnt, "boot/vmlinuz"); got != "kernel" {
		t.Errorf("/boot/vmlinuz = %q", got)
	}
	if got := readIn(t, mnt, "boot/efi/EFI/BOOT/BOOTX64.EFI"); got != "shim v1" {
		t.Errorf("ESP under the separate /boot = %q", got)
	}
	must(t, tree.Close())
	assertNoMounts(t, mnt)
}

func TestOpenTreeRootErrors(t *testing.T) {
	requireRoot(t)
	noFstab := testPart{name: "data", sizeMiB: 16, fs: "ext4", uuid: bootUUID, label: "data", files: map[string]string{"etc/hostname": "x"}}
	second := rootPart(espFstab, nil, nil)
	second.uuid, second.name = bootUUID, "root2"
	for _, tc := range []struct {
		name  string
		parts []testPart
		want  []string
	}{
		{"no root", []testPart{espPart(), noFstab}, []string{"none of partition 2 (ext4", "holds /etc/fstab"}},
		{"two roots", []testPart{rootPart(espFstab, nil, nil), second}, []string{"2 partitions hold /etc/fstab", "partition 1 (ext4", "partition 2 (ext4"}},
		{"only FAT", []testPart{espPart()}, []string{"no ext2/3/4, xfs or btrfs partition", "partition 1 (vfat"}},
		{"unknown fstab source", []testPart{espPart(), rootPart("UUID="+rootUUID+" / ext4 defaults 0 1\nUUID=FFFF-0000 /boot/efi vfat defaults 0 0\n", nil, nil)},
			[]string{"/etc/fstab line 2", "UUID=FFFF-0000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := buildImage(t, tc.parts...)
			mnt := t.TempDir()
			l := attach(t, img.path, false, mnt)
			tree, err := OpenTree(context.Background(), runner(t), l, mnt, Options{Logf: t.Logf})
			if err == nil {
				tree.Close()
				t.Fatal("OpenTree succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			assertNoMounts(t, mnt) // the half-opened tree was released
			assertNoProbeMounts(t)
		})
	}
}

func TestOpenTreeReadOnlyLeavesImageUntouched(t *testing.T) {
	requireRoot(t)
	img := buildImage(t, espPart(), rootPart(espFstab, nil, nil))
	before := sha(t, img.path)
	mnt := t.TempDir()
	l := attach(t, img.path, true, mnt)
	tree, err := OpenTree(context.Background(), runner(t), l, mnt, Options{ReadOnly: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if got := readIn(t, mnt, "boot/efi/EFI/BOOT/BOOTX64.EFI"); got != "shim v1" {
		t.Errorf("ESP file = %q", got)
	}
	for _, p := range []string{"etc/new", "boot/efi/new"} {
		if err := os.WriteFile(filepath.Join(mnt, p), []byte("x"), 0o644); err == nil {
			t.Errorf("wrote %s in a read-only tree", p)
		}
	}
	must(t, tree.Close())
	must(t, l.Close())
	if sha(t, img.path) != before {
		t.Error("the image file changed in read-only mode")
	}
}

func assertNoProbeMounts(t *testing.T) {
	t.Helper()
	mi, err := readMountinfo()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range mi {
		if strings.Contains(e.Point, "imagecustomizer-probe-") {
			t.Errorf("probe mount left behind: %s", e.Point)
		}
	}
}

// hostDir makes a real host directory with one file in it, and returns a
// function that reports whether it is still exactly that.
func hostDir(t *testing.T) (string, func()) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "marker"), []byte("host"))
	return dir, func() {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 1 || entries[0].Name() != "marker" {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("host directory %s was touched: %v %v", dir, names, err)
		}
		assertNoMounts(t, dir)
	}
}

func TestOpenTreeHostileSymlinks(t *testing.T) {
	requireRoot(t)
	host, untouched := hostDir(t)
	// /boot points at a real host directory, absolutely or by "..": the
	// ESP and the extra mount must land inside the image all the same.
	for _, link := range []string{host, "../../../../../../.." + host} {
		t.Run(strings.ReplaceAll(link, "/", "_"), func(t *testing.T) {
			root := rootPart(espFstab, nil, map[string]string{"boot": link, "mnt/evil": link})
			delete(root.files, "boot/efi/")
			img := buildImage(t, espPart(), root)
			mnt := t.TempDir()
			l := attach(t, img.path, false, mnt)
			tree, err := OpenTree(context.Background(), runner(t), l, mnt, Options{Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			untouched()
			// Inside the image the link resolves to <mnt><host>: that is
			// where /boot/efi must be mounted.
			if got := readIn(t, mnt, filepath.Join(host, "efi/EFI/BOOT/BOOTX64.EFI")); got != "shim v1" {
				t.Errorf("ESP not mounted inside the image: %q", got)
			}
			if err := tree.Mount(MountSpec{FSType: "tmpfs", Source: "tmpfs", Target: "/mnt/evil/run"}); err != nil {
				t.Fatal(err)
			}
			untouched()
			f, err := rootfs.OpenInRoot(mnt, "/boot/efi/EFI/BOOT/new.efi", os.O_WRONLY|os.O_CREATE)
			must(t, err)
			f.Close()
			must(t, tree.Close())
			untouched()
			assertNoMounts(t, mnt)
			if got := run(t, mtoolsEnv, "mdir", "-b", "-i", img.at(0), "::/EFI/BOOT"); !strings.Contains(got, "new.efi") {
				t.Errorf("file written through the symlinked /boot/efi did not reach the FAT:\n%s", got)
			}
		})
	}
}

func TestOpenInRootClampsEscapes(t *testing.T) {
	host, untouched := hostDir(t)
	root := t.TempDir()
	must(t, os.Symlink(host, filepath.Join(root, "abs")))
	must(t, os.Symlink("../../../../../../.."+host, filepath.Join(root, "rel")))
	for _, p := range []string{"abs/marker", "rel/marker", "../../../../" + host + "/marker", "/proc/self/root" + host + "/marker"} {
		if f, err := rootfs.OpenInRoot(root, p, os.O_RDONLY); err == nil {
			f.Close()
			t.Errorf("rootfs.OpenInRoot(%q) opened the host file", p)
		}
	}
	for _, p := range []string{"abs/sub/dir", "rel/x", "../" + host + "/y"} {
		must(t, rootfs.MkdirAllInRoot(root, p, 0o755))
	}
	untouched()
	if _, err := os.Stat(filepath.Join(root, host, "sub/dir")); err != nil {
		t.Errorf("MkdirAllInRoot did not create inside the root: %v", err)
	}
	writeFile(t, filepath.Join(root, "file"), nil)
	if err := rootfs.MkdirAllInRoot(root, "file/below", 0o755); err == nil {
		t.Error("MkdirAllInRoot created a directory below a file")
	}
}
