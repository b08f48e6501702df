package iso

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// stepState is a state bag with a recording runner and a scratch directory.
func stepState(t *testing.T, info *imageInfo) (multistep.StateBag, *execx.Recorder) {
	t.Helper()
	var c Config
	if err := c.Prepare(map[string]interface{}{"volume_label": "STEPS"}); err != nil {
		t.Fatal(err)
	}
	rec := &execx.Recorder{}
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	state.Put(keyConfig, &c)
	state.Put(keyRunner, rec)
	state.Put(keyScratch, t.TempDir())
	state.Put(keyImage, info)
	return state, rec
}

func file(t *testing.T, name string, size int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// With the image's signed chain, efiboot.img holds shim, GRUB and MokManager, and nothing is built.
func TestEFIBootKeepsTheSignedChain(t *testing.T) {
	info := &imageInfo{Shim: file(t, "shim", 900<<10), CDGrub: file(t, "gcd", 3<<20), MokManager: file(t, "mm", 800<<10)}
	state, rec := stepState(t, info)
	if (&stepEFIBoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	got := rec.Joined()
	for _, want := range []string{"mkfs.vfat -C ", "::/EFI/BOOT/BOOTX64.EFI", "::/EFI/BOOT/grubx64.efi", "::/EFI/BOOT/mmx64.efi", info.Shim, info.CDGrub} {
		if !strings.Contains(got, want) {
			t.Errorf("commands lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "grub-mkstandalone") {
		t.Errorf("a standalone GRUB was built although the image has a signed one")
	}
	efi := state.Get(keyEFI).(*efiFiles)
	if efi.Shim != info.Shim || efi.Grub != info.CDGrub {
		t.Errorf("efi files = %+v", efi)
	}
}

// A signed GRUB whose prefix is elsewhere on the media (Fedora's gcdx64.efi reads
// EFI/BOOT/grub.cfg) finds a redirect to the media's grub.cfg there inside efiboot.img, for
// boots from the hybrid GPT's ESP.
func TestEFIBootRedirectsAGrubWithAnotherPrefix(t *testing.T) {
	info := &imageInfo{Shim: file(t, "shim", 900<<10), CDGrub: file(t, "gcd", 3<<20), CDGrubConfig: "EFI/BOOT/grub.cfg"}
	state, rec := stepState(t, info)
	if (&stepEFIBoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	var redirect string
	for _, c := range rec.Calls {
		if c.Argv[0] == "mcopy" && c.Argv[len(c.Argv)-1] == "::/EFI/BOOT/grub.cfg" {
			redirect = c.Argv[len(c.Argv)-2]
		}
	}
	b, err := os.ReadFile(redirect)
	if err != nil || string(b) != "search --no-floppy --set=root --label STEPS\nconfigfile ($root)/boot/grub/grub.cfg\n" {
		t.Errorf("efiboot.img's EFI/BOOT/grub.cfg is %q (%v):\n%s", b, err, rec.Joined())
	}
	if efi := state.Get(keyEFI).(*efiFiles); efi.GrubConfig != "EFI/BOOT/grub.cfg" {
		t.Errorf("the media layout is not told where GRUB reads its configuration: %+v", efi)
	}
}

// Without a CD-capable signed GRUB, a standalone GRUB from the image's modules becomes
// BOOTX64.EFI, finding the media by the configured label.
func TestEFIBootFallsBackToAStandaloneGRUB(t *testing.T) {
	mods := t.TempDir()
	info := &imageInfo{Shim: file(t, "shim", 1000), EFIModDir: mods}
	state, rec := stepState(t, info)
	rec.Respond = func(c execx.Cmd) (string, error) {
		if c.Argv[0] == "grub-mkstandalone" { // the recorder does not run it: make its output
			for i, a := range c.Argv {
				if a == "-o" {
					return "", os.WriteFile(c.Argv[i+1], make([]byte, 1<<20), 0o644)
				}
			}
		}
		return "", nil
	}
	if (&stepEFIBoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	got := rec.Joined()
	if !strings.Contains(got, "grub-mkstandalone -O x86_64-efi -d "+mods) {
		t.Errorf("no standalone GRUB from the image's modules:\n%s", got)
	}
	if strings.Contains(got, "grubx64.efi") || strings.Contains(got, info.Shim) {
		t.Errorf("the shim was kept in front of an unsigned GRUB:\n%s", got)
	}
	early, err := os.ReadFile(filepath.Join(state.Get(keyScratch).(string), "grub-early.cfg"))
	if err != nil || !strings.Contains(string(early), "--label STEPS") {
		t.Errorf("the early config does not search the label: %q %v", early, err)
	}
}

func TestBIOSBootPrefersTheImagesModules(t *testing.T) {
	mods := t.TempDir()
	state, rec := stepState(t, &imageInfo{BIOSModDir: mods})
	if (&stepBIOSBoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	if got := rec.Joined(); !strings.Contains(got, "grub-mkimage -O i386-pc-eltorito -d "+mods+" -p /boot/grub") {
		t.Errorf("grub-mkimage did not use the image's modules:\n%s", got)
	}
	if mbr := state.Get(keyBIOSMBR).(string); mbr != filepath.Join(mods, "boot_hybrid.img") {
		t.Errorf("hybrid MBR = %q, want the same GRUB's", mbr)
	}
}

// An image without i386-pc modules gets the host's; the host's directory is injected, so this
// runs the same with or without grub-pc-bin on the test machine.
func TestBIOSBootFallsBackToTheHostsModules(t *testing.T) {
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "normal.mod"), []byte("mod"), 0o644); err != nil {
		t.Fatal(err)
	}
	state, rec := stepState(t, &imageInfo{})
	if (&stepBIOSBoot{hostModDir: host}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	if !strings.Contains(rec.Joined(), "grub-mkimage -O i386-pc-eltorito -d "+host+" ") {
		t.Errorf("no fallback to the host's modules:\n%s", rec.Joined())
	}
	if mbr := state.Get(keyBIOSMBR).(string); mbr != filepath.Join(host, "boot_hybrid.img") {
		t.Errorf("hybrid MBR = %q, want the host GRUB's", mbr)
	}
}

// Neither the image nor the host has i386-pc modules: the build stops and says how to get
// them or how to turn BIOS boot off, having run nothing.
func TestBIOSBootWithoutAnyModulesSaysWhatToDo(t *testing.T) {
	host := t.TempDir()
	state, rec := stepState(t, &imageInfo{})
	if (&stepBIOSBoot{hostModDir: host}).Run(context.Background(), state) != multistep.ActionHalt {
		t.Fatal("want a halt without i386-pc modules")
	}
	err := state.Get(keyError).(error).Error()
	for _, want := range []string{"bios_boot = false", "grub-pc-bin", host} {
		if !strings.Contains(err, want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if got := rec.Joined(); got != "" {
		t.Errorf("commands ran although the step failed:\n%s", got)
	}
}

// The squashfs leaves out what belongs to the media in an image rebuilt from an ISO.
func TestSquashRootExcludesTheCarriedMedia(t *testing.T) {
	state, rec := stepState(t, &imageInfo{})
	root := t.TempDir()
	state.Put(keyTree, treeAt(root))
	rec.Respond = func(c execx.Cmd) (string, error) { return "", os.WriteFile(c.Argv[2], []byte("sqsh"), 0o644) }
	if (&stepSquashRoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	got := rec.Joined()
	for _, want := range []string{"mksquashfs " + root, "-comp gzip", "-xattrs", " boot ", "etc/fstab", liveos.CarryDir} {
		if !strings.Contains(got+" ", want) {
			t.Errorf("mksquashfs argv lacks %q:\n%s", want, got)
		}
	}
}

// treeAt stands for a mounted image whose root is dir.
func treeAt(dir string) *diskimage.Tree { return &diskimage.Tree{Root: dir} }

// With bios_boot = false there is no BIOS El Torito image in the state: the media plan and
// its xorriso argv are UEFI-only (no -b entry, no GRUB hybrid MBR).
func TestPlanWithoutBIOSBootIsUEFIOnly(t *testing.T) {
	var c Config
	if err := c.Prepare(map[string]interface{}{"bios_boot": false}); err != nil {
		t.Fatal(err)
	}
	if c.biosBoot() {
		t.Fatal("bios_boot = false did not turn BIOS boot off")
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyImage, &imageInfo{Kernels: []liveos.Kernel{{Version: "6.1.0-9", Vmlinuz: file(t, "vmlinuz", 10)}}})
	state.Put(keyInitrds, map[string]string{"6.1.0-9": file(t, "initrd", 10)})
	state.Put(keyEFI, &efiFiles{Shim: file(t, "shim", 10), Grub: file(t, "grub", 10), BootImg: file(t, "efiboot.img", 10)})
	state.Put(keySquashfs, file(t, "rootfs.img", 10))
	layout, _, err := planMedia(mustGather(t, &c, state))
	if err != nil {
		t.Fatal(err)
	}
	if layout.BIOSImg != "" {
		t.Errorf("UEFI-only media plan has a BIOS image %q", layout.BIOSImg)
	}
	argv := strings.Join(liveos.XorrisoArgv(layout.XorrisoOptions("/out/live.iso", "/stage", "")), " ")
	if strings.Contains(argv, " -b ") || strings.Contains(argv, "--grub2-mbr") || !strings.Contains(argv, " -e ") {
		t.Errorf("xorriso argv is not UEFI-only: %s", argv)
	}
}
