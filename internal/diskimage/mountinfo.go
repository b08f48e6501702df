package diskimage

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountEntry is the part of a /proc/self/mountinfo line this package uses
// (proc(5)): the mount ID and the mount point as the kernel sees it, with
// no symlinks in it.
type mountEntry struct {
	ID     uint64
	Point  string
	FSType string
}

func parseMountinfo(data []byte) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			return nil, fmt.Errorf("parse mountinfo line %q: too few fields", sc.Text())
		}
		id, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse mountinfo line %q: %w", sc.Text(), err)
		}
		e := mountEntry{ID: id, Point: unescapeOctal(f[4])}
		for i := 6; i < len(f)-1; i++ { // optional fields end with "-", then the type
			if f[i] == "-" {
				e.FSType = f[i+1]
				break
			}
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func readMountinfo() ([]mountEntry, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read mount table: %w", err)
	}
	return parseMountinfo(b)
}

// mountsUnder lists mount points at or below dir.
func mountsUnder(entries []mountEntry, dir string) []string {
	var out []string
	for _, e := range entries {
		if e.Point == dir || strings.HasPrefix(e.Point, dir+"/") {
			out = append(out, e.Point)
		}
	}
	return out
}

// mountID returns the ID of the mount f lives on (statx(2) STATX_MNT_ID).
func mountID(f *os.File) (uint64, error) {
	var st unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH, unix.STATX_MNT_ID, &st); err != nil {
		return 0, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if st.Mask&unix.STATX_MNT_ID == 0 {
		return 0, fmt.Errorf("stat %s: kernel does not report mount IDs", f.Name())
	}
	return st.Mnt_id, nil
}
