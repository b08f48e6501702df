package imagecustomizer

import (
	"context"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// configureServices runs the image's systemctl enable/disable. systemctl only edits unit
// symlinks for these verbs, so it works in a chroot without a running systemd.
func configureServices(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.OS == nil || c.OS.Services == nil {
		return nil
	}
	s := c.OS.Services
	if len(s.Enable)+len(s.Disable) == 0 {
		return nil
	}
	m.say("Configuring services")
	for _, verb := range []struct {
		name  string
		units []string
	}{{"enable", s.Enable}, {"disable", s.Disable}} {
		for _, unit := range verb.units {
			m.message("systemctl %s %s", verb.name, unit)
			if err := m.run(ctx, verb.name+" service "+unit, "systemctl "+verb.name+" "+q(unit), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
