package liveos

import (
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/grubcfg"
)

// ImageArgsOf returns the image's own kernel arguments without the disk-only ones, and the
// path of the file they came from, reading the places bootconfig knows in this order:
//
//  1. the first normal (not recovery or rescue) linux command of the first grub.cfg that has
//     one; ESP stubs and grub.cfg files that only run blscfg have none;
//  2. the options of the newest BLS entry that is not a rescue entry and does not take them
//     from $kernelopts (grubenv);
//  3. /etc/kernel/cmdline;
//  4. GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT of /etc/default/grub.
//
// source is "" when none of them has a command line. GRUB variables ($vt_handoff,
// $kernelopts) are dropped: they are defined by the disk's grub.cfg and grubenv, not on the
// media.
func ImageArgsOf(s bootconfig.Snapshot) (args []string, source string) {
	for _, cfg := range s.GrubCfgs {
		if line, ok := grubLinuxArgs(cfg.Content); ok {
			return keepImageArgs(line), cfg.Path
		}
	}
	if e, opts, ok := newestBLSOptions(s.BLSEntries); ok {
		return keepImageArgs(SplitCmdline(opts)), e
	}
	if f := s.KernelCmdline; f != nil {
		for _, l := range strings.Split(f.Content, "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !strings.HasPrefix(l, "#") {
				return keepImageArgs(SplitCmdline(l)), f.Path
			}
		}
	}
	if f := s.DefaultGrub; f != nil {
		vars := parseShellAssignments(f.Content)
		linux, okL := vars["GRUB_CMDLINE_LINUX"]
		def, okD := vars["GRUB_CMDLINE_LINUX_DEFAULT"]
		if okL || okD {
			return keepImageArgs(SplitCmdline(linux + " " + def)), f.Path
		}
	}
	return nil, ""
}

// newestBLSOptions returns the path and options of the BLS entry with the highest version
// that is neither a rescue entry nor one whose options come from $kernelopts.
func newestBLSOptions(entries []bootconfig.File) (path, options string, ok bool) {
	best := ""
	for _, e := range entries {
		keys := blsKeys(e.Content)
		if strings.Contains(keys["version"]+keys["title"]+e.Path, "rescue") ||
			strings.Contains(keys["options"], grubcfg.Kernelopts) {
			continue
		}
		if !ok || CompareVersions(keys["version"], best) > 0 {
			path, options, best, ok = e.Path, keys["options"], keys["version"], true
		}
	}
	return path, options, ok
}

// blsKeys reads a BLS entry's keys; repeated options lines are joined, as the specification
// says.
func blsKeys(entry string) map[string]string {
	keys := map[string]string{}
	for _, l := range strings.Split(entry, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		if k == "" || strings.HasPrefix(k, "#") {
			continue
		}
		v = strings.TrimSpace(v)
		if k == "options" && keys[k] != "" {
			v = keys[k] + " " + v
		}
		keys[k] = v
	}
	return keys
}
