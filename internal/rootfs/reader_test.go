package rootfs

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReader(t *testing.T) {
	root := t.TempDir()
	for p, body := range map[string]string{
		"boot/grub/grub.cfg": "real", "boot/efi/EFI/debian/grub.cfg": "stub", "boot/efi/EFI/BOOT/BOOTX64.EFI": "",
		"etc/default/grub.d/50-b.cfg": "b", "etc/default/grub.d/10-a.cfg": "a", "etc/default/grub.d/x.txt": "",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link that would leave the root, and one to a file inside it: neither is read through.
	if err := os.Symlink("/etc/hostname", filepath.Join(root, "boot/efi/EFI/evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "boot/grub2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../grub/grub.cfg", filepath.Join(root, "boot/grub2/grub.cfg")); err != nil {
		t.Fatal(err)
	}
	r := Reader{Root: root}
	if s, ok, err := r.ReadFile("/boot/grub/grub.cfg"); s != "real" || !ok || err != nil {
		t.Errorf("ReadFile(grub.cfg) = %q, %v, %v", s, ok, err)
	}
	for _, p := range []string{"/boot/grub2/grub.cfg", "/boot/grub", "/missing", "/boot/efi/EFI/evil"} {
		if s, ok, err := r.ReadFile(p); ok || err != nil {
			t.Errorf("ReadFile(%s) = %q, %v, %v; want not found", p, s, ok, err)
		}
	}
	globs := map[string][]string{
		"/etc/default/grub.d/*.cfg":   {"/etc/default/grub.d/10-a.cfg", "/etc/default/grub.d/50-b.cfg"},
		"/boot/efi/EFI/*/grub.cfg":    {"/boot/efi/EFI/debian/grub.cfg"},
		"/boot/loader/entries/*.conf": nil,
		"/boot/grub/grub.cfg":         {"/boot/grub/grub.cfg"},
	}
	for pat, want := range globs {
		if got, err := r.Glob(pat); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Glob(%s) = %q, %v; want %q", pat, got, err, want)
		}
	}
}
