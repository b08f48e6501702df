package ledger

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountLine is the part of a /proc/self/mountinfo line a sweep uses (proc(5)).
type mountLine struct {
	ID    uint64
	Point string
}

func parseMountinfo(data []byte) []mountLine {
	var out []mountLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		id, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, mountLine{ID: id, Point: unescapeOctal(f[4])})
	}
	return out
}

// unescapeOctal undoes the kernel's \ooo escapes of space, tab, newline and backslash.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func readMountinfo() ([]mountLine, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read the mount table: %w", err)
	}
	return parseMountinfo(b), nil
}

func under(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// planUnmounts picks, from the mount table in its order, the mounts that belong to r: those
// recorded by ID with the same mount point, and any at or below one of r's roots. They are
// returned newest first, so a mount comes before the one it sits on. Recorded mounts that are
// not in the table any more are returned as gone.
func planUnmounts(table []mountLine, r *Record) (todo []mountLine, gone []Mount) {
	for _, m := range table {
		recorded := slices.Contains(r.Mounts, Mount{ID: m.ID, Point: m.Point})
		if recorded || under(m.Point, r.Roots) {
			todo = append(todo, m)
		}
	}
	slices.Reverse(todo)
	for _, rm := range r.Mounts {
		if !slices.ContainsFunc(table, func(m mountLine) bool { return m.ID == rm.ID && m.Point == rm.Point }) {
			gone = append(gone, rm)
		}
	}
	return todo, gone
}

// unmountVerified unmounts m after checking that its mount point, resolved from "/" without
// following any symlink, still is the mount with m's ID. The owner and its processes are dead
// by now, so nothing is left to swap a path component between the check and umount(2), whose
// UMOUNT_NOFOLLOW covers the last one.
func unmountVerified(m mountLine) error {
	fd, err := unix.Openat2(unix.AT_FDCWD, m.Point, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC | unix.O_NOFOLLOW,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return fmt.Errorf("open mount point %s without following links: %w", m.Point, err)
	}
	var st unix.Statx_t
	err = unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_MNT_ID, &st)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("stat mount point %s: %w", m.Point, err)
	}
	if st.Mask&unix.STATX_MNT_ID == 0 || st.Mnt_id != m.ID {
		return fmt.Errorf("%s is no longer mount %d; left alone", m.Point, m.ID)
	}
	if err := unix.Unmount(m.Point, unix.UMOUNT_NOFOLLOW); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("unmount %s: %w (something outside the build still uses it)", m.Point, err)
		}
		return fmt.Errorf("unmount %s: %w", m.Point, err)
	}
	return nil
}
