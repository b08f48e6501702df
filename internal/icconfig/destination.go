package icconfig

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// reservedDirs are where the chroot has its own file systems while the image is customized
// (a private /dev tmpfs, /proc, /sys, a /run tmpfs): a file put there lands in a mount that is
// thrown away, or in the kernel's, never in the image.
var reservedDirs = []string{"/dev", "/proc", "/sys", "/run"}

// NormalizeDestination returns dest as a clean absolute path: "etc//ssh/./x" is "/etc/ssh/x".
// Relative destinations are taken from the root, as the original does.
func NormalizeDestination(dest string) string { return path.Clean("/" + dest) }

// checkDestination refuses a destination with a ".." component (it cannot leave the root, but
// is almost certainly a mistake) and, for files in the image, one under a reserved directory.
// The original only requires a destination to be non-empty.
func checkDestination(dest string, inImage bool) error {
	if slices.Contains(strings.Split(dest, "/"), "..") {
		return fmt.Errorf("invalid 'destination' value (%s): contains '..'", dest)
	}
	if !inImage {
		return nil
	}
	clean := NormalizeDestination(dest)
	for _, d := range reservedDirs {
		if clean == d || strings.HasPrefix(clean, d+"/") {
			return fmt.Errorf("invalid 'destination' value (%s): under %s, which the chroot mounts its own file system over while customizing; the file would not be in the image", dest, d)
		}
	}
	return nil
}
