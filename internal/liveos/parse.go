package liveos

import (
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/grubcfg"
)

// grubLinuxArgs returns the arguments of the first linux command of a GRUB config that is
// not in a recovery or rescue menu entry, as kernel arguments (grubcfg.WordArg).
func grubLinuxArgs(cfg string) ([]string, bool) {
	for _, c := range grubcfg.LinuxCommands(cfg) {
		t := strings.ToLower(c.Title)
		if strings.Contains(t, "recovery") || strings.Contains(t, "rescue") {
			continue
		}
		var args []string
		if len(c.Words) > 2 {
			for _, w := range c.Words[2:] {
				args = append(args, grubcfg.WordArg(w.Value))
			}
		}
		return args, true
	}
	return nil, false
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
