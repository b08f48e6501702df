package liveos

import (
	"strings"
)

// LiveArgs returns the arguments that make dracut's dmsquash-live module
// boot the squashfs on the media labelled label: the media is found by
// label, /liveos/rootfs.img is loop-mounted and a RAM overlayfs makes it
// writable (dracut.cmdline(7), "Booting live images").
//
// They are the original tool's live arguments in its order, less
// rd.live.overlay=1: that one asks dracut for a *persistent* overlay on a
// device named "1". Azure Linux's dracut then falls back to RAM silently
// (rd.live.overlay.nouserconfirmprompt is its addition), but stock dracut 059
// (Debian 12) stops at "Press [Enter] to continue", which hangs an unattended
// boot (seen in the QEMU boot tests). nouserconfirmprompt stays: dracut-ng
// knows it, older dracut ignores it.
func LiveArgs(label string) []string {
	return []string{
		"root=live:LABEL=" + label,
		"rd.shell",
		"rd.live.image",
		"rd.live.dir=" + LiveDir,
		"rd.live.squashimg=" + SquashImg,
		"rd.live.overlay.overlayfs",
		"rd.live.overlay.nouserconfirmprompt",
	}
}

// SplitCmdline splits a kernel command line into arguments the way the
// kernel does: on blanks, except inside double quotes. The quotes stay in
// the argument, as in /proc/cmdline (foo="a b" is one argument).
func SplitCmdline(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, inArg := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			inArg = true
			cur.WriteRune(r)
		case !inQuote && (r == ' ' || r == '\t' || r == '\n' || r == '\r'):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			inArg = true
			cur.WriteRune(r)
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// argKey is the part of a kernel argument before '='.
func argKey(arg string) string {
	k, _, _ := strings.Cut(arg, "=")
	return strings.Trim(k, `"`)
}

// diskOnlyKeys name arguments that describe the disk the image was
// installed on. On the media that disk does not exist, so keeping them
// would make the initrd wait for it or mount the wrong root.
var diskOnlyKeys = map[string]bool{
	"root": true, "ro": true, "rw": true, "rootflags": true, "rootfstype": true,
	"resume": true, "resume_offset": true,
	// Added by GRUB and some boot loaders, not by the user.
	"BOOT_IMAGE": true, "initrd": true,
	// Separate /usr partition (dracut.cmdline(7), systemd-fstab-generator(8)).
	"mount.usr": true, "mount.usrfstype": true, "mount.usrflags": true,
	"usr": true, "usrfstype": true, "usrflags": true,
	// dm-verity of the disk's root or /usr.
	"roothash": true, "usrhash": true,
}

// diskOnlyPrefixes are families of dracut storage arguments
// (rd.lvm.lv=, rd.luks.uuid=, rd.md.uuid=, rd.dm.uuid=, systemd.verity_*).
var diskOnlyPrefixes = []string{"rd.lvm", "rd.luks", "rd.md", "rd.dm", "systemd.verity"}

// DiskOnlyArg reports whether arg only makes sense when booting the
// installed disk: its root, resume device, LVM/LUKS/RAID assembly, and the
// BOOT_IMAGE=/initrd= that boot loaders add.
func DiskOnlyArg(arg string) bool {
	key := argKey(arg)
	if diskOnlyKeys[key] {
		return true
	}
	for _, p := range diskOnlyPrefixes {
		if key == p || strings.HasPrefix(key, p+".") || strings.HasPrefix(key, p+"_") {
			return true
		}
	}
	return false
}

func keepImageArgs(in []string) []string {
	var out []string
	for _, a := range in {
		if a == "" || DiskOnlyArg(a) || strings.Contains(a, "$") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// ComposeArgs joins the live arguments, the image's arguments and the
// user's (iso.kernelCommandLine) in that order. An argument already present
// is not repeated (the first occurrence stays where it is; nothing is
// reordered). A root= after the live arguments is dropped: the media must
// boot its own squashfs, so the live root always wins over the image's or
// the user's.
func ComposeArgs(live, image, user []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(args []string, dropRoot bool) {
		for _, a := range args {
			if a == "" || seen[a] || (dropRoot && argKey(a) == "root") {
				continue
			}
			seen[a] = true
			out = append(out, a)
		}
	}
	add(live, false)
	add(image, true)
	add(user, true)
	return out
}
