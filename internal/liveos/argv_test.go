package liveos

import (
	"reflect"
	"strings"
	"testing"
)

func TestArgvGolden(t *testing.T) {
	l, err := PlanLayout(debianInput())
	if err != nil {
		t.Fatal(err)
	}
	uefiOnly := l
	uefiOnly.BIOSImg = ""
	in := debianInput()
	tests := map[string]string{
		"argv-xorriso-bios-uefi": argvText(XorrisoArgv(l.XorrisoOptions("/out/live.iso", "/work/stage", "/usr/lib/grub/i386-pc/boot_hybrid.img"))),
		"argv-xorriso-uefi-only": argvText(XorrisoArgv(uefiOnly.XorrisoOptions("/out/live.iso", "/work/stage", "/usr/lib/grub/i386-pc/boot_hybrid.img"))),
		"argv-mksquashfs": argvText(
			MksquashfsArgv("/work/rootfs", "/work/rootfs.img", "", DefaultSquashExcludes(), 2),
			MksquashfsArgv("/work/rootfs", "/work/rootfs.img", "zstd", nil, 0)),
		"argv-dracut": argvText(DracutArgv("6.1.0-50-cloud-amd64", "/var/tmp/initrd.img-6.1.0-50-cloud-amd64")) +
			DracutConf(DefaultDracutModules(), []string{"sr_mod", "isofs", "squashfs", "overlay"}),
		"argv-efiboot": argvText(EFIBootImgArgv("/work/efiboot.img", 8192, EFIBootFiles(in.Shim, in.Grub, in.MokManager))...),
		"argv-grub": argvText(
			GrubBIOSImageArgv("/usr/lib/grub/i386-pc", "/work/bios.img", DefaultBIOSModules()),
			GrubStandaloneEFIArgv("/usr/lib/grub/x86_64-efi", "/work/BOOTX64.EFI", "/work/early.cfg")) +
			StandaloneEarlyConfig("DEBLIVE"),
	}
	for name, got := range tests {
		t.Run(name, func(t *testing.T) { golden(t, name, got) })
	}
}

func TestXorrisoArgvRules(t *testing.T) {
	o := XorrisoOptions{ISO: "o.iso", Label: "L", Staging: "s", EFIBootImg: "e.img", BIOSImg: PathBIOSImg, HybridMBR: "mbr"}
	argv := XorrisoArgv(o)
	if argv[len(argv)-1] != "s" {
		t.Errorf("staging dir is not the last argument: %q", argv)
	}
	joined := strings.Join(argv, " ")
	for _, want := range []string{"-iso-level 3", "-V L", "-o o.iso", "-b boot/grub/bios.img", "--grub2-mbr mbr",
		"-append_partition 2 0xef e.img", "-c boot/boot.cat"} {
		if !strings.Contains(joined, want) {
			t.Errorf("xorriso argv lacks %q: %s", want, joined)
		}
	}
	// The BIOS entry must come first: -eltorito-alt-boot starts the UEFI one.
	if b, e := strings.Index(joined, "-b "), strings.Index(joined, "-eltorito-alt-boot"); b < 0 || e < b {
		t.Errorf("BIOS entry not before -eltorito-alt-boot: %s", joined)
	}
	o.BIOSImg = ""
	joined = strings.Join(XorrisoArgv(o), " ")
	for _, absent := range []string{"-b ", "grub2", "-eltorito-alt-boot", "mbr"} {
		if strings.Contains(joined, absent) {
			t.Errorf("UEFI-only argv has %q: %s", absent, joined)
		}
	}
}

func TestLayoutXorrisoOptions(t *testing.T) {
	l := Layout{Label: "L", EFIBootImg: "/e.img"}
	if o := l.XorrisoOptions("i", "s", "/mbr"); o.HybridMBR != "" || o.BIOSImg != "" || o.EFIBootImg != "/e.img" || o.Label != "L" {
		t.Errorf("UEFI-only options = %+v", o)
	}
	l.BIOSImg = PathBIOSImg
	if o := l.XorrisoOptions("i", "s", "/mbr"); o.HybridMBR != "/mbr" || o.BIOSImg != PathBIOSImg {
		t.Errorf("BIOS options = %+v", o)
	}
}

func TestMksquashfsArgvExcludesLast(t *testing.T) {
	argv := MksquashfsArgv("src", "dst", "xz", []string{"boot"}, 3)
	want := []string{"mksquashfs", "src", "dst", "-noappend", "-xattrs", "-comp", "xz", "-processors", "3", "-wildcards", "-e", "boot"}
	if !reflect.DeepEqual(argv, want) {
		t.Errorf("argv = %q\nwant %q", argv, want)
	}
}

