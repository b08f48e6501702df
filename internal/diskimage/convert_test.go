package diskimage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

func TestWorkingCopyArgv(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{FormatRaw, "cp --reflink=auto --sparse=always -- in.img out.raw"},
		{FormatISO, "cp --reflink=auto --sparse=always -- in.img out.raw"},
		{FormatQcow2, "qemu-img convert -p -f qcow2 -O raw in.img out.raw"},
		{FormatVHD, "qemu-img convert -p -f vpc -O raw in.img out.raw"},
		{FormatVHDX, "qemu-img convert -p -f vhdx -O raw in.img out.raw"},
	} {
		rec := &execx.Recorder{}
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "in.img"), []byte("x"))
		if err := WorkingCopy(context.Background(), rec, filepath.Join(dir, "in.img"), tc.f, filepath.Join(dir, "out.raw")); err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(rec.Joined(), dir+"/", ""); got != tc.want {
			t.Errorf("WorkingCopy(%s) ran %q; want %q", tc.f, got, tc.want)
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in.img")
	writeFile(t, src, []byte("x"))
	if err := WorkingCopy(context.Background(), &execx.Recorder{}, src, FormatRaw, filepath.Join(dir, ".", "in.img")); err == nil {
		t.Error("WorkingCopy onto its own source succeeded")
	}
}

func TestWorkingCopyRoundTrip(t *testing.T) {
	requireTools(t, "qemu-img", "sfdisk")
	dir := t.TempDir()
	raw := filepath.Join(dir, "disk.img")
	data := bytes.Repeat([]byte("imagecustomizer"), 1<<16)
	writeFile(t, raw, append(data, make([]byte, 4<<20)...))
	sfdisk(t, raw, "label: gpt\n,,L\n")
	want, _ := os.ReadFile(raw)
	q := filepath.Join(dir, "disk.qcow2")
	run(t, nil, ConvertArgv(raw, FormatRaw, q, OutputQcow2)...)
	must(t, os.Chmod(q, 0o444)) // the source is only ever read
	before := sha(t, q)
	for _, tc := range []struct {
		src string
		f   Format
	}{{raw, FormatRaw}, {q, FormatQcow2}} {
		out := filepath.Join(dir, "work-"+string(tc.f)+".raw")
		if err := WorkingCopy(context.Background(), runner(t), tc.src, tc.f, out); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("working copy of %s differs from the original disk", tc.f)
		}
		if f, _ := DetectFormat(out); f != FormatRaw {
			t.Errorf("working copy of %s detected as %q", tc.f, f)
		}
	}
	if sha(t, q) != before {
		t.Error("WorkingCopy changed its source")
	}
}

func TestLoopCloseTwice(t *testing.T) {
	requireRoot(t)
	img := buildImage(t, espPart())
	l := attach(t, img.path, true)
	if !strings.HasPrefix(l.Device, "/dev/loop") {
		t.Fatalf("Device = %q", l.Device)
	}
	if _, err := os.Stat(l.Device + "p1"); err != nil {
		t.Errorf("partition node missing after AttachLoop: %v", err)
	}
	parts, err := ListPartitions(context.Background(), runner(t), l)
	must(t, err)
	if len(parts) != 1 || parts[0].FSType != "vfat" || parts[0].UUID != "ABCD-1234" || parts[0].PartLabel != "esp" ||
		parts[0].Start != 2048*512 || parts[0].Size != 34<<20 || parts[0].TypeGUID != "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" {
		t.Errorf("ListPartitions = %+v", parts)
	}
	must(t, l.Close())
	rec := &execx.Recorder{}
	l.r = rec
	must(t, l.Close())
	if len(rec.Calls) != 0 {
		t.Errorf("second Close ran %q", rec.Lines())
	}
}
