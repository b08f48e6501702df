package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// handWriteGrub turns the reference image into one whose grub.cfg is written by hand, as
// many minimal and appliance images are made: no /etc/default/grub, so grub-mkconfig is not
// the image's way to boot. The ESP stub still loads /boot/grub/grub.cfg. A copy of the
// hand-written file is kept to compare with after the customization.
const handWriteGrub = `#!/bin/sh
set -eu
v=$(ls /boot/vmlinuz-* | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)
uuid=$(awk '$2 == "/" { sub("^UUID=", "", $1); print $1 }' /etc/fstab)
rm /etc/default/grub
cat > /boot/grub/grub.cfg <<GRUBCFG
# Written by hand: no grub-mkconfig.
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1

menuentry 'Hand-written Debian' {
	search --no-floppy --fs-uuid --set=root $uuid
	linux /boot/vmlinuz-$v root=UUID=$uuid ro console=tty0 console=ttyS0,115200   # serial console
	initrd /boot/initrd.img-$v
}
GRUBCFG
cp /boot/grub/grub.cfg /root/grub.cfg.handwritten
`

const handWrittenYAMLTemplate = `
os:
  kernelCommandLine:
    extraCommandLine:
    - "ds=nocloud"
    - "e2e.semicolon=a;b"
    - "e2e.mark=MARK"
  additionalFiles:
    cloud-init-data/user-data: /var/lib/cloud/seed/nocloud/user-data
    cloud-init-data/meta-data: /var/lib/cloud/seed/nocloud/meta-data
    cloud-init-data/network-config: /var/lib/cloud/seed/nocloud/network-config
`

const handWrittenTemplate = qcow2SourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    script = "hand-write-grub.sh"
  }
  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }
}
`

// TestKernelArgsOnHandWrittenGrubCfg: os.kernelCommandLine on an image whose grub.cfg is
// written by hand adds the arguments to its linux line, leaves every other byte, and the
// disk boots with them on /proc/cmdline (an argument with `;` proves GRUB's quoting).
func TestKernelArgsOnHandWrittenGrubCfg(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	mark := marker("E2E-HANDGRUB")
	files := seedFiles(mark)
	files["hand-write-grub.sh"] = handWriteGrub
	files["imagecustomizer.yaml"] = strings.ReplaceAll(handWrittenYAMLTemplate, "MARK", mark)
	files["build.pkr.hcl"] = handWrittenTemplate
	writeFiles(t, dir, files)

	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	t.Logf("MEASURE hand-written grub.cfg build: packer build %.1fs", b.Elapsed.Seconds())
	assertNothingLeft(t, dir)
	disk := filepath.Join(dir, "output", "image.qcow2")

	tree := openImage(t, disk)
	before, _ := readImageFile(t, tree, "/root/grub.cfg.handwritten")
	after, _ := readImageFile(t, tree, "/boot/grub/grub.cfg")
	added := " ds=nocloud 'e2e.semicolon=a;b' e2e.mark=" + mark
	if want := strings.Replace(before, ",115200   #", ",115200"+added+"   #", 1); after != want || want == before {
		t.Errorf("grub.cfg is not the hand-written one with%s on its linux line:\n%s", added, after)
	}
	if !strings.Contains(b.Output, "/boot/grub/grub.cfg: grub.cfg without grub-mkconfig") {
		t.Errorf("the build log does not say which layout got the arguments")
	}

	res := testenv.Boot(t, testenv.BootOptions{
		Name: "handwritten-grub-disk", Disk: disk, Firmware: testenv.UEFI, Timeout: 15 * time.Minute,
		Expect: []string{regexp.QuoteMeta(mark) + ` cmdline=.*root=UUID=\S+ ro console=tty0 console=ttyS0,115200 ` +
			`ds=nocloud e2e\.semicolon=a;b e2e\.mark=` + regexp.QuoteMeta(mark)},
	})
	t.Logf("MEASURE boot hand-written grub.cfg disk: %s", testenv.FormatMilestones(res.Milestones))
}