func TestValidCompression(t *testing.T) {
	for _, ok := range []string{"", "gzip", "zstd", "xz", "lz4"} {
		if err := ValidCompression(ok); err != nil {
			t.Errorf("ValidCompression(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"lzo", "ZSTD", "zstd ", "none"} {
		err := ValidCompression(bad)
		if err == nil || !strings.Contains(err.Error(), "gzip, zstd, xz, lz4") {
			t.Errorf("ValidCompression(%q) = %v, want an error listing the choices", bad, err)
		}
	}
}

func TestEFIBootImgSizeKiB(t *testing.T) {
	tests := []struct {
		sizes []int64
		want  int
	}{
		{nil, 2048},
		{[]int64{1}, 2048},
		// Debian: shim, gcdx64, mmx64 -> 5656 KiB of clusters, +565 KiB
		// and 1 MiB = 7245 KiB -> 8 MiB.
		{[]int64{955_984, 3_979_904, 849_488}, 8192},
		{[]int64{1_200_000}, 3072},
		{[]int64{4096 * 256 * 10}, 12288}, // 10 MiB -> 11 MiB + 1 MiB
	}
	for _, tc := range tests {
		got := EFIBootImgSizeKiB(tc.sizes)
		if got != tc.want {
			t.Errorf("EFIBootImgSizeKiB(%v) = %d, want %d", tc.sizes, got, tc.want)
		}
		var sum int64
		for _, s := range tc.sizes {
			sum += s
		}
		if int64(got)*1024 < sum+1024*1024 || got%1024 != 0 {
			t.Errorf("EFIBootImgSizeKiB(%v) = %d: not whole MiB with room for the files", tc.sizes, got)
		}
	}
}

func TestEFIBootFiles(t *testing.T) {
	if got := EFIBootFiles("", "/g", "/m"); len(got) != 1 || got[0].Dest != "EFI/BOOT/BOOTX64.EFI" || got[0].Source != "/g" {
		t.Errorf("standalone: %+v", got)
	}
	if got := EFIBootFiles("/s", "/g", ""); len(got) != 2 || got[0].Source != "/s" || got[1].Dest != "EFI/BOOT/grubx64.efi" {
		t.Errorf("shim without MokManager: %+v", got)
	}
}

func TestFilterDrivers(t *testing.T) {
	dep := "kernel/drivers/scsi/sr_mod.ko.xz: kernel/drivers/cdrom/cdrom.ko.xz\n" +
		"kernel/drivers/cdrom/cdrom.ko.xz:\n" +
		"kernel/drivers/md/dm-mod.ko:\n" +
		"kernel/fs/isofs/isofs.ko.zst:\n" +
		"kernel/drivers/scsi/virtio_scsi.ko.gz:\n"
	builtin := "kernel/fs/squashfs/squashfs.ko\nkernel/fs/overlayfs/overlay.ko\n"
	wanted := []string{"sr_mod", "ahci", "dm_mod", "isofs", "squashfs", "overlay", "virtio-scsi", "hv_storvsc", "sr-mod", "cdrom"}
	got := FilterDrivers(wanted, dep, builtin)
	want := []string{"sr_mod", "dm_mod", "isofs", "squashfs", "overlay", "virtio-scsi", "cdrom"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FilterDrivers = %q, want %q", got, want)
	}
	if got := FilterDrivers(wanted, "", ""); got != nil {
		t.Errorf("FilterDrivers with no module lists = %q, want none", got)
	}
}

func TestDracutConf(t *testing.T) {
	conf := DracutConf([]string{"dmsquash-live", "livenet"}, nil)
	if !strings.Contains(conf, `hostonly="no"`) || !strings.Contains(conf, `add_dracutmodules+=" dmsquash-live livenet "`) {
		t.Errorf("conf:\n%s", conf)
	}
	if strings.Contains(conf, "add_drivers") {
		t.Errorf("empty driver list still written:\n%s", conf)
	}
}

func TestStandaloneEarlyConfigKeepsPrefix(t *testing.T) {
	cfg := StandaloneEarlyConfig("DEBLIVE")
	if strings.Contains(cfg, "prefix") {
		t.Errorf("early config touches $prefix:\n%s", cfg)
	}
	if !strings.Contains(cfg, "--label DEBLIVE") || !strings.Contains(cfg, "configfile ($root)/boot/grub/grub.cfg") {
		t.Errorf("early config:\n%s", cfg)
	}
}
