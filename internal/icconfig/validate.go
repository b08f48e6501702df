package icconfig

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// problems collects validation errors, each prefixed with its field path.
type problems struct{ errs []error }

func (p *problems) add(path string, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{Path: path, Err: fmt.Errorf(format, args...)})
}

func (p *problems) wrap(path string, err error) {
	if err != nil {
		p.errs = append(p.errs, &FieldError{Path: path, Err: err})
	}
}

// IsValid checks the whole configuration and returns every problem at once
// (errors.Join), each naming its field path, e.g.
// "os.additionalFiles[1]: must specify either 'source' or 'content'".
// It reads the host file system to check that sources and script files
// exist, so call it after the files are in place.
func (c *Config) IsValid() error {
	p := &problems{}
	if c.OS != nil {
		c.OS.validate(p)
	}
	if c.Scripts != nil {
		c.validateScripts(p, "scripts.postCustomization", c.Scripts.PostCustomization)
		c.validateScripts(p, "scripts.finalizeCustomization", c.Scripts.FinalizeCustomization)
	}
	if c.Iso != nil {
		c.Iso.validate(p)
	}
	return errors.Join(p.errs...)
}

func (o *OS) validate(p *problems) {
	if o.Hostname != "" && !validHostname(o.Hostname) {
		p.add("os.hostname", "invalid hostname (%s)", o.Hostname)
	}
	validateKernelCommandLine(p, "os.kernelCommandLine", o.KernelCommandLine)
	validateFiles(p, "os.additionalFiles", o.AdditionalFiles, true)
	for i, d := range o.AdditionalDirs {
		d.validate(p, fmt.Sprintf("os.additionalDirs[%d]", i))
	}
	for i, g := range o.Groups {
		path := fmt.Sprintf("os.groups[%d]", i)
		if !validAccountName(g.Name) {
			p.add(path, "invalid group name (%s)", g.Name)
		}
		if g.GID != nil && (*g.GID < 0 || *g.GID > maxID) {
			p.add(path, "invalid gid (%d): must be between 0 and %d", *g.GID, maxID)
		}
	}
	for i, u := range o.Users {
		u.validate(p, fmt.Sprintf("os.users[%d]", i))
	}
	if o.Services != nil {
		o.Services.validate(p)
	}
	seen := map[string]int{}
	for i, m := range o.Modules {
		path := fmt.Sprintf("os.modules[%d]", i)
		if j, dup := seen[m.Name]; dup {
			p.add(path, "duplicate module found: %s (also at index %d)", m.Name, j)
		}
		seen[m.Name] = i
		m.validate(p, path)
	}
}

func validateKernelCommandLine(p *problems, path string, k *KernelCommandLine) {
	if k == nil {
		return
	}
	for i, arg := range k.ExtraCommandLine {
		if strings.TrimSpace(arg) == "" {
			p.add(fmt.Sprintf("%s.extraCommandLine[%d]", path, i), "invalid kernelCommandLine: kernel argument cannot be empty")
		}
	}
}

// validateFiles checks a list of files, in the image (os) or on the ISO media (iso).
func validateFiles(p *problems, path string, files AdditionalFileList, inImage bool) {
	for i, f := range files {
		f.validate(p, fmt.Sprintf("%s[%d]", path, i), inImage)
	}
}

func (f AdditionalFile) validate(p *problems, path string, inImage bool) {
	if f.Destination == "" {
		p.add(path, "invalid 'destination' value: empty string")
	} else {
		p.wrap(path, checkDestination(f.Destination, inImage))
	}
	switch {
	case f.Source == "" && f.Content == nil:
		p.add(path, "must specify either 'source' or 'content'")
	case f.Source != "" && f.Content != nil:
		p.add(path, "cannot specify both 'source' and 'content'")
	case f.Source != "":
		p.wrap(path+".source", regularFile("source", f.Source))
	}
	if f.Permissions != nil {
		p.wrap(path, prefix("invalid permissions", f.Permissions.IsValid()))
	}
}

