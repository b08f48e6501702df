package bootconfig

import (
	goldenfile "github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/golden"

	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// golden compares got with testdata/<name>.golden (go test -update rewrites it).
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

func readTree(t *testing.T, name string) Snapshot {
	t.Helper()
	s, err := Read(rootfs.Reader{Root: filepath.Join("testdata", "trees", name)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// planText renders a plan for golden files: each edit's path, reason and new content, then
// the grub.cfg rebuilds.
func planText(p Plan) string {
	var b strings.Builder
	for _, e := range p.Edits {
		b.WriteString("=== edit " + e.Path + " (" + e.Why + ")\n" + e.Content)
	}
	for _, m := range p.Mkconfig {
		b.WriteString("=== run " + MkconfigScript(m) + "\n")
	}
	return b.String()
}

// The arguments every fixture gets: a plain one, one GRUB must quote (`;` ends a command),
// and one with a kernel-quoted value.
var fixtureArgs = []string{"ds=nocloud", "ds=nocloud;s=file:///seed/", `opt="a b"`}

func TestPlanKernelArgsLayouts(t *testing.T) {
	tests := []struct {
		tree     string
		edits    []string
		mkconfig []string
	}{
		{"debian12", []string{"/etc/default/grub"}, []string{"/boot/grub/grub.cfg"}},
		{"debian13", []string{"/etc/default/grub"}, []string{"/boot/grub/grub.cfg"}},
		{"debian-cloud", []string{"/etc/default/grub.d/50-cloudimg-settings.cfg"}, []string{"/boot/grub/grub.cfg"}},
		{"debian-handwritten", []string{"/boot/grub/grub.cfg"}, nil},
		{"handwritten-with-defaults", []string{"/boot/grub/grub.cfg"}, nil},
		{"systemd-boot", []string{"/etc/kernel/cmdline", "/efi/loader/entries/8c1f0d2a-6.12.0.conf"}, nil},
		{"fedora40", []string{"/etc/default/grub", "/etc/kernel/cmdline",
			"/boot/loader/entries/2f6e1c0a9b8d4e7f8a1b2c3d4e5f6a7b-0-rescue.conf",
			"/boot/loader/entries/2f6e1c0a9b8d4e7f8a1b2c3d4e5f6a7b-6.8.5-301.fc40.x86_64.conf"},
			[]string{"/boot/grub2/grub.cfg"}},
		{"fedora32-kernelopts", []string{"/etc/default/grub"}, []string{"/boot/grub2/grub.cfg"}},
		{"rhel7-efi", []string{"/etc/default/grub"}, []string{"/boot/efi/EFI/redhat/grub.cfg"}},
		{"azurelinux3", []string{"/etc/default/grub.d/10_selinux.cfg"}, []string{"/boot/grub2/grub.cfg"}},
		{"azurelinux2", []string{"/boot/grub2/grub.cfg"}, nil},
		{"azurelinux4", []string{"/etc/default/grub",
			"/boot/loader/entries/6a1b2c3d4e5f60718293a4b5c6d7e8f9-6.12.20.azl4.x86_64.conf"},
			[]string{"/boot/grub2/grub.cfg"}},
	}
	for _, tt := range tests {
		t.Run(tt.tree, func(t *testing.T) {
			p, err := PlanKernelArgs(readTree(t, tt.tree), fixtureArgs)
			if err != nil {
				t.Fatal(err)
			}
			var edits, mk []string
			for _, e := range p.Edits {
				edits = append(edits, e.Path)
			}
			for _, m := range p.Mkconfig {
				mk = append(mk, m.Output)
			}
			if !reflect.DeepEqual(edits, tt.edits) {
				t.Errorf("edits %q, want %q", edits, tt.edits)
			}
			if !reflect.DeepEqual(mk, tt.mkconfig) {
				t.Errorf("grub.cfg rebuilds %q, want %q", mk, tt.mkconfig)
			}
			golden(t, "plan-"+tt.tree, planText(p))
		})
	}
}

func TestPlanKernelArgsNoLayout(t *testing.T) {
	looked := "looked for /etc/default/grub with a grub.cfg written by grub-mkconfig; a grub.cfg with linux commands " +
		"(/boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/efi/EFI/*/grub.cfg); /etc/kernel/cmdline; Boot Loader " +
		"Specification entries (/boot/loader/entries/*.conf, /boot/efi/loader/entries/*.conf, /efi/loader/entries/*.conf)"
	tests := map[string]string{
		"none":      "add kernel arguments: found no kernel command line to change in the image; " + looked,
		"stub-only": "add kernel arguments: found no kernel command line to change in the image; " + looked + "; /boot/efi/EFI/debian/grub.cfg has no linux command",
	}
	for tree, want := range tests {
		_, err := PlanKernelArgs(readTree(t, tree), fixtureArgs)
		if err == nil || err.Error() != want {
			t.Errorf("%s: error\n%v\nwant\n%s", tree, err, want)
		}
	}
}

// A grub.cfg the edit cannot read is reported with its path, not half-edited.
func TestPlanKernelArgsBadGrubCfg(t *testing.T) {
	s := Snapshot{GrubCfgs: []File{{Path: "/boot/grub/grub.cfg", Content: "menuentry x {\n linux\n}\n"}}}
	_, err := PlanKernelArgs(s, []string{"a"})
	want := "add kernel arguments to /boot/grub/grub.cfg: line 2: linux command has no kernel path"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestPlanKernelArgsNothingToAdd(t *testing.T) {
	p, err := PlanKernelArgs(readTree(t, "none"), nil)
	if err != nil || len(p.Edits)+len(p.Mkconfig) != 0 {
		t.Errorf("PlanKernelArgs with no arguments = %+v, %v", p, err)
	}
}

// An image with /etc/default/grub and no grub.cfg yet gets the settings edited and the
// image's tool run with its default output.
func TestPlanKernelArgsNoGrubCfgYet(t *testing.T) {
	s := Snapshot{DefaultGrub: &File{Path: DefaultGrub, Content: "GRUB_TIMEOUT=1\n"}}
	p, err := PlanKernelArgs(s, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Edits) != 1 || p.Edits[0].Content != "GRUB_TIMEOUT=1\nGRUB_CMDLINE_LINUX=\"a\"\n" ||
		!reflect.DeepEqual(p.Mkconfig, []Mkconfig{{}}) {
		t.Errorf("plan = %+v", p)
	}
}

func TestMkconfigScript(t *testing.T) {
	none := "; else echo 'found none of update-grub, grub2-mkconfig, grub-mkconfig in the image' >&2; exit 127; fi"
	tests := map[string]string{
		"": "if command -v update-grub; then update-grub; elif command -v grub2-mkconfig; then grub2-mkconfig -o /boot/grub2/grub.cfg; " +
			"elif command -v grub-mkconfig; then grub-mkconfig -o /boot/grub/grub.cfg" + none,
		"/boot/grub/grub.cfg": "if command -v update-grub; then update-grub; elif command -v grub2-mkconfig; then grub2-mkconfig -o /boot/grub/grub.cfg; " +
			"elif command -v grub-mkconfig; then grub-mkconfig -o /boot/grub/grub.cfg" + none,
		"/boot/grub2/grub.cfg": "if command -v grub2-mkconfig; then grub2-mkconfig -o /boot/grub2/grub.cfg; " +
			"elif command -v grub-mkconfig; then grub-mkconfig -o /boot/grub2/grub.cfg" + none,
		"/boot/efi/EFI/my vendor/grub.cfg": "if command -v grub2-mkconfig; then grub2-mkconfig -o '/boot/efi/EFI/my vendor/grub.cfg'; " +
			"elif command -v grub-mkconfig; then grub-mkconfig -o '/boot/efi/EFI/my vendor/grub.cfg'" + none,
	}
	for out, want := range tests {
		if got := MkconfigScript(Mkconfig{Output: out}); got != want {
			t.Errorf("MkconfigScript(%q) =\n%s\nwant\n%s", out, got, want)
		}
	}
}
