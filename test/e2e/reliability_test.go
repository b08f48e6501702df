package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// sleepMark is a sleep duration no other process on the host uses, so the test can find the
// processes its build started by their command line.
func sleepMark() string { return strconv.Itoa(900000 + rand.IntN(99999)) }

const backgroundTemplate = rawSourceHCL + `variable "mark" { type = string }
build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = [
      "sleep ${var.mark} &",
      "nohup sleep ${var.mark} >/dev/null 2>&1 &",
      "setsid sleep ${var.mark} </dev/null >/dev/null 2>&1 &",
      "echo e2e-left-background-processes",
    ]
  }
}
`

// A provisioning script that leaves processes running (as package scripts that start services
// do): the build stops them before unmounting and succeeds, and nothing of it is left.
func TestBackgroundProcessInScript(t *testing.T) {
	imgs := requireE2E(t)
	dir, mark := t.TempDir(), sleepMark()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": backgroundTemplate})
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2, "mark": mark})
	if b.Err != nil {
		t.Fatalf("the build failed: %v", b.Err)
	}
	if !regexp.MustCompile(`Stopped [1-9]\d* process\(es\) still running in the image`).MatchString(b.Output) {
		t.Error("the build did not say that it stopped the processes left in the image")
	}
	if strings.Contains(b.Output, "lazily") {
		t.Error("an unmount was detached lazily")
	}
	assertBuildLeftNothing(t, dir, mountPaths(b.Output), mark)
}

const killTemplate = rawSourceHCL + `variable "mark" { type = string }
build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = [
      "setsid sleep ${var.mark} </dev/null >/dev/null 2>&1 &",
      "echo e2e-waiting-for-kill",
      "sleep ${var.mark}",
    ]
  }
}
`

// SIGKILL of Packer's process group during provisioning: the tools' own process groups (the
// chroot's shell and a daemon it started) die with the plugin at once, the image stays mounted
// and its loop device attached; the next build finds them through the killed build's record,
// says so, releases them and succeeds; nothing of either build is left.
func TestKilledBuildIsCleanedUpByTheNext(t *testing.T) {
	imgs := requireE2E(t)
	dir, mark := t.TempDir(), sleepMark()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": killTemplate})
	first := killBuildAt(t, dir, "e2e-waiting-for-kill", "-var", "base_image="+imgs.EFIQcow2, "-var", "mark="+mark)
	firstMounts := mountPaths(first.Output)
	if len(firstMounts) != 1 {
		t.Fatalf("the killed build's mount path is not in its output: %q", firstMounts)
	}
	// The scenario is real: the killed build left its mounts and loop device.
	if m, _ := diskimage.MountsUnder(firstMounts[0]); len(m) == 0 {
		t.Fatalf("the killed build left nothing mounted at %s; nothing to clean up", firstMounts[0])
	}

	// The plugin's watchdog ends the killed build's chroot processes (the provisioner's sleep
	// and the daemon it started) as soon as the plugin is gone.
	deadline := time.Now().Add(5 * time.Second)
	for len(processesMatching(mark, firstMounts)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if left := processesMatching(mark, firstMounts); len(left) > 0 {
		t.Errorf("processes of the killed build outlived it: %s", strings.Join(left, "; "))
	}

	second := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2, "mark": "1"})
	if second.Err != nil {
		t.Fatalf("the build after the killed one failed: %v", second.Err)
	}
	for _, want := range []string{"found the record of a plugin process that is gone", "removed mount " + firstMounts[0], "removed loop device"} {
		if !strings.Contains(second.Output, want) {
			t.Errorf("the second build did not report %q", want)
		}
	}
	assertBuildLeftNothing(t, dir, append(firstMounts, mountPaths(second.Output)...), mark)
}

// killBuildAt starts packer build in its own process group and SIGKILLs the group when a line
// containing at appears.
func killBuildAt(t *testing.T, dir, at string, args ...string) build {
	t.Helper()
	argv := append([]string{"build", "-color=false", "-force"}, args...)
	cmd := exec.Command(packerBin(), append(argv, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sent := false
	b := runStreaming(t, cmd, nil, func(line string) {
		if !sent && strings.Contains(line, at) {
			sent = true
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	if !sent {
		t.Fatalf("the build never printed %q", at)
	}
	return b
}

var mountedAt = regexp.MustCompile(`Mounted \S+.* at (/\S+) \(root file system`)

// mountPaths lists the builder's mount paths named in a build's output.
func mountPaths(output string) []string {
	var out []string
	for _, m := range mountedAt.FindAllStringSubmatch(output, -1) {
		out = append(out, m[1])
	}
	return out
}

// assertBuildLeftNothing checks, for this test's builds only (other builds run on this host):
// no loop device backed by a file under dir, nothing mounted under dir or the builds' mount
// paths, no process whose command line holds mark or whose root is a mount path, and no
// build record naming dir or a mount path. Processes get a few seconds to be reaped.
func assertBuildLeftNothing(t *testing.T, dir string, mounts []string, mark string) {
	t.Helper()
	assertNothingLeftUnder(t, append([]string{dir}, mounts...)...)
	deadline := time.Now().Add(10 * time.Second)
	var left []string
	for {
		left = processesMatching(mark, mounts)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes of the build are still running: %s", strings.Join(left, "; "))
	}
	records, _ := filepath.Glob(filepath.Join(ledger.Dir, "*.json"))
	for _, r := range records {
		b, err := os.ReadFile(r)
		if err != nil {
			continue
		}
		for _, p := range append([]string{dir}, mounts...) {
			if strings.Contains(string(b), p) {
				t.Errorf("build record %s still names %s:\n%s", r, p, b)
			}
		}
	}
}

// assertNothingLeftUnder is assertNothingLeft without the shared default mount directory.
func assertNothingLeftUnder(t *testing.T, dirs ...string) {
	t.Helper()
	out, err := exec.Command("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE").CombinedOutput()
	if err != nil {
		t.Fatalf("losetup --list: %v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, dirs[0]) {
			t.Errorf("a loop device is still attached: %s", line)
		}
	}
	for _, d := range dirs {
		if m, err := diskimage.MountsUnder(d); err != nil || len(m) > 0 {
			t.Errorf("still mounted under %s: %v %v", d, m, err)
		}
	}
}

func processesMatching(mark string, roots []string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		root, _ := os.Readlink(filepath.Join("/proc", e.Name(), "root"))
		args := strings.Fields(strings.ReplaceAll(string(cmdline), "\x00", " "))
		hit := mark != "" && len(args) > 0 && args[len(args)-1] == mark
		for _, r := range roots {
			hit = hit || root == r || strings.HasPrefix(root, r+"/")
		}
		if hit {
			out = append(out, fmt.Sprintf("%s (%s, root %s)", e.Name(), strings.Join(args, " "), root))
		}
	}
	return out
}
