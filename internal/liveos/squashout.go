package liveos

import "regexp"

// droppedXattr is mksquashfs's report of an extended attribute it cannot store. The squashfs
// format has three xattr name spaces, user., trusted. and security. (squashfs_fs.h
// SQUASHFS_XATTR_USER, _TRUSTED, _SECURITY); anything else, such as the POSIX ACLs in
// system.posix_acl_access and system.posix_acl_default, is left out of the file system.
var droppedXattr = regexp.MustCompile(`^Unrecognised xattr prefix (\S+)`)

// DroppedXattr reads the name of an extended attribute mksquashfs left out from one line of
// its output.
func DroppedXattr(line string) (name string, ok bool) {
	m := droppedXattr.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	return m[1], true
}
