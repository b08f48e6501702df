package imagecustomizer

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// The files the original writes for os.modules (modules-load.d(5), modprobe.d(5)).
const (
	modulesLoadFile    = "/etc/modules-load.d/modules-load.conf"
	modulesDisableFile = "/etc/modprobe.d/modules-disabled.conf"
	moduleOptionsFile  = "/etc/modprobe.d/module-options.conf"
)

// moduleFiles holds the three module configuration files' contents.
type moduleFiles struct{ load, disable, options string }

// planModules applies os.modules to the files' contents:
//   - always: unblacklist, list in modules-load.conf, write options;
//   - auto: unblacklist, write options (the kernel loads it on demand);
//   - disable: blacklist and drop from modules-load.conf;
//   - inherit (or unset): only write options.
func planModules(f moduleFiles, modules []icconfig.Module) moduleFiles {
	for _, mod := range modules {
		switch mod.LoadMode {
		case icconfig.ModuleLoadAlways:
			f.disable = removeLines(f.disable, "blacklist", mod.Name)
			f.load = addLine(f.load, mod.Name)
		case icconfig.ModuleLoadAuto:
			f.disable = removeLines(f.disable, "blacklist", mod.Name)
		case icconfig.ModuleLoadDisable:
			f.disable = addLine(f.disable, "blacklist "+mod.Name)
			f.load = removeLines(f.load, "", mod.Name)
		}
		if len(mod.Options) > 0 {
			f.options = setOptions(f.options, mod.Name, mod.Options)
		}
	}
	return f
}

// removeLines drops the lines whose fields are exactly [keyword] name (or just name when
// keyword is empty).
func removeLines(content, keyword, name string) string {
	want := []string{name}
	if keyword != "" {
		want = []string{keyword, name}
	}
	var out []string
	for _, line := range splitLines(content) {
		if !slices.Equal(strings.Fields(line), want) {
			out = append(out, line)
		}
	}
	return joinLines(out)
}

// addLine appends line unless an identical line (ignoring spacing) is present.
func addLine(content, line string) string {
	lines := splitLines(content)
	for _, l := range lines {
		if slices.Equal(strings.Fields(l), strings.Fields(line)) {
			return content
		}
	}
	return joinLines(append(lines, line))
}

// setOptions merges opts into the "options <name> k=v ..." line of a modprobe.d file:
// existing keys are updated in place, new keys appended in name order.
func setOptions(content, name string, opts map[string]string) string {
	lines := splitLines(content)
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "options" || f[1] != name {
			continue
		}
		seen := map[string]bool{}
		for j := 2; j < len(f); j++ {
			k, _, _ := strings.Cut(f[j], "=")
			if v, ok := opts[k]; ok {
				f[j], seen[k] = k+"="+v, true
			}
		}
		for _, k := range slices.Sorted(maps.Keys(opts)) {
			if !seen[k] {
				f = append(f, k+"="+opts[k])
			}
		}
		lines[i] = strings.Join(f, " ")
		return joinLines(lines)
	}
	line := "options " + name
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		line += " " + k + "=" + opts[k]
	}
	return joinLines(append(lines, line))
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// configureModules reads the three files from the image, applies planModules and writes
// back the files that changed.
func configureModules(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || len(c.OS.Modules) == 0 {
		return nil
	}
	m.say("Configuring %d kernel module(s)", len(c.OS.Modules))
	paths := []string{modulesLoadFile, modulesDisableFile, moduleOptionsFile}
	var before [3]string
	for i, p := range paths {
		content, _, err := m.readFile(ctx, p)
		if err != nil {
			return err
		}
		before[i] = content
	}
	after := planModules(moduleFiles{before[0], before[1], before[2]}, c.OS.Modules)
	for i, content := range []string{after.load, after.disable, after.options} {
		if content == before[i] {
			continue
		}
		if err := m.writeFile(ctx, paths[i], 0o644, strings.NewReader(content)); err != nil {
			return err
		}
	}
	return nil
}
