package imagecustomizer

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// copyAdditionalFiles writes os.additionalFiles into the image. A source file keeps its
// mode unless permissions is set; content gets 644 (the original's 0666 under umask 022).
func copyAdditionalFiles(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || len(c.OS.AdditionalFiles) == 0 {
		return nil
	}
	m.say("Adding %d additional file(s)", len(c.OS.AdditionalFiles))
	for _, f := range c.OS.AdditionalFiles {
		if err := addFile(ctx, m, f); err != nil {
			return err
		}
	}
	return nil
}

func addFile(ctx context.Context, m *image, f icconfig.AdditionalFile) error {
	mode := fs.FileMode(0o644)
	if f.Content != nil {
		if f.Permissions != nil {
			mode = fs.FileMode(*f.Permissions)
		}
		m.message("%s (%o)", f.Destination, mode)
		return m.writeFile(ctx, f.Destination, mode, strings.NewReader(*f.Content))
	}
	src, err := os.Open(f.Source)
	if err != nil {
		return fmt.Errorf("open additional file source: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("stat additional file source: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("copy %s to %s: the source is not a regular file", f.Source, f.Destination)
	}
	mode = fi.Mode().Perm()
	if f.Permissions != nil {
		mode = fs.FileMode(*f.Permissions)
	}
	m.message("%s -> %s (%o)", f.Source, f.Destination, mode)
	return m.writeFile(ctx, f.Destination, mode, src)
}
