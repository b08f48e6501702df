package hclblocks

import (
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	content := "hello"
	got, errs := Files("os.additional_files", []AdditionalFile{
		{Destination: "/etc/motd", Content: &content, Permissions: "640"},
		{Destination: "/etc/issue", Source: "issue"},
		{Destination: "/x", Source: "x", Permissions: "888"},
	})
	if len(got) != 3 || *got[0].Permissions != 0o640 || *got[0].Content != "hello" || got[1].Permissions != nil || got[1].Source != "issue" {
		t.Errorf("converted files = %+v", got)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "os.additional_files[2].permissions") {
		t.Errorf("errors = %v, want one naming os.additional_files[2].permissions", errs)
	}
}

func TestKernelCommandLine(t *testing.T) {
	var none *KernelCommandLine
	if none.ImageCustomizer() != nil {
		t.Error("a missing block must stay nil")
	}
	k := &KernelCommandLine{ExtraCommandLine: []string{"ds=nocloud"}}
	if got := k.ImageCustomizer(); got == nil || got.ExtraCommandLine[0] != "ds=nocloud" {
		t.Errorf("ImageCustomizer() = %+v", got)
	}
}
