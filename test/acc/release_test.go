package acc

import (
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"

	"archive/zip"
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The release as `packer init` gets it: goreleaser (the version pinned in tools/goreleaser.mod)
// builds the archives from a fresh clone of the committed tree, which has no bin/; every archive
// matches the _SHA256SUMS file; the linux_amd64 binary from its archive installs with
// `packer plugins install --path` and `packer plugins installed` lists it. Only linux/amd64 is
// built (RELEASE_SNAPSHOT_AMD64_ONLY), to spare CI the other targets.
func TestReleaseArchivesInstallLikePackerInit(t *testing.T) {
	packerBin := requireAcc(t)
	work := t.TempDir()
	clone := filepath.Join(work, "packer-plugin-imagecustomizer")
	run(t, "", nil, "git", "clone", "--quiet", repoRoot(t), clone)
	run(t, clone, []string{"RELEASE_SNAPSHOT_AMD64_ONLY=1"}, "make", "release-snapshot")

	api := apiVersion(t, clone)
	dist := filepath.Join(clone, "dist")
	sums := checkSums(t, dist)
	archive := regexp.MustCompile(`^packer-plugin-imagecustomizer_v(\d+\.\d+\.\d+-dev)_` + regexp.QuoteMeta(api) + `_linux_amd64\.zip$`)
	var zipName, version string
	for name := range sums {
		if m := archive.FindStringSubmatch(name); m != nil {
			zipName, version = name, m[1]
		}
	}
	if zipName == "" {
		t.Fatalf("no linux_amd64 archive named for API %s in the checksums: %v", api, sums)
	}
	binary := unzipOne(t, filepath.Join(dist, zipName), filepath.Join(work, "unpacked"))
	if want := strings.TrimSuffix(zipName, ".zip"); filepath.Base(binary) != want {
		t.Errorf("the archive holds %s, want %s", filepath.Base(binary), want)
	}

	env := []string{"PACKER_PLUGIN_PATH=" + filepath.Join(work, "plugins"), "PACKER_CONFIG_DIR=" + filepath.Join(work, "config")}
	run(t, work, env, packerBin, "plugins", "install", "--path", binary, "github.com/imagecustomizer/imagecustomizer")
	out := run(t, work, env, packerBin, "plugins", "installed")
	want := filepath.Join(work, "plugins", "github.com", "imagecustomizer", "imagecustomizer",
		"packer-plugin-imagecustomizer_v"+version+"_"+api+"_linux_amd64")
	if !strings.Contains(out, want) {
		t.Errorf("packer plugins installed does not list %s", want)
	}
}

// requireAcc skips (or, in CI, fails) unless the acceptance tests were asked for, and returns
// the packer binary.
func requireAcc(t *testing.T) string {
	t.Helper()
	testenv.RequireEnv(t, "PACKER_ACC", "run the acceptance tests through `make acc` (it sets PACKER_ACC=1 and PACKER)")
	if bin := os.Getenv("PACKER"); bin != "" {
		return bin
	}
	return "packer"
}

// run runs argv in dir with env added and fails the test when it fails.
func run(t *testing.T, dir string, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"CHECKPOINT_DISABLE=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", strings.Join(argv, " "), out)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("find the repository: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// apiVersion is the plugin API version the plugin reports about itself.
func apiVersion(t *testing.T, dir string) string {
	t.Helper()
	var d struct {
		APIVersion string `json:"api_version"`
	}
	if err := json.Unmarshal([]byte(run(t, dir, nil, "go", "run", ".", "describe")), &d); err != nil || d.APIVersion == "" {
		t.Fatalf("read api_version from describe: %v", err)
	}
	return d.APIVersion
}

// checkSums reads dist's _SHA256SUMS file and checks every file it lists; it returns them.
func checkSums(t *testing.T, dist string) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dist, "packer-plugin-imagecustomizer_v*_SHA256SUMS"))
	if len(files) != 1 {
		t.Fatalf("want one _SHA256SUMS file in %s, found %v", dist, files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("malformed checksum line %q", sc.Text())
		}
		sums[fields[1]] = fields[0]
		if got := sha256File(t, filepath.Join(dist, fields[1])); got != fields[0] {
			t.Errorf("%s: sha256 %s, the checksums file says %s", fields[1], got, fields[0])
		}
	}
	if len(sums) == 0 {
		t.Fatal("the checksums file lists no archive")
	}
	return sums
}

// sha256File is testenv.SHA256File.
func sha256File(t *testing.T, path string) string { t.Helper(); return testenv.SHA256File(t, path) }

// unzipOne extracts the single file of a release archive into dir, executable, and returns its path.
func unzipOne(t *testing.T, archive, dir string) string {
	t.Helper()
	r, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.File) != 1 {
		t.Fatalf("%s holds %d files, want the plugin binary alone", archive, len(r.File))
	}
	zf := r.File[0]
	in, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.Base(zf.Name))
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
