package rootfs

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Reader reads an image root through absolute image paths, for packages that take a reader
// (bootconfig.Reader): regular files only, never through a final symbolic link, every lookup
// confined to Root.
type Reader struct {
	Root string
}

// ReadFile returns the content of the regular file p; ok is false when p does not exist or is
// not a regular file (a symbolic link included).
func (r Reader) ReadFile(p string) (string, bool, error) {
	fi, err := lstat(r.Root, p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !fi.Mode().IsRegular() {
		return "", false, nil
	}
	b, err := ReadFile(r.Root, p)
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// Glob returns the existing paths matching pattern, whose elements use path.Match syntax,
// sorted as the shell sorts them in the C locale.
func (r Reader) Glob(pattern string) ([]string, error) {
	matches := []string{"/"}
	for _, elem := range strings.Split(strings.Trim(pattern, "/"), "/") {
		var next []string
		for _, dir := range matches {
			if !strings.ContainsAny(elem, "*?[") {
				next = append(next, path.Join(dir, elem))
				continue
			}
			names, err := ListDir(r.Root, dir)
			if err != nil {
				continue // not a directory, or missing: no match under it
			}
			sort.Strings(names)
			for _, n := range names {
				if ok, err := path.Match(elem, n); err != nil {
					return nil, err
				} else if ok {
					next = append(next, path.Join(dir, n))
				}
			}
		}
		matches = next
	}
	var out []string
	for _, m := range matches {
		if Exists(r.Root, m) {
			out = append(out, m)
		}
	}
	return out, nil
}
