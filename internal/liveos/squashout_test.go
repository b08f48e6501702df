package liveos

import "testing"

func TestDroppedXattr(t *testing.T) {
	for line, want := range map[string]string{
		"Unrecognised xattr prefix system.posix_acl_access":  "system.posix_acl_access",
		"Unrecognised xattr prefix system.posix_acl_default": "system.posix_acl_default",
		"Parallel mksquashfs: Using 2 processors":            "",
		"[====] 10/10 100%": "",
	} {
		got, ok := DroppedXattr(line)
		if got != want || ok != (want != "") {
			t.Errorf("DroppedXattr(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
}
