package iso

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

var _ packersdk.PostProcessor = new(PostProcessor)

// Any producer's artifact is judged by its files' content: the one disk image is chosen among
// side files, and an artifact without exactly one fails before any work, naming the producer
// and listing each file.
func TestPostProcessChoosesTheOneDiskImage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int, at int, magic string) string {
		b := make([]byte, size)
		copy(b[at:], magic)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	qcow := write("disk.img", 4096, 0, "QFI\xfb")
	mbr := write("mbr.img", 0x9000, 510, "\x55\xaa")
	vars := write("efivars.fd", 0x9000, 40, "_FVH")
	blank := write("blank.img", 4096, 0, "")
	notLive := write("tools.iso", 0x9000, 0x8001, "CD001")
	cases := []struct {
		name    string
		files   []string
		want    inputImage
		wantErr []string
	}{
		{"qemu builder output", []string{vars, qcow}, inputImage{qcow, diskimage.FormatQcow2}, nil},
		{"a single raw disk, named anyhow", []string{mbr}, inputImage{mbr, diskimage.FormatRaw}, nil},
		{"two disks", []string{qcow, vars, mbr}, inputImage{}, []string{`"mitchellh.amazon.ebs"`, "has 2 disk images",
			"disk.img: qcow2 disk image", "mbr.img: raw disk image (MBR)", "efivars.fd: UEFI firmware volume"}},
		{"no signature", []string{blank}, inputImage{}, []string{"blank.img: not a disk image"}},
		{"an ISO that is not ours", []string{notLive}, inputImage{}, []string{"tools.iso: ISO 9660 image that is not a Live OS ISO"}},
		{"missing file", []string{filepath.Join(dir, "gone.raw")}, inputImage{}, []string{"gone.raw: unreadable"}},
	}
	for _, tc := range cases {
		art := &packersdk.MockArtifact{BuilderIdValue: "mitchellh.amazon.ebs", FilesValue: tc.files}
		got, err := chooseInput(art)
		if tc.wantErr == nil {
			if err != nil || got != tc.want {
				t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
			}
			continue
		}
		for _, w := range append(tc.wantErr, "take the artifact of") {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: want an error containing %q, got %v", tc.name, w, err)
			}
		}
	}
	var p PostProcessor
	if err := p.Configure(map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := p.PostProcess(context.Background(), packersdk.TestUi(t),
		&packersdk.MockArtifact{BuilderIdValue: "mitchellh.amazon.ebs", FilesValue: []string{vars}})
	if err == nil || !strings.Contains(err.Error(), "has no disk image") {
		t.Errorf("PostProcess without a disk image: got %v", err)
	}
}

// planMedia puts the live arguments first, then the image's, then the user's, and records
// them on the media.
func TestPlanMediaComposesKernelArgumentsAndRecordsThem(t *testing.T) {
	dir := t.TempDir()
	touch := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var c Config
	if err := c.Prepare(map[string]interface{}{
		"volume_label":        "MYLIVE",
		"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"ds=nocloud", "console=ttyS0,115200"}},
		"additional_files":    []map[string]interface{}{{"destination": "/cloud-init-data/meta-data", "content": "instance-id: x\n"}},
	}); err != nil {
		t.Fatal(err)
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyImage, &imageInfo{
		Kernels: []liveos.Kernel{{Version: "6.1.0-9", Vmlinuz: touch("vmlinuz")}},
		Args:    []string{"console=tty0", "console=ttyS0,115200"},
	})
	state.Put(keyInitrds, map[string]string{"6.1.0-9": touch("initrd")})
	state.Put(keyEFI, &efiFiles{Shim: touch("shim"), Grub: touch("grub"), BootImg: touch("efiboot.img")})
	state.Put(keySquashfs, touch("rootfs.img"))
	state.Put(keyBIOSImg, touch("bios.img"))

	layout, args, err := planMedia(mustGather(t, &c, state))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	want := strings.Join(liveos.LiveArgs("MYLIVE"), " ") + " console=tty0 console=ttyS0,115200 ds=nocloud"
	if got != want {
		t.Errorf("kernel args:\n got %s\nwant %s", got, want)
	}
	files := map[string]liveos.MediaFile{}
	for _, f := range layout.Files {
		files[f.Dest] = f
	}
	cfg := string(files["boot/grub/grub.cfg"].Content)
	if !strings.Contains(cfg, "/boot/vmlinuz-6.1.0-9 "+got) || !strings.Contains(cfg, "/boot/initrd.img-6.1.0-9") {
		t.Errorf("grub.cfg does not boot the kernel with the composed arguments:\n%s", cfg)
	}
	if string(files["cloud-init-data/meta-data"].Content) != "instance-id: x\n" {
		t.Errorf("the additional file is not on the media")
	}
	saved, err := liveos.ParseSavedConfig(files["imagecustomizer/saved-config.yaml"].Content)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Label != "MYLIVE" || strings.Join(saved.UserArgs, " ") != "ds=nocloud console=ttyS0,115200" {
		t.Errorf("saved config = %+v", saved)
	}
	if files["boot/vmlinuz-6.1.0-9"].Source != filepath.Join(dir, "vmlinuz") {
		t.Errorf("the kernel is not staged from the copy taken out of the image")
	}
}

