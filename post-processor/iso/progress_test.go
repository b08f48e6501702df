package iso

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// The squash step shows mksquashfs's progress bar in tenths between its two lines, and says
// which extended attributes squashfs left out, on how many files.
func TestSquashRootShowsProgressAndDroppedACLs(t *testing.T) {
	state, rec := stepState(t, &imageInfo{})
	out := new(bytes.Buffer)
	state.Put(keyUI, &packersdk.BasicUi{Reader: new(bytes.Buffer), Writer: out, ErrorWriter: out})
	state.Put(keyTree, treeAt(t.TempDir()))
	rec.Respond = func(c execx.Cmd) (string, error) {
		return "Parallel mksquashfs: Using 2 processors\n" +
				"Unrecognised xattr prefix system.posix_acl_access\n" +
				"\r[=      ] 3/40   7%\r[==     ] 9/40  22%\r[===    ] 10/40  25%\r[=====  ] 30/40  75%" +
				"\r[=======] 40/40 100%\nUnrecognised xattr prefix system.posix_acl_access\n" +
				"Unrecognised xattr prefix system.posix_acl_default\n",
			os.WriteFile(c.Argv[2], []byte("sqsh"), 0o644)
	}
	if (&stepSquashRoot{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	got := out.String()
	want := []string{
		"Squashing the root file system (gzip)...",
		"squashfs: 20%", "squashfs: 70%", "squashfs: 100%",
		"squashfs: system.posix_acl_access was not kept on 2 file(s)",
		"squashfs: system.posix_acl_default was not kept on 1 file(s)",
		"Squashed the root file system",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("output lacks %q after position %d:\n%s", w, at, got)
		}
		at += i + len(w)
	}
	if strings.Count(got, "squashfs: ") != 5 {
		t.Errorf("want 3 progress lines and 2 xattr lines:\n%s", got)
	}
}

// xorriso's UPDATE percentages are shown in tenths.
func TestWriteISOShowsXorrisoProgress(t *testing.T) {
	state, rec := stepState(t, &imageInfo{})
	out := new(bytes.Buffer)
	state.Put(keyUI, &packersdk.BasicUi{Reader: new(bytes.Buffer), Writer: out, ErrorWriter: out})
	iso := file(t, "x", 0) + ".iso"
	state.Put(keyOutput, iso)
	state.Put(keyStaging, t.TempDir())
	state.Put(keyBIOSMBR, "")
	state.Put(keyLayout, liveos.Layout{Label: "STEPS", EFIBootImg: "boot/efiboot.img"})
	rec.Respond = func(c execx.Cmd) (string, error) {
		return "xorriso : UPDATE :  0.00% done\nxorriso : UPDATE :  51.20% done, estimate finish\n",
			os.WriteFile(argAfter(c.Argv, "-o"), []byte("iso"), 0o644)
	}
	if (&stepWriteISO{}).Run(context.Background(), state) != multistep.ActionContinue {
		t.Fatal(state.Get(keyError))
	}
	if !strings.Contains(out.String(), "xorriso: 50%") {
		t.Errorf("output lacks the xorriso percentage:\n%s", out)
	}
}

// argAfter is the argument that follows flag in argv, or "" when there is none.
func argAfter(argv []string, flag string) string {
	for i := range len(argv) - 1 {
		if argv[i] == flag {
			return argv[i+1]
		}
	}
	return ""
}
