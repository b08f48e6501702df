package imagecustomizer

import (
	"context"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// setHostname writes /etc/hostname and renames the old host name in /etc/hosts, the way
// hostnamectl would (the original only writes /etc/hostname; images such as Debian's name
// the host in /etc/hosts too, and sudo complains when it cannot resolve it).
func setHostname(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || c.OS.Hostname == "" {
		return nil
	}
	name := c.OS.Hostname
	m.say("Setting the host name to %s", name)
	old, _, err := m.readFile(ctx, "/etc/hostname")
	if err != nil {
		return err
	}
	if err := m.writeFile(ctx, "/etc/hostname", 0o644, strings.NewReader(name+"\n")); err != nil {
		return err
	}
	old = strings.TrimSpace(old)
	if old == "" || old == name {
		return nil
	}
	hosts, ok, err := m.readFile(ctx, "/etc/hosts")
	if err != nil || !ok {
		return err
	}
	if renamed := renameHost(hosts, old, name); renamed != hosts {
		return m.writeFile(ctx, "/etc/hosts", 0o644, strings.NewReader(renamed))
	}
	return nil
}

// renameHost replaces the host-name fields equal to old on the address lines of an
// /etc/hosts file. Lines it changes are re-spaced; every other line is kept as it is.
func renameHost(hosts, old, name string) string {
	lines := strings.SplitAfter(hosts, "\n")
	for i, line := range lines {
		body, comment, _ := strings.Cut(line, "#")
		fields := strings.Fields(body)
		if len(fields) < 2 {
			continue
		}
		changed := false
		for j := 1; j < len(fields); j++ {
			if fields[j] == old {
				fields[j], changed = name, true
			}
		}
		if !changed {
			continue
		}
		nl := ""
		if strings.HasSuffix(line, "\n") {
			nl = "\n"
		}
		out := fields[0] + "\t" + strings.Join(fields[1:], " ")
		if strings.Contains(line, "#") {
			out += " #" + strings.TrimSuffix(comment, "\n")
		}
		lines[i] = out + nl
	}
	return strings.Join(lines, "")
}
