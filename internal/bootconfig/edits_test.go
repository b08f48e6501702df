package bootconfig

import "testing"

func TestAppendGrubCmdline(t *testing.T) {
	tests := []struct {
		name, in string
		args     []string
		want     string
	}{
		{"debian default",
			"GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n# end\n",
			[]string{"ds=nocloud"},
			"GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"ds=nocloud\"\n# end\n"},
		{"existing args, trailing comment",
			"GRUB_CMDLINE_LINUX=\"console=tty0\" # keep\n",
			[]string{"console=ttyS0,115200", "ds=nocloud"},
			"GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200 ds=nocloud\" # keep\n"},
		{"last assignment wins",
			"GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX b\"\n",
			[]string{"c"},
			"GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX b c\"\n"},
		{"single quoted", "GRUB_CMDLINE_LINUX='a'\n", []string{"b"}, "GRUB_CMDLINE_LINUX='a b'\n"},
		{"empty single quoted", "GRUB_CMDLINE_LINUX=''\n", []string{"b"}, "GRUB_CMDLINE_LINUX='b'\n"},
		{"unquoted", "GRUB_CMDLINE_LINUX=quiet\n", []string{"b"}, "GRUB_CMDLINE_LINUX=quiet\" b\"\n"},
		{"empty unquoted", "GRUB_CMDLINE_LINUX=\nX=1\n", []string{"b"}, "GRUB_CMDLINE_LINUX=\"b\"\nX=1\n"},
		{"export and indentation", "  export GRUB_CMDLINE_LINUX=\"a\"\n", []string{"b"}, "  export GRUB_CMDLINE_LINUX=\"a b\"\n"},
		{"not the _DEFAULT variable", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", []string{"b"},
			"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"b\"\n"},
		{"no newline at end", "GRUB_TIMEOUT=5", []string{"b"}, "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"b\"\n"},
		{"multi-line value", "GRUB_CMDLINE_LINUX=\"a\n b\"\nX=1\n", []string{"c"}, "GRUB_CMDLINE_LINUX=\"a\n b c\"\nX=1\n"},
		{"escaped quote inside", `GRUB_CMDLINE_LINUX="a=\"x y\""` + "\n", []string{"b"}, `GRUB_CMDLINE_LINUX="a=\"x y\" b"` + "\n"},
		// ';' would end the command on GRUB's linux line: quote for GRUB, then for the shell.
		{"grub-quoted argument", "GRUB_CMDLINE_LINUX=\"\"\n", []string{"ds=nocloud;s=file:///seed/"},
			"GRUB_CMDLINE_LINUX=\"'ds=nocloud;s=file:///seed/'\"\n"},
		{"shell specials escaped", "GRUB_CMDLINE_LINUX=\"\"\n", []string{"a$b`c\\d"},
			"GRUB_CMDLINE_LINUX=\"'a\\$b\\`c\\\\d'\"\n"},
		// GRUB re-adds the kernel's quotes around a value with blanks: the word holds none.
		{"kernel-quoted value", "GRUB_CMDLINE_LINUX=\"\"\n", []string{`opt="a b"`},
			"GRUB_CMDLINE_LINUX=\"'opt=a b'\"\n"},
		{"single quote in single-quoted value", "GRUB_CMDLINE_LINUX='a'\n", []string{"it's"},
			"GRUB_CMDLINE_LINUX='a '\\''it'\\''\\'\\'''\\''s'\\'''\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := appendGrubCmdline(tt.in, tt.args); got != tt.want {
				t.Errorf("appendGrubCmdline(%q, %q) =\n%q\nwant\n%q", tt.in, tt.args, got, tt.want)
			}
		})
	}
}

func TestAppendBLSOptions(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"trailing blanks kept after the arguments", "title Debian\nlinux /vmlinuz\noptions root=UUID=1 ro  \n",
			"title Debian\nlinux /vmlinuz\noptions root=UUID=1 ro ds=nocloud quiet  \n"},
		{"every options line", "options a\ntitle x\n  options\tb\n", "options a ds=nocloud quiet\ntitle x\n  options\tb ds=nocloud quiet\n"},
		{"no options line", "title x\n", "title x\noptions ds=nocloud quiet\n"},
		{"no options line, no final newline", "title x", "title x\noptions ds=nocloud quiet\n"},
		{"not an options key", "optionsx a\n", "optionsx a\noptions ds=nocloud quiet\n"},
		{"CRLF kept", "options a\r\n", "options a ds=nocloud quiet\r\n"},
	}
	for _, tt := range tests {
		if got := appendBLSOptions(tt.in, []string{"ds=nocloud", "quiet"}); got != tt.want {
			t.Errorf("%s: got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestAppendCmdline(t *testing.T) {
	if got := appendCmdline("root=/dev/sda1 ro\n", []string{"a", "b"}); got != "root=/dev/sda1 ro a b\n" {
		t.Errorf("got %q", got)
	}
	if got := appendCmdline("", []string{"a"}); got != "a\n" {
		t.Errorf("empty: got %q", got)
	}
}
