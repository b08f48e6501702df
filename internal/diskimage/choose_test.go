package diskimage

import (
	"strings"
	"testing"
)

func TestChooseDiskImage(t *testing.T) {
	qcow2 := ArtifactFile{Path: "out/disk.qcow2", Format: FormatQcow2, What: "qcow2 disk image"}
	raw := ArtifactFile{Path: "out/disk.img", Format: FormatRaw, What: "raw disk image (GPT)"}
	iso := ArtifactFile{Path: "out/live.iso", Format: FormatISO, What: "Live OS ISO"}
	vars := ArtifactFile{Path: "out/efivars.fd", What: "UEFI firmware volume (such as a VM's efivars.fd), not a disk image"}
	text := ArtifactFile{Path: "out/SHA256SUMS", What: "not a disk image (no qcow2, vhd, vhdx, iso9660, MBR or GPT signature)"}
	otherISO := ArtifactFile{Path: "out/tools.iso", What: "ISO 9660 image that is not a Live OS ISO (no /liveos/rootfs.img)"}
	tests := []struct {
		name    string
		files   []ArtifactFile
		want    string
		wantErr []string // each must be in the error; every file must be listed
	}{
		{"the builder's single image", []ArtifactFile{raw}, raw.Path, nil},
		{"qemu builder: disk and efivars.fd", []ArtifactFile{vars, qcow2}, qcow2.Path, nil},
		{"side files around the disk", []ArtifactFile{text, raw, vars, otherISO}, raw.Path, nil},
		{"one of our ISOs", []ArtifactFile{iso, text}, iso.Path, nil},
		{"nothing at all", nil, "", []string{"has no files"}},
		{"only side files", []ArtifactFile{vars, text, otherISO}, "",
			[]string{"has no disk image (raw, qcow2, vhd, vhdx or a Live OS ISO) among its 3 file(s):"}},
		{"two disks", []ArtifactFile{qcow2, vars, raw}, "", []string{"has 2 disk images; want exactly one"}},
		{"a disk and an ISO", []ArtifactFile{raw, iso}, "", []string{"has 2 disk images"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseDiskImage(tt.files)
			if tt.wantErr == nil {
				if err != nil || got.Path != tt.want {
					t.Fatalf("got %q, %v; want %q", got.Path, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("chose %q, want an error", got.Path)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, f := range tt.files {
				if !strings.Contains(err.Error(), "\n  "+f.Path+": "+f.What) {
					t.Errorf("error does not list %s as %q:\n%v", f.Path, f.What, err)
				}
			}
		})
	}
}