func TestPlanMediaRejectsAnAdditionalFileOverAGeneratedOne(t *testing.T) {
	var c Config
	if err := c.Prepare(map[string]interface{}{
		"additional_files": []map[string]interface{}{{"destination": "/liveos/rootfs.img", "content": "x"}},
	}); err != nil {
		t.Fatal(err)
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyImage, &imageInfo{Kernels: []liveos.Kernel{{Version: "6.1", Vmlinuz: "/k"}}})
	state.Put(keyInitrds, map[string]string{"6.1": "/i"})
	state.Put(keyEFI, &efiFiles{Grub: "/g", BootImg: "/e"})
	state.Put(keySquashfs, "/s")
	_, _, err := planMedia(mustGather(t, &c, state))
	if err == nil || !strings.Contains(err.Error(), "liveos/rootfs.img") {
		t.Fatalf("want an error naming the colliding destination, got %v", err)
	}
}

func TestStageWritesContentAndLinksSources(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "big")
	if err := os.WriteFile(src, []byte("squashfs"), 0o600); err != nil {
		t.Fatal(err)
	}
	staging := filepath.Join(dir, "media")
	l := liveos.Layout{Files: []liveos.MediaFile{
		{Dest: "liveos/rootfs.img", Source: src, Mode: 0o644},
		{Dest: ".disk/info", Content: []byte("Live\n")},
	}}
	if err := stage(l, staging); err != nil {
		t.Fatal(err)
	}
	var a, b unix.Stat_t
	if err := unix.Stat(src, &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(filepath.Join(staging, "liveos/rootfs.img"), &b); err != nil {
		t.Fatal(err)
	}
	if a.Ino != b.Ino {
		t.Errorf("the big file was copied, not hard-linked")
	}
	if got, _ := os.ReadFile(filepath.Join(staging, ".disk/info")); string(got) != "Live\n" {
		t.Errorf(".disk/info = %q", got)
	}
}

// The scratch directory is never removed while something is still mounted below it: that is
// how a leftover bind of /dev turns into deleted host files.
func TestScratchCleanupRefusesWhileMounted(t *testing.T) {
	testenv.RequireRoot(t)
	out := filepath.Join(t.TempDir(), "live.iso")
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	state.Put(keyOutput, out)
	step := &stepScratchDir{}
	if step.Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	scratch := state.Get(keyScratch).(string)
	mnt := filepath.Join(scratch, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	sentinel := filepath.Join(mnt, "keep")
	if err := os.WriteFile(sentinel, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	step.Cleanup(state)
	if _, err := os.Stat(sentinel); err != nil {
		t.Errorf("cleanup removed files below a mount: %v", err)
	}
	if err := unix.Unmount(mnt, 0); err != nil {
		t.Fatal(err)
	}
	step.Cleanup(state)
	if _, err := os.Stat(scratch); !os.IsNotExist(err) {
		t.Errorf("the scratch directory was not removed once nothing was mounted: %v", err)
	}
}

// An image rebuilt from an earlier ISO carries that media's arguments (first) and files (unless
// this build replaces them).
func TestPlanMediaCarriesTheEarlierMedia(t *testing.T) {
	dir := t.TempDir()
	touch := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var c Config
	if err := c.Prepare(map[string]interface{}{
		"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"quiet", "ds=nocloud"}},
		"additional_files":    []map[string]interface{}{{"destination": "/seed/meta-data", "content": "new"}},
	}); err != nil {
		t.Fatal(err)
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyImage, &imageInfo{
		Kernels: []liveos.Kernel{{Version: "6.1", Vmlinuz: touch("vmlinuz", "k")}},
		Saved:   &liveos.SavedConfig{Label: "OLD", UserArgs: []string{"ds=nocloud", "old.arg=1"}},
		Carried: map[string]string{"seed/user-data": touch("ud", "old user-data"), "seed/meta-data": touch("md", "old")},
	})
	state.Put(keyInitrds, map[string]string{"6.1": touch("initrd", "i")})
	state.Put(keyEFI, &efiFiles{Grub: touch("grub", "g"), BootImg: touch("efiboot", "e")})
	state.Put(keySquashfs, touch("rootfs", "s"))
	layout, args, err := planMedia(mustGather(t, &c, state))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args[len(liveos.LiveArgs("CDROM")):], " ")
	if got != "ds=nocloud old.arg=1 quiet" {
		t.Errorf("user args = %q, want the earlier media's first, duplicates dropped", got)
	}
	files := map[string]liveos.MediaFile{}
	for _, f := range layout.Files {
		files[f.Dest] = f
	}
	if files["seed/user-data"].Source != filepath.Join(dir, "ud") {
		t.Errorf("the earlier media's user-data was not carried: %+v", files["seed/user-data"])
	}
	if string(files["seed/meta-data"].Content) != "new" {
		t.Errorf("this build's meta-data did not replace the earlier one: %+v", files["seed/meta-data"])
	}
}

func mustGather(t *testing.T, c *Config, state multistep.StateBag) mediaInput {
	t.Helper()
	in, err := gatherMediaInput(c, state)
	if err != nil {
		t.Fatal(err)
	}
	return in
}
