package liveos

// These tests run the planned argv with the real tools on small trees, to
// prove the plans work with the versions on the build machine. They skip
// when a tool is missing, except in CI.

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMksquashfsArgvRealTree(t *testing.T) {
	requireTools(t, "mksquashfs", "unsquashfs")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	for _, f := range []string{"proc/1/stat", "proc/.hidden", "sys/kernel/x", "dev/null", "run/lock/.x",
		"tmp/.X11-unix/X0", "tmp/file", "boot/vmlinuz-6.1", "boot/grub/grub.cfg", "etc/fstab",
		"etc/hostname", "etc/fstab.d/keep", "usr/bin/tool", "var/boot/keep"} {
		writeFile(t, filepath.Join(src, f), []byte(f))
	}
	for _, comp := range Compressions {
		t.Run(comp, func(t *testing.T) {
			img := filepath.Join(dir, comp+".img")
			run(t, MksquashfsArgv(src, img, comp, DefaultSquashExcludes(), 1)...)

			if s := run(t, "unsquashfs", "-s", img); !strings.Contains(s, "Compression "+comp) {
				t.Errorf("unsquashfs -s does not report %s compression:\n%s", comp, s)
			}
			entries := map[string]string{} // path -> mode string
			for _, line := range strings.Split(run(t, "unsquashfs", "-lln", img), "\n") {
				fields := strings.Fields(line)
				if len(fields) >= 6 {
					p := strings.TrimPrefix(strings.TrimPrefix(fields[len(fields)-1], "squashfs-root"), "/")
					entries[p] = fields[0]
				}
			}
			for _, d := range []string{"proc", "sys", "dev", "run", "tmp"} {
				if !strings.HasPrefix(entries[d], "d") {
					t.Errorf("/%s is not a directory in the image (%q)", d, entries[d])
				}
				for p := range entries {
					if strings.HasPrefix(p, d+"/") {
						t.Errorf("/%s is not empty: has %s", d, p)
					}
				}
			}
			for _, absent := range []string{"boot", "boot/vmlinuz-6.1", "etc/fstab"} {
				if _, ok := entries[absent]; ok {
					t.Errorf("%s is in the image", absent)
				}
			}
			for _, kept := range []string{"etc/hostname", "etc/fstab.d/keep", "usr/bin/tool", "var/boot/keep"} {
				if _, ok := entries[kept]; !ok {
					t.Errorf("%s is missing from the image", kept)
				}
			}
		})
	}
}

func TestEFIBootImgArgvReal(t *testing.T) {
	requireTools(t, "mkfs.vfat", "mmd", "mcopy", "mdir", "fsck.fat")
	dir := t.TempDir()
	files := EFIBootFiles(filepath.Join(dir, "shimx64.efi"), filepath.Join(dir, "gcdx64.efi"), filepath.Join(dir, "mmx64.efi"))
	var sizes []int64
	for i, f := range files {
		data := randomBytes(t, 900_000+i*1_500_000)
		writeFile(t, f.Source, data)
		sizes = append(sizes, int64(len(data)))
	}
	img := filepath.Join(dir, "efiboot.img")
	for _, argv := range EFIBootImgArgv(img, EFIBootImgSizeKiB(sizes), files) {
		run(t, argv...)
	}
	listing := run(t, "mdir", "-i", img, "::/EFI/BOOT")
	for _, name := range []string{"BOOTX64  EFI", "grubx64  efi", "mmx64    efi"} {
		if !strings.Contains(listing, name) {
			t.Errorf("mdir does not list %q:\n%s", name, listing)
		}
	}
	run(t, "fsck.fat", "-n", img)
	for _, f := range files {
		out := filepath.Join(dir, "back-"+filepath.Base(f.Dest))
		run(t, "mcopy", "-i", img, "::/"+f.Dest, out)
		got, _ := os.ReadFile(out)
		want, _ := os.ReadFile(f.Source)
		if !bytes.Equal(got, want) {
			t.Errorf("%s in efiboot.img differs from %s", f.Dest, f.Source)
		}
	}
}

func TestRenderGrubCfgScriptCheck(t *testing.T) {
	requireTools(t, "grub-script-check")
	names, err := filepath.Glob("testdata/grubcfg-*.golden")
	if err != nil || len(names) == 0 {
		t.Fatalf("no grub.cfg golden files: %v", err)
	}
	names = append(names, "early")
	for _, name := range names {
		p := name
		if name == "early" {
			p = filepath.Join(t.TempDir(), "early.cfg")
			writeFile(t, p, []byte(StandaloneEarlyConfig("DEBLIVE")))
		}
		run(t, "grub-script-check", p)
	}
}

func TestGrubStandaloneEFIArgvReal(t *testing.T) {
	modDir := "/usr/lib/grub/x86_64-efi"
	requireTools(t, "grub-mkstandalone")
	requireDir(t, modDir, "grub-efi-amd64-bin")
	dir := t.TempDir()
	early := filepath.Join(dir, "early.cfg")
	writeFile(t, early, []byte(StandaloneEarlyConfig("DEBLIVE")))
	out := filepath.Join(dir, "BOOTX64.EFI")
	run(t, GrubStandaloneEFIArgv(modDir, out, early)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("MZ")) || len(data) > 3<<20 {
		t.Errorf("standalone GRUB is not a small PE image: %d bytes, starts %q", len(data), data[:2])
	}
}

