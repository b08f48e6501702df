package liveos

import (
	"strings"
)

// grubLinuxArgs returns the arguments of the first linux line of a GRUB
// config that is not in a recovery or rescue menu entry, as kernel
// arguments (see grubWordToArg).
func grubLinuxArgs(cfg string) ([]string, bool) {
	title := ""
	for _, line := range strings.Split(cfg, "\n") {
		words := grubWords(line)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "menuentry":
			title = ""
			if len(words) > 1 {
				title = words[1]
			}
		case "linux", "linuxefi", "linux16":
			t := strings.ToLower(title)
			if strings.Contains(t, "recovery") || strings.Contains(t, "rescue") {
				continue
			}
			var args []string
			if len(words) > 2 {
				for _, w := range words[2:] {
					args = append(args, grubWordToArg(w))
				}
			}
			return args, true
		}
	}
	return nil, false
}

// grubWords splits one line of GRUB script into words, removing quotes the
// way GRUB's lexer does: '...' is literal, "..." and bare words honour
// backslash escapes, and '#' at the start of a word starts a comment.
// Variables are left as written ($x stays "$x").
func grubWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == ';':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		case r == '\'':
			inWord = true
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				cur.WriteRune(rs[i])
			}
		case r == '"':
			inWord = true
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune(`"\$`, rs[i+1]) {
					i++
				}
				cur.WriteRune(rs[i])
			}
		case r == '\\' && i+1 < len(rs):
			inWord = true
			i++
			cur.WriteRune(rs[i])
		default:
			inWord = true
			cur.WriteRune(r)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// grubWordToArg turns an unquoted GRUB word back into a kernel argument:
// a word with blanks gets the double quotes the kernel needs around its
// value (key="a b"), which is also what GRUB itself passes to the kernel.
func grubWordToArg(w string) string {
	if !strings.ContainsAny(w, " \t") {
		return w
	}
	if k, v, ok := strings.Cut(w, "="); ok {
		return k + `="` + v + `"`
	}
	return `"` + w + `"`
}

// parseShellAssignments reads NAME=value lines of a shell file such as
// /etc/default/grub. Values may be quoted ('...', "...") and may refer to
// variables assigned earlier in the file ($NAME, ${NAME}), as in
// GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX console=ttyS0". Later
// assignments win, as in the shell. Anything fancier (command
// substitution, conditionals) is not evaluated.
func parseShellAssignments(src string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "export ")
		name, rest, ok := strings.Cut(line, "=")
		if !ok || !isShellName(name) {
			continue
		}
		vars[name] = shellValue(rest, vars)
	}
	return vars
}

func isShellName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// maxShellValue bounds one variable's value. A kernel command line is at
// most a few KiB (COMMAND_LINE_SIZE); without a bound, a hostile image's
// A=$A$A repeated a few dozen times would need gigabytes.
const maxShellValue = 64 << 10

// shellValue evaluates the word after NAME=, up to the first unquoted
// blank or comment, cut at maxShellValue bytes.
func shellValue(s string, vars map[string]string) string {
	v := shellWord(s, vars)
	if len(v) > maxShellValue {
		v = v[:maxShellValue]
	}
	return v
}

func shellWord(s string, vars map[string]string) string {
	var out strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == ' ' || r == '\t' || r == ';' || r == '#':
			return out.String()
		case r == '\'':
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				out.WriteRune(rs[i])
			}
		case r == '"':
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				switch {
				case rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]):
					i++
					out.WriteRune(rs[i])
				case rs[i] == '$':
					i = expandVar(rs, i, vars, &out)
				default:
					out.WriteRune(rs[i])
				}
			}
		case r == '\\' && i+1 < len(rs):
			i++
			out.WriteRune(rs[i])
		case r == '$':
			i = expandVar(rs, i, vars, &out)
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// expandVar writes the value of the variable whose '$' is at rs[i] and
// returns the index of its last rune. An unknown variable expands to "".
func expandVar(rs []rune, i int, vars map[string]string, out *strings.Builder) int {
	if i+1 < len(rs) && rs[i+1] == '{' {
		end := i + 2
		for end < len(rs) && rs[end] != '}' {
			end++
		}
		if end < len(rs) {
			writeCapped(out, vars[string(rs[i+2:end])])
			return end
		}
	}
	end := i + 1
	for end < len(rs) && isShellName(string(rs[i+1:end+1])) {
		end++
	}
	if end == i+1 {
		out.WriteRune('$')
		return i
	}
	writeCapped(out, vars[string(rs[i+1:end])])
	return end - 1
}

// writeCapped appends v while out holds less than maxShellValue bytes, so
// that "$A$A$A..." on one line stays bounded too.
func writeCapped(out *strings.Builder, v string) {
	if room := maxShellValue + 1 - out.Len(); room > 0 {
		out.WriteString(v[:min(len(v), room)])
	}
}
