package bootconfig

import (
	"strings"
)

// appendCmdline appends args to a one-line kernel command line file such as
// /etc/kernel/cmdline, whose content is the kernel's own syntax.
func appendCmdline(content string, args []string) string {
	line := strings.TrimSpace(content)
	if line != "" {
		line += " "
	}
	return line + strings.Join(args, " ") + "\n"
}

// appendBLSOptions appends args to every `options` line of a Boot Loader Specification
// entry (uapi-group.org/specifications/specs/boot_loader_specification), or adds one at the
// end. The values are the kernel's own syntax. Other lines keep every byte.
func appendBLSOptions(entry string, args []string) string {
	add := strings.Join(args, " ")
	lines := strings.SplitAfter(entry, "\n")
	found := false
	for i, l := range lines {
		if isOptionsLine(l) {
			body := strings.TrimRight(l, " \t\r\n")
			lines[i] = body + " " + add + l[len(body):]
			found = true
		}
	}
	out := strings.Join(lines, "")
	if found {
		return out
	}
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out + "options " + add + "\n"
}

func isOptionsLine(l string) bool {
	f := strings.Fields(l)
	return len(f) > 0 && f[0] == "options"
}

// blsOptions is the text of an entry's options lines.
func blsOptions(entry string) string {
	var b strings.Builder
	for _, l := range strings.Split(entry, "\n") {
		if isOptionsLine(l) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
