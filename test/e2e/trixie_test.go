package e2e

import (
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// TestLiveOSExample1Trixie: the seed page's Example 1 from a Debian 13 image (kernel 6.12,
// dracut 106, GRUB 2.12, shim 16) boots with Secure Boot and with BIOS. The trixie reference
// image has no i386-pc GRUB modules, so the BIOS boot is built from the host's.
func TestLiveOSExample1Trixie(t *testing.T) {
	ex := example1(t, requireE2EOf(t, testenv.Trixie), secureBootCD, biosCD)
	if !strings.Contains(ex.output, "The image has no i386-pc GRUB modules: using the host's for BIOS boot") {
		t.Errorf("the build did not say that the BIOS boot uses the host's GRUB modules")
	}
}
