package imagecustomizer

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// addKernelCommandLine appends os.kernelCommandLine.extraCommandLine wherever the image keeps
// its kernel command line, as bootconfig.PlanKernelArgs plans it: the files are replaced
// keeping their mode and owner, then grub.cfg is rebuilt by the image's own grub-mkconfig
// where grub-mkconfig wrote it.
func addKernelCommandLine(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || c.OS.KernelCommandLine == nil || len(c.OS.KernelCommandLine.ExtraCommandLine) == 0 {
		return nil
	}
	args := c.OS.KernelCommandLine.ExtraCommandLine
	m.say("Adding kernel arguments: %s", strings.Join(args, " "))
	snap, err := bootconfig.Read(imageFiles{ctx: ctx, m: m})
	if err != nil {
		return fmt.Errorf("add kernel arguments: %w", err)
	}
	plan, err := bootconfig.PlanKernelArgs(snap, args)
	if err != nil {
		return err
	}
	for _, e := range plan.Edits {
		m.message("%s: %s", e.Path, e.Why)
		if err := m.replaceFile(ctx, e.Path, e.Content); err != nil {
			return err
		}
	}
	for _, mk := range plan.Mkconfig {
		out := mk.Output
		if out == "" {
			out = "grub.cfg (the image has none yet)"
		}
		m.message("%s: rebuilt by the image's grub-mkconfig", out)
		if err := m.run(ctx, "regenerate "+out, bootconfig.MkconfigScript(mk), nil); err != nil {
			return err
		}
	}
	return nil
}

// imageFiles reads boot configuration files through the image's shell (bootconfig.Reader).
type imageFiles struct {
	ctx context.Context
	m   *image
}

// ReadFile returns the content of p when it is a regular file, not a symbolic link.
func (f imageFiles) ReadFile(p string) (string, bool, error) {
	script := fmt.Sprintf("if [ -L %s ]; then exit %d; elif [ -f %s ]; then cat %s; else exit %d; fi", q(p), missing, q(p), q(p), missing)
	var out strings.Builder
	code, tail, err := f.m.status(f.ctx, script, nil, &out)
	switch {
	case err != nil:
		return "", false, fmt.Errorf("read %s in the image: %w", p, err)
	case code == missing:
		return "", false, nil
	case code != 0:
		return "", false, fmt.Errorf("read %s in the image: cat exited with status %d%s", p, code, tailSuffix(tail))
	}
	return out.String(), true, nil
}

// Glob lists the regular files matching pattern in the order the image's shell expands it.
func (f imageFiles) Glob(pattern string) ([]string, error) { return f.m.list(f.ctx, pattern) }

// listFiles prints the regular files a glob matches, one a line, in the order the image's
// shell expands it (the order update-grub sources grub.d drop-ins in).
func listFiles(glob string) string {
	return "for f in " + glob + "; do if [ -f \"$f\" ]; then echo \"$f\"; fi; done"
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

// replaceFile replaces the existing file dest with content, keeping its mode and owner. The
// data goes to a temporary file next to dest that is renamed over it, so a failed write
// never leaves a truncated dest.
func (m *image) replaceFile(ctx context.Context, dest, content string) error {
	tmp := path.Join(path.Dir(dest), ".packer-ic-"+m.newID()+".tmp")
	script := fmt.Sprintf("{ cat > %s && chmod --reference=%s %s && chown --reference=%s %s && mv -f %s %s; } || { rm -f %s; exit 1; }",
		q(tmp), q(dest), q(tmp), q(dest), q(tmp), q(tmp), q(dest), q(tmp))
	return m.run(ctx, "write "+dest, script, strings.NewReader(content))
}
