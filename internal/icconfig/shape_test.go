package icconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNamesEveryShapeProblemByPath(t *testing.T) {
	yaml := `os:
  hostnme: demo
  additional_files:
    - source: a
      destination: /a
  users:
    - name: alice
      uid: abc
      secondaryGroups: wheel
      password:
        type: locked
        vaule: x
  modules: {name: loop}
scripts:
  postCustomization:
    - path: s.sh
      environmentVariables: [A]
iso:
  kernelCommandLine: quiet
storage: {}
`
	_, err := Parse([]byte(yaml), "/cfg")
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	want := []string{
		"os.hostnme (line 2): unknown key; did you mean hostname?",
		"os.additional_files (line 3): unknown key; did you mean additionalFiles?",
		`os.users[0].uid (line 8): must be a whole number, not "abc"`,
		`os.users[0].secondaryGroups (line 9): must be a list, not "wheel"`,
		"os.users[0].password.vaule (line 12): unknown key; did you mean value?",
		"os.modules (line 13): must be a list, not a map",
		"scripts.postCustomization[0].environmentVariables (line 17): must be a map, not a list",
		`iso.kernelCommandLine (line 19): must be a map of settings, not "quiet"`,
		"storage is not supported by packer-plugin-imagecustomizer",
	}
	got := Flatten(err)
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not contain %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "icconfig.") || strings.Contains(err.Error(), "unmarshal") {
		t.Errorf("error names Go types:\n%v", err)
	}
}

func TestParseSuggestsOnlyNearKeys(t *testing.T) {
	for key, want := range map[string]string{
		"hostnam":          "did you mean hostname?",
		"HostName":         "did you mean hostname?",
		"kernel_cmdline":   "unknown key",
		"services_enabled": "unknown key",
		"zz":               "unknown key",
	} {
		_, err := Parse([]byte("os:\n  "+key+": x\n"), "/cfg")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("key %s: error %v, want %q", key, err, want)
		}
		if strings.HasSuffix(want, "key") && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("key %s: unexpected suggestion in %v", key, err)
		}
	}
}

func TestParseAcceptsWellShapedValues(t *testing.T) {
	yaml := "os:\n  users:\n    - name: a\n      uid: 1001\n      passwordExpiresDays: -1\n" +
		"  additionalFiles:\n    a: /a\n  modules:\n    - name: loop\n      options: {max_loop: \"8\"}\n" +
		"  kernelCommandLine: ~\n"
	if _, err := Parse([]byte(yaml), "/cfg"); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}

func TestForHCLRenamesPathsAndKeysButNotValues(t *testing.T) {
	err := errors.Join(
		&FieldError{Path: "os.additionalFiles[0].source", Err: errors.New("invalid source (myFile): stat myFile: no such file")},
		&FieldError{Path: "os.users[1]", Err: errors.New("invalid passwordExpiresDays (7): must be between -1 and 99999")},
		&FieldError{Path: "os.kernelCommandLine.extraCommandLine[0]", Err: errors.New(`invalid kernelCommandLine: "loadMode" kept`)},
		errors.New("config_file cannot be combined"),
	)
	got := ForHCL(err, HCLPath)
	want := []string{
		"os.additional_files[0].source: invalid source (myFile): stat myFile: no such file",
		"os.users[1]: invalid password_expires_days (7): must be between -1 and 99999",
		`os.kernel_command_line.extra_command_line[0]: invalid kernel_command_line: "loadMode" kept`,
		"config_file cannot be combined",
	}
	if len(got) != len(want) {
		t.Fatalf("ForHCL gave %d errors, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("ForHCL[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestForFileNamesTheFileInEachProblem(t *testing.T) {
	_, err := Parse([]byte("os:\n  hostnme: x\n  userz: []\n"), "/cfg")
	got := ForFile("ic.yaml", err)
	if len(got) != 2 {
		t.Fatalf("ForFile gave %d errors, want 2: %v", len(got), got)
	}
	for _, e := range got {
		if !strings.HasPrefix(e.Error(), "config_file ic.yaml: os.") {
			t.Errorf("%q does not start with the file and the YAML path", e)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"additionalFiles": "additional_files", "sshPublicKeyPaths": "ssh_public_key_paths",
		"uid": "uid", "initramfsType": "initramfs_type",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
	if got := HCLPath("scripts.postCustomization[2].environmentVariables"); got != "scripts.post_customization[2].environment_variables" {
		t.Errorf("HCLPath = %q", got)
	}
}
