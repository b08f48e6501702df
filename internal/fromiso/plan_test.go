package fromiso

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

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

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run go test ./internal/fromiso -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", name, p, got, want)
	}
}
