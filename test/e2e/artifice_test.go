package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// artificeTemplate hands the ISO post-processor whatever files var.files lists, the way a
// user chains another builder's output into it.
const artificeTemplate = `
variable "files" { type = list(string) }

source "null" "none" {
  communicator = "none"
}

build {
  sources = ["source.null.none"]
  post-processors {
    post-processor "artifice" {
      files = var.files
    }
    post-processor "imagecustomizer-iso" {
      output = "output/live.iso"
    }
  }
}
`

// An artifact without exactly one disk image fails before any work, listing every file and
// what it is; the files are left as they were. (The success path, a VM's disk next to its
// efivars.fd, is TestSSHProvisioningThroughSudoThenArtificeToISO.)
func TestArtificeWithoutExactlyOneDiskImageFailsListingTheFiles(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"build.pkr.hcl": artificeTemplate,
		"notes.txt":     strings.Repeat("build notes\n", 100),
	})
	copyFile(t, "/usr/share/OVMF/OVMF_VARS_4M.fd", filepath.Join(dir, "efivars.fd"))
	for _, argv := range [][]string{
		{"qemu-img", "create", "-q", "-f", "qcow2", "-b", imgs.EFIQcow2, "-F", "qcow2", filepath.Join(dir, "vm.qcow2")},
		{"qemu-img", "create", "-q", "-f", "raw", filepath.Join(dir, "blank.raw"), "4M"},
		{"sh", "-c", "echo 'label: gpt' | sfdisk -q " + filepath.Join(dir, "blank.raw")},
	} {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	sums := map[string]string{}
	for _, f := range []string{"efivars.fd", "notes.txt", "vm.qcow2", "blank.raw"} {
		sums[f] = sha256File(t, filepath.Join(dir, f))
	}
	for _, c := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"two disk images", []string{"vm.qcow2", "efivars.fd", "blank.raw"}, []string{
			"has 2 disk images; want exactly one",
			"vm.qcow2: qcow2 disk image", "blank.raw: raw disk image (GPT)",
			"efivars.fd: UEFI firmware volume (such as a VM's efivars.fd), not a disk image",
		}},
		{"no disk image", []string{"efivars.fd", "notes.txt"}, []string{
			"has no disk image (raw, qcow2, vhd, vhdx or a Live OS ISO) among its 2 file(s)",
			"notes.txt: not a disk image",
		}},
	} {
		b := packerBuild(t, context.Background(), dir, map[string]string{"files": hclList(c.files)})
		if b.Err == nil {
			t.Fatalf("%s: packer build succeeded", c.name)
		}
		for _, w := range c.want {
			if !strings.Contains(b.Output, w) {
				t.Errorf("%s: build output does not say %q", c.name, w)
			}
		}
	}
	for f, sum := range sums {
		if got := sha256File(t, filepath.Join(dir, f)); got != sum {
			t.Errorf("%s changed", f)
		}
	}
	assertNothingLeft(t, dir)
}

// hclList renders a list of strings as an HCL list value for -var.
func hclList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = `"` + s + `"`
	}
	return "[" + strings.Join(q, ", ") + "]"
}
