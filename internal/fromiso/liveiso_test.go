package fromiso

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

func TestIsLiveISO(t *testing.T) {
	testenv.RequireTool(t, "xorriso")
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for name, content := range map[string]string{
		"live/liveos/rootfs.img": "squashfs stand-in",
		"other/docs/readme":      "not live",
		"notes.txt":              "just text",
	} {
		if err := os.MkdirAll(filepath.Dir(p(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tree := range []string{"live", "other"} {
		if out, err := exec.Command("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", p(tree+".iso"), p(tree)).CombinedOutput(); err != nil {
			t.Fatalf("xorriso: %v\n%s", err, out)
		}
	}
	for _, tc := range []struct {
		file, why string
		ok        bool
	}{
		{"live.iso", "", true},
		{"other.iso", "no /liveos/rootfs.img", false},
		{"notes.txt", "unreadable ISO 9660 file system", false},
	} {
		ok, why := IsLiveISO(p(tc.file))
		if ok != tc.ok || (tc.why != "" && len(why) < len(tc.why)) || (tc.why != "" && why[:len(tc.why)] != tc.why) {
			t.Errorf("IsLiveISO(%s) = %v, %q; want %v, %q...", tc.file, ok, why, tc.ok, tc.why)
		}
	}
}
