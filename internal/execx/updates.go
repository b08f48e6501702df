package execx

import (
	"bytes"
	"sync"
)

// Updates is an io.Writer that hands each line written to it, and each
// update of a line redrawn with a carriage return, to Each as soon as it is
// complete. It is safe for concurrent writers.
type Updates struct {
	Each func(line string)

	mu  sync.Mutex
	buf []byte
}

// NewUpdates returns an Updates calling each.
func NewUpdates(each func(string)) *Updates { return &Updates{Each: each} }

func (u *Updates) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.buf = append(u.buf, p...)
	for {
		i := bytes.IndexAny(u.buf, "\r\n")
		if i < 0 {
			return len(p), nil
		}
		if i > 0 {
			u.Each(string(u.buf[:i]))
		}
		u.buf = u.buf[i+1:]
	}
}

// Flush hands on a last update that had no line end.
func (u *Updates) Flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.buf) > 0 {
		u.Each(string(u.buf))
		u.buf = nil
	}
}
