package diskimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// qemuFormat is qemu-img's driver name for an input format. An ISO is read
// byte for byte.
func qemuFormat(f Format) string {
	switch f {
	case FormatVHD:
		return "vpc"
	case FormatISO:
		return "raw"
	}
	return string(f)
}

// ConvertArgv is the qemu-img command that writes src (in srcFmt) to dst in
// the output format, printing its progress (-p). The -o options are the
// original tool's: a fixed VHD keeps the exact virtual size (force_size=on,
// no CHS rounding), and VHDX uses 2 MiB blocks.
func ConvertArgv(src string, srcFmt Format, dst string, out OutputFormat) []string {
	argv := []string{"qemu-img", "convert", "-p", "-f", qemuFormat(srcFmt)}
	switch out {
	case OutputVHD:
		argv = append(argv, "-O", "vpc", "-o", "subformat=dynamic")
	case OutputVHDFixed:
		argv = append(argv, "-O", "vpc", "-o", "subformat=fixed,force_size=on")
	case OutputVHDX:
		argv = append(argv, "-O", "vhdx", "-o", "subformat=dynamic,block_size=2097152")
	default:
		argv = append(argv, "-O", string(out))
	}
	return append(argv, src, dst)
}

// WorkingCopyArgv is the command WorkingCopy runs: a sparse copy for raw
// images (and ISOs), a conversion to raw for everything else.
func WorkingCopyArgv(src string, f Format, dst string) []string {
	if f == FormatRaw || f == FormatISO {
		return []string{"cp", "--reflink=auto", "--sparse=always", "--", src, dst}
	}
	return ConvertArgv(src, f, dst, OutputRaw)
}

// WorkingCopy writes a sparse raw copy of src to dst, which is then safe to
// attach read-write. src is only ever read.
func WorkingCopy(ctx context.Context, r execx.Runner, src string, f Format, dst string) error {
	return WorkingCopyProgress(ctx, r, src, f, dst, nil)
}

// WorkingCopyProgress is WorkingCopy handing the tool's output to progress
// (qemu-img's percentages; nil for none).
func WorkingCopyProgress(ctx context.Context, r execx.Runner, src string, f Format, dst string, progress func(string)) error {
	if same, err := samePath(src, dst); err != nil {
		return fmt.Errorf("make working copy of %s: %w", src, err)
	} else if same {
		return fmt.Errorf("make working copy of %s: destination %s is the source image itself", src, dst)
	}
	if err := r.Run(ctx, execx.Cmd{Argv: WorkingCopyArgv(src, f, dst), Progress: progress}); err != nil {
		return fmt.Errorf("make working copy of %s in %s: %w", src, dst, err)
	}
	return nil
}

func samePath(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if os.IsNotExist(err) {
		aa, _ := filepath.Abs(a)
		ab, _ := filepath.Abs(b)
		return aa == ab, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
