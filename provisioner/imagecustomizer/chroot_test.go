package imagecustomizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/chroot"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// requireRoot skips a test that needs root and chroot(8), saying why (fails instead under
// CI=true, see testenv.Strict), and the host tools the tiny image is built from.
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireTool(t, append([]string{"chroot", "ldd"}, hostTools...)...)
}

// chrootComm runs commands with `chroot <root> /bin/sh -c <cmd>` from an argv, without a
// host shell.
type chrootComm struct{ root string }

func (c *chrootComm) Start(ctx context.Context, rc *packersdk.RemoteCmd) error {
	cmd := exec.CommandContext(ctx, "chroot", c.root, "/bin/sh", "-c", rc.Command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = rc.Stdin, rc.Stdout, rc.Stderr
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		switch {
		case err == nil:
			rc.SetExited(0)
		case errors.As(err, &exitErr):
			rc.SetExited(exitErr.ExitCode())
		default:
			rc.SetExited(packersdk.CmdDisconnect)
		}
	}()
	return nil
}

func (c *chrootComm) Upload(string, io.Reader, *os.FileInfo) error { return errTransfer }
func (c *chrootComm) UploadDir(string, string, []string) error     { return errTransfer }
func (c *chrootComm) Download(string, io.Writer) error             { return errTransfer }
func (c *chrootComm) DownloadDir(string, string, []string) error   { return errTransfer }

// communicators are the two ways commands reach the tree: a plain argv chroot, and the
// SDK's chroot communicator, which goes through a double-quoting host shell.
func communicators(root string) map[string]packersdk.Communicator {
	return map[string]packersdk.Communicator{
		"argv": &chrootComm{root: root},
		"sdk":  &chroot.Communicator{Chroot: root, CmdWrapper: func(s string) (string, error) { return s, nil }},
	}
}

// hostTools are copied, with their libraries, into the tiny image.
var hostTools = []string{"sh", "cat", "mkdir", "chmod", "chown", "mv", "rm", "ln", "tar", "env", "id"}

// fakeTools stand in for the image's shadow-utils, systemctl and update-grub: they record
// their name and arguments (never stdin, which may hold a password).
var fakeTools = []string{"groupadd", "useradd", "usermod", "chpasswd", "chage", "systemctl", "update-grub"}

var lddPath = regexp.MustCompile(`(/[^ ]+) \(0x`)

