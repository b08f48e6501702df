package imagecustomizer

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// chrootPath is the PATH commands see inside the image, whatever the host's PATH is.
const chrootPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Communicator runs provisioners' commands in the image with chroot(2). Unlike the SDK's chroot
// communicator, file transfers also run inside the chroot (cat and tar on the image's side), so
// an absolute or `..` symlink in a hostile image resolves inside the image, never on the host.
//
// Every command leads its own process group, dies with the plugin and is listed in the
// plugin's build record while it runs (execx.Own, execx.StartOwned).
//
// Packer's RPC layer calls Start with a context that is never cancelled, so the communicator
// also watches Context, the build's own: when the build is cancelled, every command it started
// is killed with its process group.
type Communicator struct {
	Root    string
	Wrapper common.CommandWrapper
	Context context.Context
}

var _ packersdk.Communicator = new(Communicator)

// Start runs cmd.Command with the image's /bin/sh inside the chroot.
func (c *Communicator) Start(ctx context.Context, cmd *packersdk.RemoteCmd) error {
	ctx, stop := c.withBuildContext(ctx)
	local, err := c.command(ctx, cmd.Command)
	if err != nil {
		stop()
		return err
	}
	local.Stdin, local.Stdout, local.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	wait, err := execx.StartOwned(local, log.Printf)
	if err != nil {
		stop()
		return fmt.Errorf("start a command in the chroot %s: %w", c.Root, err)
	}
	go func() {
		err := wait()
		stop()
		code := 0
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &exitErr):
			code = exitErr.ExitCode()
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
		case errors.Is(err, exec.ErrWaitDelay):
			// The command exited 0, but a process it left in the background still holds
			// its output: that process is stopped before the image is unmounted.
			log.Printf("chroot: a background process of %q kept its output open; not waiting for it", cmd.Command)
		case err != nil:
			code = packersdk.CmdDisconnect
		}
		cmd.SetExited(code)
	}()
	return nil
}

// withBuildContext returns a context cancelled when either ctx or the build's context is.
func (c *Communicator) withBuildContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.Context == nil {
		return context.WithCancel(ctx)
	}
	merged, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.Context, cancel)
	return merged, func() { stop(); cancel() }
}

// command builds the host command: command_wrapper around `chroot <root> /bin/sh -c <cmd>`.
// The wrapper is a user-supplied shell template, hence the host shell; both the root and the
// command are single-quoted for it, so `$` and quotes reach the image's shell unchanged.
func (c *Communicator) command(ctx context.Context, command string) (*exec.Cmd, error) {
	shell := "chroot " + execx.QuoteArg(c.Root) + " /bin/sh -c " + execx.QuoteArg(command)
	wrapped := shell
	if c.Wrapper != nil {
		var err error
		if wrapped, err = c.Wrapper(shell); err != nil {
			return nil, fmt.Errorf("render command_wrapper: %w", err)
		}
	}
	local := exec.CommandContext(ctx, "/bin/sh", "-c", wrapped)
	local.Env = append(os.Environ(), chrootPath)
	execx.Own(local)
	return local, nil
}

// run runs command inside the image and fails with its stderr when it exits non-zero.
func (c *Communicator) run(command string, stdin io.Reader, stdout io.Writer) error {
	var stderr bytes.Buffer
	cmd := &packersdk.RemoteCmd{Command: command, Stdin: stdin, Stdout: stdout, Stderr: &stderr}
	if err := c.Start(context.Background(), cmd); err != nil {
		return err
	}
	if code := cmd.Wait(); code != 0 {
		return fmt.Errorf("%s exited with %d in the image: %s", command, code, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Upload writes r to dst inside the image.
func (c *Communicator) Upload(dst string, r io.Reader, fi *os.FileInfo) error {
	q := execx.QuoteArg(dst)
	command := "cat > " + q
	if fi != nil {
		command += fmt.Sprintf(" && chmod %o %s", (*fi).Mode().Perm(), q)
	}
	if err := c.run(command, r, nil); err != nil {
		return fmt.Errorf("upload %s: %w", dst, err)
	}
	return nil
}

// UploadDir copies the host directory src into dst inside the image. As with Packer's other
// communicators, src with a trailing slash copies its contents; without, the directory itself.
func (c *Communicator) UploadDir(dst string, src string, exclude []string) error {
	prefix := ""
	if !strings.HasSuffix(src, "/") {
		prefix = filepath.Base(src)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeTar(pw, src, prefix, exclude)) }()
	command := "mkdir -p " + execx.QuoteArg(dst) + " && tar -xf - -C " + execx.QuoteArg(dst)
	err := c.run(command, pr, nil)
	pr.Close()
	if err != nil {
		return fmt.Errorf("upload directory %s to %s: %w", src, dst, err)
	}
	return nil
}

// Download copies the image's file src to w.
func (c *Communicator) Download(src string, w io.Writer) error {
	if err := c.run("cat "+execx.QuoteArg(src), nil, w); err != nil {
		return fmt.Errorf("download %s: %w", src, err)
	}
	return nil
}

// DownloadDir copies the image's directory src into the host directory dst. Only directories
// and regular files are written on the host; the image's symlinks and devices are skipped.
func (c *Communicator) DownloadDir(src string, dst string, exclude []string) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- readTar(pr, dst, exclude) }()
	err := c.run("tar -cf - -C "+execx.QuoteArg(src)+" .", nil, pw)
	pw.CloseWithError(err)
	if rerr := <-done; err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("download directory %s to %s: %w", src, dst, err)
	}
	return nil
}

func excluded(rel string, exclude []string) bool {
	for _, e := range exclude {
		if ok, _ := filepath.Match(e, rel); ok || rel == e {
			return true
		}
	}
	return false
}

// writeTar streams the tree at src as a tar archive with root-owned entries under prefix.
func writeTar(w io.Writer, src, prefix string, exclude []string) error {
	tw := tar.NewWriter(w)
	err := filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel != "." && excluded(rel, exclude) {
			if fi.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		link := ""
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(path); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(filepath.Join(prefix, rel))
		if hdr.Name == "." || hdr.Name == "" {
			return nil
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "root", "root"
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// readTar extracts directories and regular files below dst, refusing names that leave it.
func readTar(r io.Reader, dst string, exclude []string) error {
	defer io.Copy(io.Discard, r) //nolint:errcheck // drain so the producer never blocks
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.Clean(hdr.Name)
		if rel == "." || excluded(rel, exclude) {
			continue
		}
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("refuse archive entry %q: it leaves %s", hdr.Name, dst)
		}
		target := filepath.Join(dst, rel)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, os.FileMode(hdr.Mode).Perm())
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
