package icconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture makes a config directory with a regular file, a directory and a
// script, and returns its path.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"file.txt": "x", "s.sh": "echo hi", "dir/a": "a", "key.pub": "ssh-ed25519 AAAA"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIsValidAcceptsAGoodConfig(t *testing.T) {
	dir := fixture(t)
	c, err := Parse([]byte(`
os:
  hostname: live-01.example.com
  kernelCommandLine: {extraCommandLine: [ds=nocloud, console=ttyS0]}
  additionalFiles:
  - {destination: /etc/a, source: file.txt, permissions: "600"}
  - {destination: /etc/b, content: "hi"}
  additionalDirs:
  - {source: dir, destination: /opt/dir, newDirPermissions: "755"}
  groups: [{name: ops, gid: 1500}]
  users:
  - name: alice
    uid: 1500
    password: {type: hashed, value: "$6$x$y"}
    sshPublicKeyPaths: [key.pub]
    sshPublicKeys: ["ssh-ed25519 AAAA alice"]
    primaryGroup: ops
    secondaryGroups: [sudo]
  services: {enable: [ssh], disable: [getty@tty1]}
  modules:
  - {name: br_netfilter, loadMode: always, options: {a: b}}
  - {name: pcspkr, loadMode: disable}
scripts:
  postCustomization: [{path: s.sh}]
  finalizeCustomization: [{content: "echo done", environmentVariables: {GREETING: hi}}]
iso:
  kernelCommandLine: {extraCommandLine: [quiet]}
  additionalFiles: {file.txt: /media.txt}
  initramfsType: bootstrap
  kdumpBootFiles: none
`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.IsValid(); err != nil {
		t.Fatalf("IsValid: %v", err)
	}
}

func TestIsValidReportsEachProblem(t *testing.T) {
	dir := fixture(t)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"hostname with underscore", Config{OS: &OS{Hostname: "a_b"}}, "os.hostname: invalid hostname (a_b)"},
		{"hostname label too long", Config{OS: &OS{Hostname: strings.Repeat("a", 64)}}, "os.hostname: invalid hostname"},
		{"hostname leading dash", Config{OS: &OS{Hostname: "-a"}}, "os.hostname: invalid hostname"},
		{"empty kernel arg", Config{OS: &OS{KernelCommandLine: &KernelCommandLine{ExtraCommandLine: []string{"a", ""}}}},
			"os.kernelCommandLine.extraCommandLine[1]: invalid kernelCommandLine: kernel argument cannot be empty"},
		{"iso empty kernel arg", Config{Iso: &Iso{KernelCommandLine: &KernelCommandLine{ExtraCommandLine: []string{" "}}}},
			"iso.kernelCommandLine.extraCommandLine[0]: invalid kernelCommandLine: kernel argument cannot be empty"},
		{"neither source nor content", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/a", Content: ptr("")}, {Destination: "/b"}}}},
			"os.additionalFiles[1]: must specify either 'source' or 'content'"},
		{"both source and content", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/a", Source: dir + "/file.txt", Content: ptr("x")}}}},
			"os.additionalFiles[0]: cannot specify both 'source' and 'content'"},
		{"empty destination", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Content: ptr("x")}}}},
			"os.additionalFiles[0]: invalid 'destination' value: empty string"},
		{"destination under /dev", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/dev/foo", Content: ptr("x")}}}},
			"os.additionalFiles[0]: invalid 'destination' value (/dev/foo): under /dev"},
		{"destination under /proc, relative", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "proc/sys/x", Content: ptr("x")}}}},
			"os.additionalFiles[0]: invalid 'destination' value (proc/sys/x): under /proc"},
		{"destination is /sys", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "//sys/", Content: ptr("x")}}}},
			"os.additionalFiles[0]: invalid 'destination' value (//sys/): under /sys"},
		{"destination under /run", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/run/./a", Content: ptr("x")}}}},
			"under /run"},
		{"destination with ..", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/etc/../etc/x", Content: ptr("x")}}}},
			"os.additionalFiles[0]: invalid 'destination' value (/etc/../etc/x): contains '..'"},
		{"iso destination with ..", Config{Iso: &Iso{AdditionalFiles: AdditionalFileList{{Destination: "../x", Content: ptr("x")}}}},
			"iso.additionalFiles[0]: invalid 'destination' value (../x): contains '..'"},
		{"dir destination under /dev", Config{OS: &OS{AdditionalDirs: []AdditionalDir{{Source: dir + "/dir", Destination: "/dev/x"}}}},
			"os.additionalDirs[0]: invalid 'destination' value (/dev/x): under /dev"},
		{"setuid permissions", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/a", Content: ptr("x"), Permissions: ptr(FilePermissions(0o4755))}}}},
			"os.additionalFiles[0]: invalid permissions: 0o4755 contains non-permission bits"},
		{"missing source", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/a", Source: dir + "/nope"}}}},
			"os.additionalFiles[0].source: invalid source (" + dir + "/nope): stat"},
		{"source is a directory", Config{OS: &OS{AdditionalFiles: AdditionalFileList{{Destination: "/a", Source: dir + "/dir"}}}},
			"os.additionalFiles[0].source: source (" + dir + "/dir) is not a regular file"},
		{"iso missing source", Config{Iso: &Iso{AdditionalFiles: AdditionalFileList{{Destination: "/a", Source: dir + "/nope"}}}},
			"iso.additionalFiles[0].source: invalid source"},
		{"dir without source", Config{OS: &OS{AdditionalDirs: []AdditionalDir{{Destination: "/d"}}}},
			"os.additionalDirs[0]: invalid 'source' value: empty string"},
		{"dir source is a file", Config{OS: &OS{AdditionalDirs: []AdditionalDir{{Source: dir + "/file.txt", Destination: "/d"}}}},
			"os.additionalDirs[0]: source (" + dir + "/file.txt) is not a directory"},
		{"dir without destination", Config{OS: &OS{AdditionalDirs: []AdditionalDir{{Source: dir + "/dir"}}}},
			"os.additionalDirs[0]: invalid 'destination' value: empty string"},
		{"dir bad permissions", Config{OS: &OS{AdditionalDirs: []AdditionalDir{{Source: dir + "/dir", Destination: "/d", ChildFilePermissions: ptr(FilePermissions(0o1777))}}}},
			"os.additionalDirs[0]: invalid childFilePermissions value: 0o1777 contains non-permission bits"},
		{"bad group name", Config{OS: &OS{Groups: []Group{{Name: "Ops Team"}}}}, "os.groups[0]: invalid group name (Ops Team)"},
		{"bad gid", Config{OS: &OS{Groups: []Group{{Name: "ops", GID: ptr(-1)}}}}, "os.groups[0]: invalid gid (-1)"},
		{"bad user name", Config{OS: &OS{Users: []User{{Name: ""}}}}, "os.users[0]: invalid user name ()"},
		{"bad uid", Config{OS: &OS{Users: []User{{Name: "a", UID: ptr(70000)}}}}, "os.users[0]: invalid uid (70000)"},
		{"bad password type", Config{OS: &OS{Users: []User{{Name: "a", Password: &Password{Type: "clear"}}}}},
			"os.users[0].password: invalid password type (clear)"},
		{"missing password file", Config{OS: &OS{Users: []User{{Name: "a", Password: &Password{Type: PasswordHashedFile, Value: dir + "/nope"}}}}},
			"os.users[0].password: invalid value (" + dir + "/nope)"},
		{"bad expiry", Config{OS: &OS{Users: []User{{Name: "a", PasswordExpiresDays: ptr(int64(-2))}}}},
			"os.users[0]: invalid passwordExpiresDays (-2)"},
		{"missing key path", Config{OS: &OS{Users: []User{{Name: "a", SSHPublicKeyPaths: []string{dir + "/nope.pub"}}}}},
			"os.users[0].sshPublicKeyPaths[0]: invalid path"},
		{"multi-line key", Config{OS: &OS{Users: []User{{Name: "a", SSHPublicKeys: []string{"a\nb"}}}}},
			"os.users[0].sshPublicKeys[0]: an SSH public key must be one non-empty line"},
		{"relative home", Config{OS: &OS{Users: []User{{Name: "a", HomeDirectory: "home/a"}}}},
			"os.users[0]: homeDirectory (home/a) must be an absolute path"},
		{"empty service", Config{OS: &OS{Services: &Services{Enable: []string{""}}}}, "os.services.enable[0]: invalid service name ()"},
		{"enable and disable", Config{OS: &OS{Services: &Services{Enable: []string{"ssh"}, Disable: []string{"ssh"}}}},
			"os.services: service (ssh) cannot be both enabled and disabled"},
		{"duplicate module", Config{OS: &OS{Modules: []Module{{Name: "m"}, {Name: "m"}}}},
			"os.modules[1]: duplicate module found: m (also at index 0)"},
		{"empty module name", Config{OS: &OS{Modules: []Module{{}}}}, "os.modules[0]: module name cannot be empty"},
		{"bad load mode", Config{OS: &OS{Modules: []Module{{Name: "m", LoadMode: "sometimes"}}}},
			"os.modules[0]: invalid loadMode (sometimes): must be one of always, auto, disable, inherit"},
		{"options on disabled module", Config{OS: &OS{Modules: []Module{{Name: "m", LoadMode: ModuleLoadDisable, Options: map[string]string{"a": "b"}}}}},
			"os.modules[0]: cannot set options for module (m) with loadMode disable"},
		{"option value with space", Config{OS: &OS{Modules: []Module{{Name: "m", Options: map[string]string{"a": "b c"}}}}},
			"os.modules[0]: invalid module (m): option value (b c) cannot contain spaces"},
		{"empty option value", Config{OS: &OS{Modules: []Module{{Name: "m", Options: map[string]string{"a": ""}}}}},
			"os.modules[0]: invalid module (m): option value cannot be empty"},
		{"script without path or content", Config{Scripts: &Scripts{PostCustomization: []Script{{Name: "x"}}}},
			"scripts.postCustomization[0]: either path or content must have a value"},
		{"script with both", Config{Scripts: &Scripts{FinalizeCustomization: []Script{{Path: "s.sh", Content: "x"}}}},
			"scripts.finalizeCustomization[0]: path and content may not both have a value"},
		{"script outside config dir", Config{Scripts: &Scripts{PostCustomization: []Script{{Path: "../s.sh"}}}},
			"scripts.postCustomization[0]: script file (../s.sh) is not under config directory"},
		{"absolute script path", Config{Scripts: &Scripts{PostCustomization: []Script{{Path: dir + "/s.sh"}}}},
			"is not under config directory"},
		{"missing script", Config{Scripts: &Scripts{PostCustomization: []Script{{Path: "nope.sh"}}}},
			"scripts.postCustomization[0]: invalid script file (" + dir + "/nope.sh)"},
		{"script is a directory", Config{Scripts: &Scripts{PostCustomization: []Script{{Path: "dir"}}}},
			"scripts.postCustomization[0]: script file (" + dir + "/dir) is not a regular file"},
		{"bad env name", Config{Scripts: &Scripts{PostCustomization: []Script{{Content: "x", EnvironmentVariables: map[string]string{"A-B": "1"}}}}},
			"scripts.postCustomization[0]: invalid environment variable name (A-B)"},
		{"full-os", Config{Iso: &Iso{InitramfsType: InitramfsFullOS}}, "iso.initramfsType: initramfs type (full-os) is not supported yet"},
		{"bad initramfs type", Config{Iso: &Iso{InitramfsType: "tiny"}}, "iso.initramfsType: invalid initramfs image type (tiny)"},
		{"bad kdump", Config{Iso: &Iso{KdumpBootFiles: ptr(KdumpBootFiles("all"))}}, "iso.kdumpBootFiles: invalid kdumpBootFiles value (all): must be none"},
		{"kdump keep", Config{Iso: &Iso{KdumpBootFiles: ptr(KdumpBootFilesKeep)}}, "iso.kdumpBootFiles: kdump boot files (keep) are not supported yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.BaseDir = dir
			err := tt.cfg.IsValid()
			if err == nil {
				t.Fatalf("IsValid() = nil, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("IsValid() = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// Lookalikes of the reserved directories and an ISO path under /dev are fine; destinations
// are normalised by ResolvePaths.
func TestDestinationsAcceptedAndNormalised(t *testing.T) {
	dir := fixture(t)
	c := Config{BaseDir: dir,
		OS: &OS{AdditionalFiles: AdditionalFileList{
			{Destination: "/device/x", Content: ptr("x")},
			{Destination: "etc//run/./x", Content: ptr("x")},
			{Destination: "/procfs", Content: ptr("x")},
			{Destination: "/etc/x..y", Content: ptr("x")},
		}},
		Iso: &Iso{AdditionalFiles: AdditionalFileList{{Destination: "/dev/x", Content: ptr("x")}}},
	}
	if err := c.IsValid(); err != nil {
		t.Fatal(err)
	}
	c.ResolvePaths()
	var got []string
	for _, f := range c.OS.AdditionalFiles {
		got = append(got, f.Destination)
	}
	if want := []string{"/device/x", "/etc/run/x", "/procfs", "/etc/x..y"}; !slices.Equal(got, want) {
		t.Errorf("normalised %q; want %q", got, want)
	}
}

func TestIsValidReturnsAllProblemsTogether(t *testing.T) {
	c := Config{
		BaseDir: t.TempDir(),
		OS: &OS{
			Hostname:        "bad_host",
			AdditionalFiles: AdditionalFileList{{Destination: "/a"}},
			Modules:         []Module{{Name: "m", LoadMode: "x"}},
		},
		Scripts: &Scripts{PostCustomization: []Script{{}}},
		Iso:     &Iso{InitramfsType: InitramfsFullOS},
	}
	err := c.IsValid()
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("IsValid() = %v, want a joined error", err)
	}
	if n := len(joined.Unwrap()); n != 5 {
		t.Errorf("got %d errors, want 5:\n%v", n, err)
	}
	for _, w := range []string{"os.hostname:", "os.additionalFiles[0]:", "os.modules[0]:", "scripts.postCustomization[0]:", "iso.initramfsType:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}
