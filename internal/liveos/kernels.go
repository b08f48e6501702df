package liveos

import (
	"errors"
	"sort"
	"strings"
)

// Kernel is one kernel to boot from the media. FindKernels fills Vmlinuz
// with the kernel's path relative to the image root (boot/vmlinuz-<v>) and
// Initrd with the name the live initrd gets on the media
// (boot/initrd.img-<v>). Given to PlanLayout, both are host paths instead:
// the kernel copied out of the image and the initrd dracut built.
type Kernel struct {
	Version string
	Vmlinuz string
	Initrd  string
}

// ISOVmlinuz and ISOInitrd are where the kernel and its live initrd go on
// the media (no leading slash).
func (k Kernel) ISOVmlinuz() string { return "boot/vmlinuz-" + k.Version }
func (k Kernel) ISOInitrd() string  { return "boot/initrd.img-" + k.Version }

// notKernelSuffixes end names that start like a kernel but are something
// else: integrity files (Fedora .hmac, signatures) and backups.
var notKernelSuffixes = []string{".hmac", ".sig", ".old", ".bak", ".dpkg-old", ".dpkg-new", ".dpkg-tmp"}

// FindKernels picks the kernels out of the names in the image's /boot:
// every vmlinuz-<version> whose version starts with a digit, newest first.
// Rescue kernels (Fedora's vmlinuz-0-rescue-<machine-id>) are skipped: they
// boot a generic host-only initrd, not a live one.
func FindKernels(bootEntries []string) ([]Kernel, error) {
	var ks []Kernel
	seen := map[string]bool{}
	for _, name := range bootEntries {
		v, ok := strings.CutPrefix(name, "vmlinuz-")
		if !ok || v == "" || v[0] < '0' || v[0] > '9' || strings.Contains(v, "rescue") || seen[v] {
			continue
		}
		skip := strings.ContainsAny(v, "/ ")
		for _, s := range notKernelSuffixes {
			skip = skip || strings.HasSuffix(v, s)
		}
		if skip {
			continue
		}
		seen[v] = true
		k := Kernel{Version: v}
		k.Vmlinuz, k.Initrd = k.ISOVmlinuz(), k.ISOInitrd()
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, errors.New("find kernels: no vmlinuz-<version> in the image's /boot; install a kernel package in the image")
	}
	sort.SliceStable(ks, func(i, j int) bool { return CompareVersions(ks[i].Version, ks[j].Version) > 0 })
	return ks, nil
}

// CompareVersions orders kernel versions the way package managers do
// (rpmvercmp, and dpkg for the cases kernels use): runs of digits compare
// as numbers, runs of letters as strings, a number is newer than letters,
// and the longer version wins when one is a prefix of the other; '~' sorts
// before everything (Debian's pre-release marker, 6.1~rc1 < 6.1). It
// returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	for {
		a, b = trimSeparators(a), trimSeparators(b)
		if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
			switch {
			case !strings.HasPrefix(b, "~"):
				return -1
			case !strings.HasPrefix(a, "~"):
				return 1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			switch {
			case a == b:
				return 0
			case a == "":
				return -1
			default:
				return 1
			}
		}
		sa, ra, na := segment(a)
		sb, rb, nb := segment(b)
		if na != nb {
			if na {
				return 1
			}
			return -1
		}
		if c := compareSegment(sa, sb, na); c != 0 {
			return c
		}
		a, b = ra, rb
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func trimSeparators(s string) string {
	i := 0
	for i < len(s) && !isDigit(s[i]) && !isAlpha(s[i]) && s[i] != '~' {
		i++
	}
	return s[i:]
}

// segment splits off the leading run of digits or letters.
func segment(s string) (seg, rest string, numeric bool) {
	numeric = isDigit(s[0])
	i := 0
	for i < len(s) && ((numeric && isDigit(s[i])) || (!numeric && isAlpha(s[i]))) {
		i++
	}
	return s[:i], s[i:], numeric
}

func compareSegment(a, b string, numeric bool) int {
	if numeric {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			if len(a) > len(b) {
				return 1
			}
			return -1
		}
	}
	return strings.Compare(a, b)
}
