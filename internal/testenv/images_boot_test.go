package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// TestReferenceImageFormats checks each conversion against the raw image:
// same virtual size, the format asked for, and the partition layout.
func TestReferenceImageFormats(t *testing.T) {
	imgs := ReferenceImages(t)
	RequireTool(t, "sfdisk")
	ctx := context.Background()
	run := &execx.Real{}
	info := func(path, format string) (virtualSize int64, gotFormat string) {
		out, err := execx.Output(ctx, run, "qemu-img", "info", "--output=json", "-f", format, path)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Format      string `json:"format"`
			VirtualSize int64  `json:"virtual-size"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("parse qemu-img info of %s: %v", path, err)
		}
		return v.VirtualSize, v.Format
	}
	rawSize, _ := info(imgs.EFIRaw, "raw")
	for path, format := range map[string]string{
		imgs.EFIQcow2: "qcow2", imgs.EFIVhd: "vpc", imgs.EFIVhdx: "vhdx", imgs.BootPartQcow2: "qcow2", imgs.BootPartRaw: "raw",
	} {
		size, got := info(path, format)
		if got != format || size != rawSize {
			t.Errorf("%s: format %s, virtual size %d; want %s, %d", filepath.Base(path), got, size, format, rawSize)
		}
	}
	// A fixed VHD is the raw disk plus a 512-byte footer (VHD spec §"Hard
	// Disk Footer Format"); force_size keeps the size exact.
	if st, err := os.Stat(imgs.EFIVhd); err != nil || st.Size() != rawSize+512 {
		t.Errorf("base-efi.vhd is not a fixed VHD of the raw disk: %v, %v", st.Size(), err)
	}

	const esp, root, data = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
	for path, want := range map[string][]string{
		imgs.EFIRaw:      {esp, root},
		imgs.BootPartRaw: {esp, data, root},
	} {
		out, err := execx.Output(ctx, run, "sfdisk", "--json", path)
		if err != nil {
			t.Fatal(err)
		}
		var pt struct {
			PartitionTable struct {
				Label      string `json:"label"`
				Partitions []struct {
					Type string `json:"type"`
				} `json:"partitions"`
			} `json:"partitiontable"`
		}
		if err := json.Unmarshal([]byte(out), &pt); err != nil {
			t.Fatalf("parse sfdisk --json %s: %v", path, err)
		}
		var got []string
		for _, p := range pt.PartitionTable.Partitions {
			got = append(got, p.Type)
		}
		if pt.PartitionTable.Label != "gpt" || len(got) != len(want) {
			t.Errorf("%s: label %s, partition types %q; want gpt %q", filepath.Base(path), pt.PartitionTable.Label, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: partition %d type %s, want %s", filepath.Base(path), i+1, got[i], want[i])
			}
		}
	}
}

// TestReferenceImageBootsWithCloudInit boots base-efi.qcow2 under OVMF with
// a NoCloud seed and waits for the login prompt and for markers printed by
// cloud-init's bootcmd and runcmd: the disk boots and cloud-init runs.
func TestReferenceImageBootsWithCloudInit(t *testing.T) {
	RequireLong(t, "a TCG boot takes minutes")
	RequireRoot(t)
	RequireTool(t, "qemu-system-x86_64", "qemu-img", "xorriso")
	imgs := ReferenceImages(t)

	nonce := make([]byte, 8)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(nonce)
	seed := t.TempDir()
	// The markers are assembled by the guest's shell, so the literal text
	// never appears in the seed: seeing it proves the commands ran.
	userData := "#cloud-config\n" +
		"bootcmd:\n  - [sh, -c, 'echo ic-bootcmd-$0 > /dev/ttyS0', " + id + "]\n" +
		"runcmd:\n  - [sh, -c, 'echo ic-runcmd-$0 > /dev/ttyS0', " + id + "]\n"
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(seed, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("user-data", userData)
	write("meta-data", "instance-id: ic-"+id+"\nlocal-hostname: ic-test\n")

	res := Boot(t, BootOptions{
		Name:     "base-efi",
		Disk:     imgs.EFIQcow2,
		Firmware: UEFI,
		Seed:     seed,
		Expect:   []string{`login:`, regexp.QuoteMeta("ic-bootcmd-" + id), regexp.QuoteMeta("ic-runcmd-" + id)},
		Timeout:  12 * time.Minute, // worst case measured under load: about 7 minutes
	})
	t.Logf("booted in %.1fs: %s", res.Elapsed.Seconds(), FormatMilestones(res.Milestones))
	if _, ok := res.Seen("kernel"); !ok {
		t.Error("console never showed the kernel banner")
	}
}
