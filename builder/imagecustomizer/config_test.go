package imagecustomizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func baseImage(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "base.raw")
	if err := os.WriteFile(p, make([]byte, 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrepareDefaults(t *testing.T) {
	var c Config
	img := baseImage(t)
	if _, err := c.Prepare(map[string]interface{}{"base_image": img, "packer_build_name": "deb"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"output_directory":  "output-deb",
		"output_format":     "raw",
		"output_image_name": "image.raw",
		"mount_path":        "/mnt/packer-imagecustomizer/{{.Device}}",
		"command_wrapper":   "{{.Command}}",
	}
	got := map[string]string{
		"output_directory": c.OutputDirectory, "output_format": c.OutputFormat,
		"output_image_name": c.OutputImageName, "mount_path": c.MountPath, "command_wrapper": c.CommandWrapper,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(c.ChrootMounts) != 4 || c.ChrootMounts[2][0] != "imagedev" || c.ChrootMounts[3][2] != "/run" {
		t.Errorf("chroot_mounts default = %v", c.ChrootMounts)
	}
	if len(c.CopyFiles) != 1 || c.CopyFiles[0] != "/etc/resolv.conf" {
		t.Errorf("copy_files default = %v", c.CopyFiles)
	}
}

func TestPrepareOutputNameFollowsFormat(t *testing.T) {
	for format, want := range map[string]string{"qcow2": "image.qcow2", "vhd": "image.vhd", "vhd-fixed": "image.vhd", "vhdx": "image.vhdx"} {
		var c Config
		if _, err := c.Prepare(map[string]interface{}{"base_image": baseImage(t), "output_format": format}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if c.OutputImageName != want {
			t.Errorf("output_format %s: output_image_name = %q, want %q", format, c.OutputImageName, want)
		}
	}
}

func TestPrepareReportsEveryErrorNamingSettingAndValue(t *testing.T) {
	cases := map[string]struct {
		raw  map[string]interface{}
		want []string
	}{
		"missing base image":   {map[string]interface{}{}, []string{"base_image is required"}},
		"base image not found": {map[string]interface{}{"base_image": "/nonexistent/x.qcow2"}, []string{"base_image", "/nonexistent/x.qcow2"}},
		"base image is a dir":  {map[string]interface{}{"base_image": os.TempDir()}, []string{"base_image", "not a regular file"}},
		"bad input format":     {map[string]interface{}{"base_image_format": "vmdk"}, []string{"base_image_format", "vmdk"}},
		"bad output format":    {map[string]interface{}{"output_format": "ova"}, []string{"output_format", "ova"}},
		"name with slash":      {map[string]interface{}{"output_image_name": "a/b.raw"}, []string{"output_image_name", "a/b.raw"}},
		"fixed mount path":     {map[string]interface{}{"mount_path": "/mnt/x"}, []string{"mount_path", "/mnt/x", "{{.Device}}"}},
		"relative mount path":  {map[string]interface{}{"mount_path": "mnt/{{.Device}}"}, []string{"mount_path", "absolute"}},
		"short chroot mount":   {map[string]interface{}{"chroot_mounts": [][]string{{"proc", "/proc"}}}, []string{"chroot_mounts[0]", "three elements"}},
		"relative target":      {map[string]interface{}{"chroot_mounts": [][]string{{"proc", "proc", "proc"}}}, []string{"chroot_mounts[0]", `"proc"`}},
		"relative copy file":   {map[string]interface{}{"copy_files": []string{"etc/hosts"}}, []string{"copy_files[0]", "etc/hosts"}},
		"bad wrapper":          {map[string]interface{}{"command_wrapper": "sudo"}, []string{"command_wrapper", "sudo"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			raw := tc.raw
			if _, ok := raw["base_image"]; !ok && name != "missing base image" {
				raw["base_image"] = baseImage(t)
			}
			var c Config
			_, err := c.Prepare(raw)
			if err == nil {
				t.Fatal("Prepare accepted a bad configuration")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestPrepareCollectsAllErrorsAtOnce(t *testing.T) {
	var c Config
	_, err := c.Prepare(map[string]interface{}{
		"base_image": "/nonexistent.raw", "output_format": "ova", "mount_path": "/mnt/x", "command_wrapper": "sudo",
	})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, w := range []string{"base_image", "output_format", "mount_path", "command_wrapper"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the combined error does not mention %s: %v", w, err)
		}
	}
}

func TestPrepareAcceptsISOAsBaseFormat(t *testing.T) {
	var c Config
	if _, err := c.Prepare(map[string]interface{}{"base_image": baseImage(t), "base_image_format": "iso"}); err != nil {
		t.Fatal(err)
	}
}
