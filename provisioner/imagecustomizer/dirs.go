package imagecustomizer

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// copyAdditionalDirs copies os.additionalDirs into the image: a tar stream made on the host
// is unpacked by the image's tar, inside the image. Directories the copy creates get
// newDirPermissions (default 755); directories that already exist keep their mode unless
// mergedDirPermissions is set; files keep their mode unless childFilePermissions is set.
// Everything is owned by root. Symbolic links are copied as links.
func copyAdditionalDirs(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || len(c.OS.AdditionalDirs) == 0 {
		return nil
	}
	m.say("Adding %d additional director(y/ies)", len(c.OS.AdditionalDirs))
	for _, d := range c.OS.AdditionalDirs {
		m.message("%s -> %s", d.Source, d.Destination)
		if err := addDir(ctx, m, d); err != nil {
			return fmt.Errorf("copy %s to %s: %w", d.Source, d.Destination, err)
		}
	}
	return nil
}

func addDir(ctx context.Context, m *image, d icconfig.AdditionalDir) error {
	dirs, err := sourceDirs(d.Source)
	if err != nil {
		return err
	}
	existing, err := existingDirs(ctx, m, d.Destination, dirs)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeTree(pw, d, existing)) }()
	script := fmt.Sprintf("mkdir -p %s && cd %s && tar -x -f -", q(d.Destination), q(d.Destination))
	err = m.run(ctx, "unpack "+d.Destination, script, pr)
	pr.Close()
	if err != nil {
		return err
	}
	if d.MergedDirPermissions == nil || len(existing) == 0 {
		return nil
	}
	var args []string
	for rel := range existing {
		args = append(args, q(path.Join(d.Destination, rel)))
	}
	return m.run(ctx, "set mergedDirPermissions", fmt.Sprintf("chmod %s %s", d.MergedDirPermissions, strings.Join(slices.Sorted(slices.Values(args)), " ")), nil)
}

// sourceDirs lists the directories of the source tree as slash paths relative to it ("."
// for the top).
func sourceDirs(src string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			rel, _ := filepath.Rel(src, p)
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return nil
	})
	return dirs, err
}

// existingDirs asks the image which of dest's would-be directories exist already.
func existingDirs(ctx context.Context, m *image, dest string, rels []string) (map[string]bool, error) {
	var tests []string
	for _, rel := range rels {
		p := path.Join(dest, rel)
		tests = append(tests, fmt.Sprintf("if [ -d %s ]; then echo %s; fi", q(p), q(rel)))
	}
	var out strings.Builder
	code, tail, err := m.status(ctx, strings.Join(tests, "; "), nil, &out)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("look for existing directories under %s: exit status %d%s", dest, code, tailSuffix(tail))
	}
	existing := map[string]bool{}
	for _, l := range splitLines(out.String()) {
		existing[l] = true
	}
	return existing, nil
}

// writeTree writes d.Source as a tar stream, leaving out the directories that exist in the
// image so that tar does not change their mode or owner.
func writeTree(w io.Writer, d icconfig.AdditionalDir, existing map[string]bool) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(d.Source, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.Source, p)
		rel = filepath.ToSlash(rel)
		fi, err := e.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: "./" + rel, Format: tar.FormatPAX, ModTime: fi.ModTime()}
		switch {
		case fi.IsDir():
			if existing[rel] {
				return nil
			}
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			if d.NewDirPermissions != nil {
				h.Mode = int64(*d.NewDirPermissions)
			}
			return tw.WriteHeader(h)
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, target, 0o777
			return tw.WriteHeader(h)
		case fi.Mode().IsRegular():
			h.Typeflag, h.Size, h.Mode = tar.TypeReg, fi.Size(), int64(fi.Mode().Perm())
			if d.ChildFilePermissions != nil {
				h.Mode = int64(*d.ChildFilePermissions)
			}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		default:
			return fmt.Errorf("%s is neither a file, a directory nor a symbolic link", p)
		}
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
