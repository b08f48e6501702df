package bootconfig

import (
	"regexp"
	"strings"
)

var grubCmdlineAssign = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?GRUB_CMDLINE_LINUX=`)

// appendGrubCmdline appends args to the last GRUB_CMDLINE_LINUX assignment of an
// /etc/default/grub file (a shell fragment), or adds one. Everything else in the file is
// kept byte for byte. grub-mkconfig copies the value verbatim onto `linux` lines, which
// GRUB's own parser splits, so each argument is first made a GRUB word (grubcfg.ArgWord)
// and then escaped for the quoting style of the existing value.
func appendGrubCmdline(file string, args []string) string {
	add := strings.Join(grubWords(args), " ")
	locs := grubCmdlineAssign.FindAllStringIndex(file, -1)
	if len(locs) == 0 {
		if file != "" && !strings.HasSuffix(file, "\n") {
			file += "\n"
		}
		return file + "GRUB_CMDLINE_LINUX=\"" + dqEscape(add) + "\"\n"
	}
	start := locs[len(locs)-1][1]
	end := shellWordEnd(file, start)
	value := file[start:end]
	var repl string
	switch {
	case value == "":
		repl = "\"" + dqEscape(add) + "\""
	case strings.HasSuffix(value, "\""):
		repl = value[:len(value)-1] + sep(value) + dqEscape(add) + "\""
	case strings.HasSuffix(value, "'"):
		repl = value[:len(value)-1] + sep(value) + strings.ReplaceAll(add, "'", `'\''`) + "'"
	default: // unquoted: concatenate a quoted part
		repl = value + "\" " + dqEscape(add) + "\""
	}
	return file[:start] + repl + file[end:]
}

// sep is a space unless the quoted value is empty (just its two quotes).
func sep(value string) string {
	if len(value) <= 2 {
		return ""
	}
	return " "
}

// shellWordEnd returns where the shell word starting at i ends: at unquoted whitespace, `;`,
// `#` or the end of the input. Quotes may span lines.
func shellWordEnd(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; c {
		case ' ', '\t', '\n', ';', '#':
			return i
		case '\\':
			i += 2
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return len(s)
			}
			i += j + 2
		case '"':
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			i++
		default:
			i++
		}
	}
	if i > len(s) {
		return len(s)
	}
	return i
}

// dqEscape escapes s for a double-quoted shell string.
func dqEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}