func requireDir(t *testing.T, dir, pkg string) {
	t.Helper()
	testenv.RequirePath(t, dir, pkg)
}

// TestXorrisoArgvReal stages a planned layout the way the executor does and
// writes the ISO with real xorriso, UEFI-only and with BIOS boot, then checks
// its El Torito entries, system area and tree. Both variants always run: which
// one a build takes is the caller's choice (bios_boot), not the host's.
func TestXorrisoArgvReal(t *testing.T) {
	requireTools(t, "xorriso", "mkfs.vfat", "mmd", "mcopy")
	t.Run("uefi-only", func(t *testing.T) { checkRealISO(t, false) })
	t.Run("uefi-and-bios", func(t *testing.T) {
		requireTools(t, "grub-mkimage")
		requireDir(t, hostBIOSModules, "grub-pc-bin")
		checkRealISO(t, true)
	})
}

// hostBIOSModules is where Debian's grub-pc-bin keeps GRUB's i386-pc modules.
const hostBIOSModules = "/usr/lib/grub/i386-pc"

// realLayout plans the media of a fake image; with bios it builds GRUB's
// El Torito core from the host's i386-pc modules.
func realLayout(t *testing.T, dir string, bios bool) Layout {
	t.Helper()
	in := LayoutInput{
		Label:      "TESTLIVE",
		Kernels:    []Kernel{{Version: "6.1.0-1-amd64", Vmlinuz: filepath.Join(dir, "vmlinuz"), Initrd: filepath.Join(dir, "initrd")}},
		GrubCfg:    RenderGrubCfg(GrubConfig{Label: "TESTLIVE"}),
		EFIBootImg: filepath.Join(dir, "efiboot.img"),
		Shim:       filepath.Join(dir, "shim.efi"),
		Grub:       filepath.Join(dir, "grub.efi"),
		Squashfs:   filepath.Join(dir, "rootfs.img"),
		AdditionalFiles: []MediaFile{
			{Dest: "cloud-init-data/user-data", Content: []byte("#cloud-config\n")},
		},
	}
	for _, p := range []string{in.Kernels[0].Vmlinuz, in.Kernels[0].Initrd, in.Shim, in.Grub, in.Squashfs} {
		writeFile(t, p, randomBytes(t, 100_000))
	}
	if bios {
		in.BIOSImg = filepath.Join(dir, "bios.img")
		run(t, GrubBIOSImageArgv(hostBIOSModules, in.BIOSImg, DefaultBIOSModules())...)
	}
	for _, argv := range EFIBootImgArgv(in.EFIBootImg, EFIBootImgSizeKiB([]int64{100_000, 100_000}), EFIBootFiles(in.Shim, in.Grub, "")) {
		run(t, argv...)
	}
	l, err := PlanLayout(in)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func checkRealISO(t *testing.T, bios bool) {
	dir := t.TempDir()
	l := realLayout(t, dir, bios)
	stage := filepath.Join(dir, "stage")
	for _, f := range l.Files {
		data := f.Content
		if f.Source != "" {
			var err error
			if data, err = os.ReadFile(f.Source); err != nil {
				t.Fatal(err)
			}
		}
		writeFile(t, filepath.Join(stage, f.Dest), data)
	}
	iso := filepath.Join(dir, "live.iso")
	mbr := ""
	if bios {
		mbr = filepath.Join(hostBIOSModules, "boot_hybrid.img")
	}
	run(t, XorrisoArgv(l.XorrisoOptions(iso, stage, mbr))...)

	report := run(t, "xorriso", "-indev", iso, "-report_el_torito", "plain", "-report_system_area", "plain")
	if !regexpMatch(report, `El Torito boot img :\s+\d+\s+UEFI\s+y\s+none`) {
		t.Errorf("no UEFI El Torito entry:\n%s", report)
	}
	if got := regexpMatch(report, `El Torito boot img :\s+\d+\s+BIOS\s+y\s+none`); got != bios {
		t.Errorf("BIOS El Torito entry present = %v, want %v:\n%s", got, bios, report)
	}
	if pvd := run(t, "xorriso", "-indev", iso, "-pvd_info"); !regexpMatch(pvd, `(?m)^Volume Id\s*: TESTLIVE$`) {
		t.Errorf("volume id is not the label:\n%s", pvd)
	}
	// The ESP appended as GPT partition 2 is what USB-booting UEFI firmware
	// looks for (type C12A7328-F81F-11D2-BA4B-00A0C93EC93B).
	if !strings.Contains(report, "28732ac11ff8d211ba4b00a0c93ec93b") {
		t.Errorf("no EFI system partition in the GPT:\n%s", report)
	}
	if got := strings.Contains(report, "grub2-mbr"); got != bios {
		t.Errorf("GRUB hybrid MBR for BIOS USB boot present = %v, want %v:\n%s", got, bios, report)
	}
	tree := run(t, "xorriso", "-indev", iso, "-find", "/", "-type", "f")
	for _, f := range l.Files {
		if !strings.Contains(tree, "'/"+f.Dest+"'") {
			t.Errorf("%s is not in the ISO tree:\n%s", f.Dest, tree)
		}
	}
}
