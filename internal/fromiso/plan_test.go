package fromiso

import (
	goldenfile "github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/golden"

	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// The whole rebuild's argv, in the order FromLiveISO runs it, for one media.
func TestRebuildArgvGolden(t *testing.T) {
	const media, esp, root = "/out/.from-iso-1/media", "/dev/loop7p1", "/dev/loop7p2"
	cmds := [][]string{
		ExtractArgv("/in/live os.iso", media),
		WritableArgv(media),
		ListSquashfsArgv(media + "/liveos/rootfs.img"),
		PartitionArgv("/out/image.raw"),
	}
	cmds = append(cmds, MkfsArgv(esp, root)...)
	cmds = append(cmds, ESPArgv(esp, media, []string{"EFI/BOOT/bootx64.efi", "EFI/BOOT/grubx64.efi"})...)
	cmds = append(cmds, UnsquashArgv(media+"/liveos/rootfs.img", "/out/.from-iso-1/root"), UUIDArgv(esp), UUIDArgv(root))
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(execx.Quote(c) + "\n")
	}
	b.WriteString("--- sfdisk script\n" + PartitionScript())
	b.WriteString("--- fstab\n" + Fstab("1111-root", "AAAA-ESP"))
	golden(t, "argv-rebuild", b.String())
}

// golden compares got with testdata/<name>.golden (go test -update rewrites it).
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }
