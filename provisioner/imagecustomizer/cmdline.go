package imagecustomizer

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/grubcfg"
)

// Boot configuration files that carry the kernel command line.
const (
	defaultGrubFile   = "/etc/default/grub"
	kernelCmdlineFile = "/etc/kernel/cmdline" // kernel-install(8), UKIs
	blsEntriesDir     = "/boot/loader/entries"
)

// regenerateGrub rebuilds grub.cfg with the image's own tool: update-grub on Debian and
// Ubuntu, grub2-mkconfig on RPM distributions, grub-mkconfig elsewhere. (command -v prints
// the path it finds: no redirection to /dev/null, which a bare chroot may lack.)
const regenerateGrub = "if command -v update-grub; then update-grub; " +
	"elif command -v grub2-mkconfig; then grub2-mkconfig -o /boot/grub2/grub.cfg; " +
	"elif command -v grub-mkconfig; then grub-mkconfig -o /boot/grub/grub.cfg; " +
	"else echo 'found none of update-grub, grub2-mkconfig, grub-mkconfig in the image' >&2; exit 127; fi"

// listFiles prints the regular files a glob matches, one a line, in the order the image's
// shell expands it (the order update-grub sources grub.d drop-ins in).
func listFiles(glob string) string {
	return "for f in " + glob + "; do if [ -f \"$f\" ]; then echo \"$f\"; fi; done"
}

// addGrubCmdline appends args to the GRUB_CMDLINE_LINUX assignment that takes effect: the
// last one in the order update-grub sources /etc/default/grub then /etc/default/grub.d/*.cfg,
// so that a drop-in (as cloud images ship) cannot override the arguments. Then grub.cfg is
// regenerated. It reports whether the image has /etc/default/grub at all.
func addGrubCmdline(ctx context.Context, m *image, args []string) (bool, error) {
	grub, ok, err := m.readFile(ctx, defaultGrubFile)
	if err != nil || !ok {
		return false, err
	}
	dropIns, err := m.list(ctx, defaultGrubFile+".d/*.cfg")
	if err != nil {
		return true, err
	}
	target, content := defaultGrubFile, grub
	for _, f := range dropIns {
		c, _, err := m.readFile(ctx, f)
		if err != nil {
			return true, err
		}
		if grubCmdlineAssign.MatchString(c) {
			target, content = f, c
		}
	}
	if err := m.writeFile(ctx, target, 0o644, strings.NewReader(appendGrubCmdline(content, args))); err != nil {
		return true, err
	}
	return true, m.run(ctx, "regenerate grub.cfg", regenerateGrub, nil)
}

// list returns the regular files matching glob in the image.
func (m *image) list(ctx context.Context, glob string) ([]string, error) {
	var out strings.Builder
	code, tail, err := m.status(ctx, listFiles(glob), nil, &out)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit status %d%s", code, tailSuffix(tail))
	}
	if err != nil {
		return nil, fmt.Errorf("list %s in the image: %w", glob, err)
	}
	return splitLines(out.String()), nil
}

// addKernelCommandLine appends os.kernelCommandLine.extraCommandLine wherever the image keeps
// its kernel command line. At least one such place must exist.
func addKernelCommandLine(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || c.OS.KernelCommandLine == nil || len(c.OS.KernelCommandLine.ExtraCommandLine) == 0 {
		return nil
	}
	args := c.OS.KernelCommandLine.ExtraCommandLine
	m.say("Adding kernel arguments: %s", strings.Join(args, " "))
	found := false

	grubFound, err := addGrubCmdline(ctx, m, args)
	if err != nil {
		return err
	}
	found = found || grubFound

	cmdline, ok, err := m.readFile(ctx, kernelCmdlineFile)
	if err != nil {
		return err
	}
	if ok {
		found = true
		if err := m.writeFile(ctx, kernelCmdlineFile, 0o644, strings.NewReader(appendCmdline(cmdline, args))); err != nil {
			return err
		}
	}

	entries, err := m.list(ctx, blsEntriesDir+"/*.conf")
	if err != nil {
		return err
	}
	for _, entry := range entries {
		found = true
		content, _, err := m.readFile(ctx, entry)
		if err != nil {
			return err
		}
		if err := m.writeFile(ctx, entry, 0o644, strings.NewReader(appendBLSOptions(content, args))); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("add kernel arguments: the image has none of %s, %s, %s/*.conf",
			defaultGrubFile, kernelCmdlineFile, blsEntriesDir)
	}
	return nil
}

var grubCmdlineAssign = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?GRUB_CMDLINE_LINUX=`)

// appendGrubCmdline appends args to the last GRUB_CMDLINE_LINUX assignment of an
// /etc/default/grub file (a shell fragment), or adds one. Everything else in the file is
// kept byte for byte. grub-mkconfig copies the value verbatim onto `linux` lines, which
// GRUB's own shell-like parser splits, so each argument is first quoted for GRUB and then
// escaped for the quoting style of the existing value.
func appendGrubCmdline(file string, args []string) string {
	grubArgs := make([]string, len(args))
	for i, a := range args {
		grubArgs[i] = grubcfg.ArgWord(a)
	}
	add := strings.Join(grubArgs, " ")
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

// appendCmdline appends args to a one-line kernel command line file.
func appendCmdline(content string, args []string) string {
	line := strings.TrimSpace(content)
	if line != "" {
		line += " "
	}
	return line + strings.Join(args, " ") + "\n"
}

// appendBLSOptions appends args to every `options` line of a Boot Loader Specification
// entry (uapi-group.org/specifications/specs/boot_loader_specification), or adds one.
func appendBLSOptions(entry string, args []string) string {
	add := strings.Join(args, " ")
	lines := splitLines(entry)
	found := false
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "options" {
			lines[i] = strings.TrimRight(l, " \t") + " " + add
			found = true
		}
	}
	if !found {
		lines = append(lines, "options "+add)
	}
	return joinLines(lines)
}
