package bootcheck

import (
	"errors"
	"strings"
	"testing"
)

func TestMissingOnHost(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, x := range names {
				if x == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	files := func(paths ...string) func(string) bool {
		return func(p string) bool {
			for _, x := range paths {
				if x == p {
					return true
				}
			}
			return false
		}
	}
	all := files(ovmfCode, ovmfVars, ovmfCodeSecure, ovmfVarsMS, seabiosImage)
	tests := map[string]struct {
		fws    []Firmware
		tools  []string
		path   func(string) (string, error)
		exists func(string) bool
		want   []string
	}{
		"complete host": {Firmwares, []string{toolQEMU, toolXorriso}, onPath(toolQEMU, toolXorriso), all, nil},
		"no qemu": {[]Firmware{BIOS}, []string{toolQEMU, toolQEMU}, onPath(), all,
			[]string{"qemu-system-x86_64 is not installed; it is in the Debian package qemu-system-x86"}},
		"no ovmf, named once per file": {[]Firmware{UEFI, UEFI, BIOS}, []string{toolQEMU}, onPath(toolQEMU), files(seabiosImage), []string{
			"firmware uefi needs /usr/share/OVMF/OVMF_CODE_4M.fd, which is not installed; it is in the Debian package ovmf",
			"firmware uefi needs /usr/share/OVMF/OVMF_VARS_4M.fd, which is not installed; it is in the Debian package ovmf",
		}},
		"no seabios": {[]Firmware{UEFISecureBoot, BIOS}, []string{toolQEMU}, onPath(toolQEMU), files(ovmfCodeSecure, ovmfVarsMS), []string{
			"firmware bios needs /usr/share/seabios/bios-256k.bin, which is not installed; it is in the Debian package seabios",
		}},
		"unknown firmware": {[]Firmware{"efi"}, nil, onPath(), all, []string{`unknown firmware "efi"`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := missingOnHost(tc.fws, tc.tools, tc.path, tc.exists)
			if len(got) != len(tc.want) {
				t.Fatalf("missing = %q, want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("missing[%d] = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}
