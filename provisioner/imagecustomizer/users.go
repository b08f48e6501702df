package imagecustomizer

import (
	"context"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// addGroupsAndUsers creates os.groups, then creates or updates os.users, with the image's
// shadow-utils (groupadd, useradd, usermod, chpasswd, chage). Secrets travel on stdin.
func addGroupsAndUsers(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || len(c.OS.Groups)+len(c.OS.Users) == 0 {
		return nil
	}
	m.say("Adding %d group(s) and %d user(s)", len(c.OS.Groups), len(c.OS.Users))
	groups, err := readAccounts(ctx, m, "/etc/group")
	if err != nil {
		return err
	}
	for _, g := range c.OS.Groups {
		if err := addGroup(ctx, m, g, groups); err != nil {
			return err
		}
	}
	for _, u := range c.OS.Users {
		if err := addUser(ctx, m, u); err != nil {
			return err
		}
	}
	return nil
}

// account is one line of /etc/passwd or /etc/group, split on ':'.
type account []string

// readAccounts parses /etc/passwd or /etc/group by name.
func readAccounts(ctx context.Context, m *image, file string) (map[string]account, error) {
	content, _, err := m.readFile(ctx, file)
	if err != nil {
		return nil, err
	}
	return parseAccounts(content), nil
}

func parseAccounts(content string) map[string]account {
	out := map[string]account{}
	for _, line := range splitLines(content) {
		if f := strings.Split(line, ":"); len(f) >= 3 && f[0] != "" {
			out[f[0]] = f
		}
	}
	return out
}

func addGroup(ctx context.Context, m *image, g icconfig.Group, existing map[string]account) error {
	if a, ok := existing[g.Name]; ok {
		if g.GID != nil && a[2] != strconv.Itoa(*g.GID) {
			return fmt.Errorf("add group %s: it exists with gid %s, not %d", g.Name, a[2], *g.GID)
		}
		m.message("group %s exists", g.Name)
		return nil
	}
	argv := []string{"groupadd"}
	if g.GID != nil {
		argv = append(argv, "-g", strconv.Itoa(*g.GID))
	}
	m.message("group %s", g.Name)
	return m.run(ctx, "add group "+g.Name, quoteAll(append(argv, g.Name)), nil)
}

// userArgv plans the useradd (new user) or usermod (existing user) command line.
func userArgv(u icconfig.User, exists bool) []string {
	var argv []string
	if exists {
		argv = []string{"usermod"}
	} else {
		argv = []string{"useradd", "-m"}
		if u.UID != nil {
			argv = append(argv, "-u", strconv.Itoa(*u.UID))
		}
	}
	if u.PrimaryGroup != "" {
		argv = append(argv, "-g", u.PrimaryGroup)
	}
	if len(u.SecondaryGroups) > 0 {
		if exists {
			argv = append(argv, "-a")
		}
		argv = append(argv, "-G", strings.Join(u.SecondaryGroups, ","))
	}
	if u.HomeDirectory != "" {
		argv = append(argv, "-d", u.HomeDirectory)
		if exists {
			argv = append(argv, "-m")
		}
	}
	if u.StartupCommand != "" {
		argv = append(argv, "-s", u.StartupCommand)
	}
	if exists && len(argv) == 1 {
		return nil // nothing to change
	}
	return append(argv, u.Name)
}

func addUser(ctx context.Context, m *image, u icconfig.User) error {
	users, err := readAccounts(ctx, m, "/etc/passwd")
	if err != nil {
		return err
	}
	a, exists := users[u.Name]
	if exists && u.UID != nil && a[2] != strconv.Itoa(*u.UID) {
		return fmt.Errorf("add user %s: it exists with uid %s, not %d", u.Name, a[2], *u.UID)
	}
	m.message("user %s", u.Name)
	if argv := userArgv(u, exists); argv != nil {
		if err := m.run(ctx, "add user "+u.Name, quoteAll(argv), nil); err != nil {
			return err
		}
	}
	if err := setPassword(ctx, m, u); err != nil {
		return err
	}
	if u.PasswordExpiresDays != nil {
		days := strconv.FormatInt(*u.PasswordExpiresDays, 10)
		if err := m.run(ctx, "set password expiry of "+u.Name, quoteAll([]string{"chage", "-M", days, u.Name}), nil); err != nil {
			return err
		}
	}
	return addSSHKeys(ctx, m, u)
}

// setPassword feeds "name:password" to chpasswd on stdin so that no secret appears on a
// command line or in the logs.
func setPassword(ctx context.Context, m *image, u icconfig.User) error {
	if u.Password == nil {
		return nil
	}
	what := "set the password of " + u.Name
	value := u.Password.Value
	switch u.Password.Type {
	case icconfig.PasswordLocked:
		return m.run(ctx, "lock the password of "+u.Name, quoteAll([]string{"usermod", "-L", u.Name}), nil)
	case icconfig.PasswordPlainTextFile, icconfig.PasswordHashedFile:
		b, err := os.ReadFile(value)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		value = strings.TrimRight(string(b), "\r\n")
	}
	cmd := "chpasswd"
	if u.Password.Type == icconfig.PasswordHashed || u.Password.Type == icconfig.PasswordHashedFile {
		cmd = "chpasswd -e"
	}
	return m.run(ctx, what, cmd, strings.NewReader(u.Name+":"+value+"\n"))
}

// addSSHKeys appends the keys that are not there yet to ~/.ssh/authorized_keys, owned by
// the user, with the modes sshd's StrictModes requires (700 for ~/.ssh, 600 for the file).
func addSSHKeys(ctx context.Context, m *image, u icconfig.User) error {
	keys := append([]string(nil), u.SSHPublicKeys...)
	for _, p := range u.SSHPublicKeyPaths {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read SSH public key for user %s: %w", u.Name, err)
		}
		keys = append(keys, splitLines(strings.TrimSpace(string(b)))...)
	}
	if len(keys) == 0 {
		return nil
	}
	users, err := readAccounts(ctx, m, "/etc/passwd")
	if err != nil {
		return err
	}
	a, ok := users[u.Name]
	if !ok || len(a) < 6 || !path.IsAbs(a[5]) {
		return fmt.Errorf("add SSH keys for user %s: no home directory in the image's /etc/passwd", u.Name)
	}
	owner := a[2] + ":" + a[3]
	dir := path.Join(a[5], ".ssh")
	file := path.Join(dir, "authorized_keys")
	existing, _, err := m.readFile(ctx, file)
	if err != nil {
		return err
	}
	content := existing
	for _, k := range keys {
		content = addLine(content, k)
	}
	if err := m.run(ctx, "create "+dir, fmt.Sprintf("mkdir -p %s && chmod 700 %s && chown %s %s",
		q(dir), q(dir), owner, q(dir)), nil); err != nil {
		return err
	}
	if err := m.writeFile(ctx, file, 0o600, strings.NewReader(content)); err != nil {
		return err
	}
	return m.run(ctx, "set the owner of "+file, fmt.Sprintf("chown %s %s", owner, q(file)), nil)
}

// quoteAll renders an argv as a shell command line.
var quoteAll = execx.Quote