func (d AdditionalDir) validate(p *problems, path string) {
	if d.Source == "" {
		p.add(path, "invalid 'source' value: empty string")
	} else if fi, err := os.Stat(d.Source); err != nil {
		p.add(path, "invalid source (%s): %v", d.Source, err)
	} else if !fi.IsDir() {
		p.add(path, "source (%s) is not a directory", d.Source)
	}
	if d.Destination == "" {
		p.add(path, "invalid 'destination' value: empty string")
	} else {
		p.wrap(path, checkDestination(d.Destination, true))
	}
	for _, f := range []struct {
		name string
		perm *FilePermissions
	}{
		{"newDirPermissions", d.NewDirPermissions},
		{"mergedDirPermissions", d.MergedDirPermissions},
		{"childFilePermissions", d.ChildFilePermissions},
	} {
		if f.perm != nil {
			p.wrap(path, prefix("invalid "+f.name+" value", f.perm.IsValid()))
		}
	}
}

// maxID is the largest uid/gid the original accepts (userutils).
const maxID = 60000

func (u User) validate(p *problems, path string) {
	if !validAccountName(u.Name) {
		p.add(path, "invalid user name (%s)", u.Name)
	}
	if u.UID != nil && (*u.UID < 0 || *u.UID > maxID) {
		p.add(path, "invalid uid (%d): must be between 0 and %d", *u.UID, maxID)
	}
	if u.PasswordExpiresDays != nil && (*u.PasswordExpiresDays < -1 || *u.PasswordExpiresDays > 99999) {
		p.add(path, "invalid passwordExpiresDays (%d): must be between -1 and 99999", *u.PasswordExpiresDays)
	}
	if pw := u.Password; pw != nil {
		switch pw.Type {
		case PasswordLocked:
			if pw.Value != "" {
				p.add(path+".password", "a locked password cannot have a value")
			}
		case PasswordPlainText, PasswordHashed:
		case PasswordPlainTextFile, PasswordHashedFile:
			p.wrap(path+".password", regularFile("value", pw.Value))
		default:
			p.add(path+".password", "invalid password type (%s): must be one of %s", pw.Type,
				"locked, plain-text, hashed, plain-text-file, hashed-file")
		}
	}
	for i, k := range u.SSHPublicKeyPaths {
		p.wrap(fmt.Sprintf("%s.sshPublicKeyPaths[%d]", path, i), regularFile("path", k))
	}
	for i, k := range u.SSHPublicKeys {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, "\n\r") {
			p.add(fmt.Sprintf("%s.sshPublicKeys[%d]", path, i), "an SSH public key must be one non-empty line")
		}
	}
	if u.PrimaryGroup != "" && !validAccountName(u.PrimaryGroup) {
		p.add(path, "invalid primaryGroup (%s)", u.PrimaryGroup)
	}
	for _, g := range u.SecondaryGroups {
		if !validAccountName(g) {
			p.add(path, "invalid secondaryGroups entry (%s)", g)
		}
	}
	if u.HomeDirectory != "" && !filepath.IsAbs(u.HomeDirectory) {
		p.add(path, "homeDirectory (%s) must be an absolute path", u.HomeDirectory)
	}
}

func (s *Services) validate(p *problems) {
	for _, l := range []struct {
		path  string
		names []string
	}{{"os.services.enable", s.Enable}, {"os.services.disable", s.Disable}} {
		for i, n := range l.names {
			if n == "" || strings.ContainsAny(n, " \t\n/") {
				p.add(fmt.Sprintf("%s[%d]", l.path, i), "invalid service name (%s)", n)
			}
		}
	}
	for _, n := range s.Enable {
		if slices.Contains(s.Disable, n) {
			p.add("os.services", "service (%s) cannot be both enabled and disabled", n)
		}
	}
}

