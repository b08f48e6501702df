package diskimage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// testPart describes one partition of a test image. Partitions are laid
// out one after another from sector 2048.
type testPart struct {
	name    string
	sizeMiB int
	fs      string // "ext4", "vfat" or "" (left empty)
	uuid    string // ext4: a UUID; vfat: a volume ID such as ABCD1234
	label   string
	files   map[string]string // path → content; a path ending in "/" is a directory
	links   map[string]string // path → symlink target (ext4 only)
}

type testImage struct {
	path    string
	offsets []int64 // byte offset of each partition
}

// buildImage writes a GPT disk with the given partitions, made with the
// file system tools themselves (no loop device, no root).
func buildImage(t *testing.T, parts ...testPart) testImage {
	t.Helper()
	dir := t.TempDir()
	img := testImage{path: filepath.Join(dir, "disk.img")}
	var script strings.Builder
	script.WriteString("label: gpt\n")
	start, total := int64(2048), 2048+34
	for _, p := range parts {
		typ := "L"
		if p.fs == "vfat" {
			typ = "U"
		}
		fmt.Fprintf(&script, "start=%d,size=%d,name=%s,type=%s\n", start, p.sizeMiB*2048, p.name, typ)
		img.offsets = append(img.offsets, start*512)
		start += int64(p.sizeMiB * 2048)
		total += p.sizeMiB * 2048
	}
	f, err := os.Create(img.path)
	if err == nil {
		err = f.Truncate(int64(total) * 512)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	sfdisk(t, img.path, script.String())
	for i, p := range parts {
		off := img.offsets[i]
		switch p.fs {
		case "ext4":
			src := filepath.Join(dir, fmt.Sprintf("p%d", i+1))
			populate(t, src, p.files, p.links)
			run(t, nil, "mkfs.ext4", "-q", "-F", "-E", fmt.Sprintf("offset=%d", off), "-U", p.uuid, "-L", p.label,
				"-d", src, img.path, fmt.Sprintf("%dk", p.sizeMiB*1024))
		case "vfat":
			run(t, nil, "mkfs.vfat", fmt.Sprintf("--offset=%d", off/512), "-i", p.uuid, "-n", p.label, img.path, fmt.Sprint(p.sizeMiB*1024))
			src := filepath.Join(dir, fmt.Sprintf("p%d", i+1))
			populate(t, src, p.files, nil)
			entries, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				run(t, mtoolsEnv, "mcopy", "-s", "-i", img.at(i), filepath.Join(src, e.Name()), "::/")
			}
		}
	}
	return img
}

// at is the mtools name of partition i of the image file.
func (img testImage) at(i int) string { return fmt.Sprintf("%s@@%d", img.path, img.offsets[i]) }

func populate(t *testing.T, dir string, files, links map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, full, []byte(content))
	}
	for p, target := range links {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
}

func run(t *testing.T, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s%s", execx.Quote(argv), err, out, stderr)
	}
	return string(out)
}

func runner(t *testing.T) execx.Runner {
	return &execx.Real{Logf: func(f string, a ...any) { t.Logf(f, a...) }}
}

// attach attaches img and registers checks that, when the test ends, the
// loop device is gone and nothing is mounted under any of dirs.
func attach(t *testing.T, img string, readOnly bool, dirs ...string) *Loop {
	t.Helper()
	l, err := AttachLoop(context.Background(), runner(t), img, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close loop: %v", err)
		}
		assertClean(t, img, dirs...)
	})
	return l
}

func assertClean(t *testing.T, img string, dirs ...string) {
	t.Helper()
	if out := run(t, nil, "losetup", "--noheadings", "--associated", img); strings.TrimSpace(out) != "" {
		t.Errorf("loop device left attached to %s: %s", img, out)
	}
	assertNoMounts(t, dirs...)
}

// assertNoMounts checks that nothing is mounted at or under any of dirs.
func assertNoMounts(t *testing.T, dirs ...string) {
	t.Helper()
	mi, err := readMountinfo()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if left := mountsUnder(mi, d); len(left) > 0 {
			t.Errorf("left mounted under %s: %q", d, left)
		}
	}
}

func sha(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func readIn(t *testing.T, root, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, p))
	if err != nil {
		t.Fatalf("read %s in the image: %v", p, err)
	}
	return string(b)
}