// tinyImage builds a root tree from host binaries, with a Debian-like /etc.
func tinyImage(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"bin", "etc/default", "var/log", "home/alice", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range [][2]string{{"usr/bin", "../bin"}, {"usr/sbin", "../bin"}, {"sbin", "bin"}} {
		_ = os.MkdirAll(filepath.Join(root, filepath.Dir(l[0])), 0o755)
		if err := os.Symlink(l[1], filepath.Join(root, l[0])); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range hostTools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err) // requireRoot checked it
		}
		copyHostFile(t, p, filepath.Join(root, "bin", tool))
		out, err := exec.Command("ldd", p).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", p, err)
		}
		for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
			copyHostFile(t, m[1], filepath.Join(root, m[1]))
		}
	}
	for _, tool := range fakeTools {
		script := "#!/bin/sh\necho \"${0##*/}${*:+ $*}\" >> /var/log/fake-calls\n"
		if err := os.WriteFile(filepath.Join(root, "bin", tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	makeFiles(t, root, baseImageFiles())
	return root
}

func copyHostFile(t *testing.T, src, dst string) {
	t.Helper()
	if _, err := os.Stat(dst); err == nil {
		return
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every entry of a tree: type, mode, owner and content or link target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d:%d", fi.Mode(), st.Uid, st.Gid)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			desc += " " + string(b)
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func prepared(t *testing.T, raw map[string]interface{}) *Provisioner {
	t.Helper()
	var p Provisioner
	if err := p.Prepare(raw); err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestChrootAppliesTheConfiguration(t *testing.T) {
	requireRoot(t)
	dir := twinDir(t)
	t.Chdir(dir)
	for name, newComm := range map[string]func(string) packersdk.Communicator{
		"argv": func(r string) packersdk.Communicator { return communicators(r)["argv"] },
		"sdk":  func(r string) packersdk.Communicator { return communicators(r)["sdk"] },
	} {
		t.Run(name, func(t *testing.T) {
			root := tinyImage(t)
			// Existing directories keep their mode: /opt/tree and /opt/tree/sub exist with 700.
			if err := os.MkdirAll(filepath.Join(root, "opt/tree/sub"), 0o700); err != nil {
				t.Fatal(err)
			}
			p := prepared(t, twinHCL())
			if err := p.Provision(context.Background(), packersdk.TestUi(t), newComm(root), nil); err != nil {
				t.Fatal(err)
			}
			checkFile(t, root, "etc/hostname", 0o644, "live-01\n")
			checkFile(t, root, "etc/hosts", 0o644, "127.0.1.1\tlive-01\n")
			checkFile(t, root, "var/lib/cloud/seed/nocloud/user-data", 0o644, "#cloud-config\n")
			checkFile(t, root, "var/lib/cloud/seed/nocloud/meta-data", 0o644, "instance-id: live-01\n")
			checkFile(t, root, "opt/tree/a.txt", 0o644, "a\n")
			checkFile(t, root, "opt/tree/sub/b.txt", 0o644, "b\n")
			checkFile(t, root, "opt/tree/new/c.txt", 0o644, "c\n")
			checkMode(t, root, "opt/tree/new", 0o750|fs.ModeDir) // newDirPermissions
			checkMode(t, root, "opt/tree", 0o700|fs.ModeDir)
			checkMode(t, root, "opt/tree/sub", 0o700|fs.ModeDir)
			checkFile(t, root, "home/alice/.ssh/authorized_keys", 0o600, "ssh-ed25519 AAAA alice@example\n")
			checkMode(t, root, "home/alice/.ssh", 0o700|fs.ModeDir)
			checkOwner(t, root, "home/alice/.ssh/authorized_keys", 1500, 1500)
			checkFile(t, root, "etc/modules-load.d/modules-load.conf", 0o644, "br_netfilter\n")
			checkFile(t, root, "etc/modprobe.d/module-options.conf", 0o644, "options br_netfilter debug=1\n")
			checkFile(t, root, "etc/default/grub", 0o644, "GRUB_CMDLINE_LINUX=\"ds=nocloud console=ttyS0,115200\"\n")
			checkFile(t, root, "post.out", 0o644, "post a b c\n")
			checkFile(t, root, "finalize.out", 0o644, "{{ not a template }} hello\n")
			checkFile(t, root, "var/log/fake-calls", 0o644, strings.Join([]string{
				"groupadd -g 1500 ops",
				"usermod -g ops alice",
				"chpasswd -e",
				"systemctl enable ssh.service",
				"systemctl disable getty@tty1.service",
				"update-grub",
			}, "\n")+"\n")
			leftovers, _ := filepath.Glob(filepath.Join(root, "tmp", "*"))
			leftovers2, _ := filepath.Glob(filepath.Join(root, "tmp", ".packer-ic-*"))
			if len(leftovers)+len(leftovers2) > 0 {
				t.Errorf("temporary files left in the image: %q %q", leftovers, leftovers2)
			}
		})
	}
}

func TestChrootHCLAndYAMLTwinsGiveIdenticalTrees(t *testing.T) {
	requireRoot(t)
	dir := twinDir(t)
	t.Chdir(dir)
	a, b := tinyImage(t), tinyImage(t)
	if err := prepared(t, twinHCL()).Provision(context.Background(), packersdk.TestUi(t), &chrootComm{root: a}, nil); err != nil {
		t.Fatal(err)
	}
	yaml := prepared(t, map[string]interface{}{"config_file": "ic.yaml"})
	if err := yaml.Provision(context.Background(), packersdk.TestUi(t), &chrootComm{root: b}, nil); err != nil {
		t.Fatal(err)
	}
	sa, sb := snapshot(t, a), snapshot(t, b)
	if !reflect.DeepEqual(sa, sb) {
		for k := range sa {
			if sa[k] != sb[k] {
				t.Errorf("%s: HCL %q, YAML %q", k, sa[k], sb[k])
			}
		}
		for k := range sb {
			if _, ok := sa[k]; !ok {
				t.Errorf("%s only in the YAML tree", k)
			}
		}
	}
}

// TestChrootHostileSymlinksStayInTheImage: the image's /etc is an absolute symlink to a
// host directory and /x a `..` symlink to it. Files written "through" them must land inside
// the image (or fail), never in the host directory.
func TestChrootHostileSymlinksStayInTheImage(t *testing.T) {
	requireRoot(t)
	host := t.TempDir()
	for name, comm := range map[string]func(string) packersdk.Communicator{
		"argv": func(r string) packersdk.Communicator { return communicators(r)["argv"] },
		"sdk":  func(r string) packersdk.Communicator { return communicators(r)["sdk"] },
	} {
		t.Run(name, func(t *testing.T) {
			root := tinyImage(t)
			if err := os.RemoveAll(filepath.Join(root, "etc")); err != nil {
				t.Fatal(err)
			}
			for link, target := range map[string]string{"etc": host, "x": "../../../../../../.." + host} {
				if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
					t.Fatal(err)
				}
			}
			// Inside the image the links resolve to <root><host>; make it exist so writes succeed
			// and can be found.
			if err := os.MkdirAll(filepath.Join(root, host), 0o755); err != nil {
				t.Fatal(err)
			}
			content := "owned"
			p := prepared(t, map[string]interface{}{"os": map[string]interface{}{
				"additional_files": []map[string]interface{}{
					{"destination": "/etc/foo", "content": content},
					{"destination": "/x/bar", "content": content},
					{"destination": "/x/new/dir/baz", "content": content},
				},
			}})
			if err := p.Provision(context.Background(), packersdk.TestUi(t), comm(root), nil); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(host)
			if err != nil {
				t.Fatalf("read the host directory %s: %v", host, err)
			}
			if len(entries) > 0 {
				t.Fatalf("the provisioner wrote to the host directory %s: %v", host, entries)
			}
			for _, f := range []string{"foo", "bar", "new/dir/baz"} {
				checkFile(t, root, filepath.Join(host, f), 0o644, content)
			}
		})
	}
}

func TestChrootFailingScript(t *testing.T) {
	requireRoot(t)
	t.Chdir(t.TempDir())
	root := tinyImage(t)
	p := prepared(t, map[string]interface{}{"scripts": map[string]interface{}{
		"post_customization": []map[string]interface{}{{"content": "echo working\necho 'it broke' >&2\nexit 7\n"}},
	}})
	err := p.Provision(context.Background(), packersdk.TestUi(t), &chrootComm{root: root}, nil)
	if err == nil || !strings.Contains(err.Error(), "postCustomization script inline script 1 failed with exit status 7") ||
		!strings.Contains(err.Error(), "working\nit broke") {
		t.Fatalf("error = %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "tmp", ".packer-ic-*")); len(left) > 0 {
		t.Errorf("left in /tmp: %q", left)
	}
}

func checkFile(t *testing.T, root, rel string, mode fs.FileMode, content string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	if string(b) != content {
		t.Errorf("%s = %q, want %q", rel, b, content)
	}
	checkMode(t, root, rel, mode)
}

func checkMode(t *testing.T, root, rel string, mode fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(root, rel))
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	if got := fi.Mode() & (fs.ModePerm | fs.ModeDir | fs.ModeSymlink); got != mode {
		t.Errorf("%s mode = %v, want %v", rel, got, mode)
	}
}

func checkOwner(t *testing.T, root, rel string, uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(root, rel))
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid || st.Gid != gid {
		t.Errorf("%s owner = %d:%d, want %d:%d", rel, st.Uid, st.Gid, uid, gid)
	}
}

// TestChrootOddPathsAndBootConfigs writes to paths full of shell specials and updates BLS
// entries and /etc/kernel/cmdline, through both communicators: scripts with `$`, quotes or
// newlines must reach the image's shell unchanged even through the SDK's double-quoting one.
func TestChrootOddPathsAndBootConfigs(t *testing.T) {
	requireRoot(t)
	t.Chdir(t.TempDir())
	odd := "/srv/a $HOME \"q\" 'x' `id` \\b é!"
	for name, comm := range map[string]func(string) packersdk.Communicator{
		"argv": func(r string) packersdk.Communicator { return communicators(r)["argv"] },
		"sdk":  func(r string) packersdk.Communicator { return communicators(r)["sdk"] },
	} {
		t.Run(name, func(t *testing.T) {
			root := tinyImage(t)
			if err := os.Remove(filepath.Join(root, "etc/default/grub")); err != nil {
				t.Fatal(err)
			}
			makeFiles(t, root, map[string]string{
				"etc/kernel/cmdline":                "root=UUID=1 ro\n",
				"boot/loader/entries/debian-6.conf": "title Debian\nlinux /vmlinuz-6\noptions root=UUID=1 ro\n",
			})
			p := prepared(t, map[string]interface{}{"os": map[string]interface{}{
				"additional_files":    []map[string]interface{}{{"destination": odd, "content": "$HOME `id` \"x\"\n", "permissions": "600"}},
				"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"ds=nocloud", "x=$y"}},
			}})
			if err := p.Provision(context.Background(), packersdk.TestUi(t), comm(root), nil); err != nil {
				t.Fatal(err)
			}
			checkFile(t, root, odd, 0o600, "$HOME `id` \"x\"\n")
			checkFile(t, root, "etc/kernel/cmdline", 0o644, "root=UUID=1 ro ds=nocloud x=$y\n")
			checkFile(t, root, "boot/loader/entries/debian-6.conf", 0o644,
				"title Debian\nlinux /vmlinuz-6\noptions root=UUID=1 ro ds=nocloud x=$y\n")
			if _, err := os.Stat(filepath.Join(root, "var/log/fake-calls")); err == nil {
				t.Errorf("update-grub ran without /etc/default/grub")
			}
		})
	}
}

// TestChrootGrubDropInThatOverridesIsEdited: update-grub sources /etc/default/grub.d/*.cfg
// after /etc/default/grub, so the arguments go to the last assignment of GRUB_CMDLINE_LINUX.
func TestChrootGrubDropInThatOverridesIsEdited(t *testing.T) {
	requireRoot(t)
	t.Chdir(t.TempDir())
	root := tinyImage(t)
	makeFiles(t, root, map[string]string{
		"etc/default/grub.d/50-cloudimg.cfg": "GRUB_CMDLINE_LINUX=\"console=ttyS0\"\n",
		"etc/default/grub.d/90-other.cfg":    "GRUB_TIMEOUT=0\n",
	})
	p := prepared(t, map[string]interface{}{"os": map[string]interface{}{
		"kernel_command_line": map[string]interface{}{"extra_command_line": []string{"ds=nocloud"}},
	}})
	if err := p.Provision(context.Background(), packersdk.TestUi(t), communicators(root)["sdk"], nil); err != nil {
		t.Fatal(err)
	}
	checkFile(t, root, "etc/default/grub.d/50-cloudimg.cfg", 0o644, "GRUB_CMDLINE_LINUX=\"console=ttyS0 ds=nocloud\"\n")
	checkFile(t, root, "etc/default/grub", 0o644, baseImageFiles()["/etc/default/grub"])
	checkFile(t, root, "etc/default/grub.d/90-other.cfg", 0o644, "GRUB_TIMEOUT=0\n")
	checkFile(t, root, "var/log/fake-calls", 0o644, "update-grub\n")
}