func (m Module) validate(p *problems, path string) {
	if m.Name == "" {
		p.add(path, "module name cannot be empty")
	} else if strings.ContainsAny(m.Name, " \t\n/") {
		p.add(path, "module name (%s) cannot contain spaces, slashes or newline characters", m.Name)
	}
	switch m.LoadMode {
	case "", ModuleLoadAlways, ModuleLoadAuto, ModuleLoadDisable, ModuleLoadInherit:
	default:
		p.add(path, "invalid loadMode (%s): must be one of always, auto, disable, inherit", m.LoadMode)
	}
	if m.LoadMode == ModuleLoadDisable && len(m.Options) > 0 {
		p.add(path, "cannot set options for module (%s) with loadMode disable", m.Name)
	}
	for _, k := range slices.Sorted(maps.Keys(m.Options)) {
		v := m.Options[k]
		switch {
		case k == "":
			p.add(path, "invalid module (%s): option key cannot be empty", m.Name)
		case v == "":
			p.add(path, "invalid module (%s): option value cannot be empty", m.Name)
		case strings.ContainsAny(k, " \n"):
			p.add(path, "invalid module (%s): option key (%s) cannot contain spaces or newline characters", m.Name, k)
		case strings.ContainsAny(v, " \n"):
			p.add(path, "invalid module (%s): option value (%s) cannot contain spaces or newline characters", m.Name, v)
		}
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (c *Config) validateScripts(p *problems, path string, scripts []Script) {
	for i, s := range scripts {
		sp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case s.Path == "" && s.Content == "":
			p.add(sp, "either path or content must have a value")
		case s.Path != "" && s.Content != "":
			p.add(sp, "path and content may not both have a value")
		case s.Path != "" && !filepath.IsLocal(s.Path):
			p.add(sp, "script file (%s) is not under config directory (%s)", s.Path, c.BaseDir)
		case s.Path != "":
			p.wrap(sp, regularFile("script file", c.ScriptPath(s)))
		}
		for _, k := range slices.Sorted(maps.Keys(s.EnvironmentVariables)) {
			if !envName.MatchString(k) {
				p.add(sp, "invalid environment variable name (%s)", k)
			}
		}
	}
}

func (i *Iso) validate(p *problems) {
	validateKernelCommandLine(p, "iso.kernelCommandLine", i.KernelCommandLine)
	validateFiles(p, "iso.additionalFiles", i.AdditionalFiles, false)
	switch i.InitramfsType {
	case "", InitramfsBootstrap:
	case InitramfsFullOS:
		p.add("iso.initramfsType", "initramfs type (full-os) is not supported yet by packer-plugin-imagecustomizer; use bootstrap")
	default:
		p.add("iso.initramfsType", "invalid initramfs image type (%s): must be bootstrap", i.InitramfsType)
	}
	switch k := i.KdumpBootFiles; {
	case k == nil || *k == KdumpBootFilesNone:
	case *k == KdumpBootFilesKeep:
		p.add("iso.kdumpBootFiles", "kdump boot files (keep) are not supported yet by packer-plugin-imagecustomizer: the media never carries them; use none or leave the setting out")
	default:
		p.add("iso.kdumpBootFiles", "invalid kdumpBootFiles value (%s): must be none", *k)
	}
}

// regularFile checks that path names a readable regular file.
func regularFile(what, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("invalid %s (%s): %w", what, path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s (%s) is not a regular file", what, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s (%s) is not readable: %w", what, path, err)
	}
	return f.Close()
}

func prefix(msg string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// validHostname accepts an RFC 1123 DNS name; unlike a DNS name it may not
// contain '_' (the original adds that rule to govalidator.IsDNSName).
func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if !hostLabel.MatchString(label) {
			return false
		}
	}
	return true
}

var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// validAccountName follows the shadow-utils default NAME_REGEX (useradd(8)).
func validAccountName(n string) bool { return len(n) <= 32 && accountName.MatchString(n) }

var accountName = regexp.MustCompile(`^[a-z_][a-z0-9_-]*\$?$`)
