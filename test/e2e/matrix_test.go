//go:build matrix

package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// matrixTemplate installs a unit, enables it and asks for a module with an option, all through
// the imagecustomizer provisioner, on the builder's output in var.output_format.
const matrixTemplate = `
variable "base_image" { type = string }
variable "output_format" { type = string }

source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
  output_format    = var.output_format
}

build {
  sources = ["source.imagecustomizer.e2e"]

  provisioner "imagecustomizer" {
    os {
      additional_files {
        destination = "/etc/systemd/system/ic-matrix.service"
        content     = <<-EOT
          [Unit]
          Description=enabled by the imagecustomizer provisioner
          [Service]
          Type=oneshot
          RemainAfterExit=yes
          ExecStart=/bin/true
          [Install]
          WantedBy=multi-user.target
        EOT
      }
      services {
        enable = ["ic-matrix.service"]
      }
      # nbd: not loaded by the base image, and its nbds_max option is readable in sysfs. (dummy's
      # numdummies is not, and systemd's modprobe.d/systemd.conf sets it to 0 after ours.)
      modules {
        name      = "nbd"
        load_mode = "always"
        options   = { nbds_max = "3" }
      }
    }
    # Under TCG on a loaded host udev took longer than systemd's default 90 s to announce the ESP,
    # and the boot stopped in emergency mode; every mount but / waits up to 10 minutes instead.
    scripts {
      post_customization {
        content = <<-EOT
          awk '$1 !~ /^#/ && NF >= 4 && $2 != "/" { $4 = $4 ",x-systemd.device-timeout=10min" } 1' /etc/fstab > /etc/fstab.new
          mv /etc/fstab.new /etc/fstab
        EOT
      }
    }
  }
}
`

// matrixUserData reports, once cloud-init's runcmd runs, whether the enabled unit is active
// (waiting up to a minute for it to settle), the module's state and its option's value.
func matrixUserData(mark string) string {
	return `#cloud-config
runcmd:
  - |
    for i in $(seq 60); do s=$(systemctl is-active ic-matrix.service); [ "$s" = active ] && break; sleep 1; done
    m=$(cat /sys/module/nbd/initstate 2>/dev/null || echo absent)
    n=$(cat /sys/module/nbd/parameters/nbds_max 2>/dev/null || echo absent)
    echo "` + mark + ` service=$s module=$m nbds_max=$n" > /dev/ttyS0
`
}

// Every output format of the builder, and the image with a separate /boot partition, boots
// under OVMF; on the running system the service the provisioner enabled is active and the
// module it asked for is loaded with its option. Run by `make test-matrix`, not by `make test`.
func TestBootMatrix(t *testing.T) {
	imgs := requireE2E(t)
	cases := []struct {
		name, base, format, image string
	}{
		{"raw", imgs.EFIQcow2, "raw", "image.raw"},
		{"vhd", imgs.EFIQcow2, "vhd", "image.vhd"},
		{"vhd-fixed", imgs.EFIQcow2, "vhd-fixed", "image.vhd"},
		{"vhdx", imgs.EFIQcow2, "vhdx", "image.vhdx"},
		{"separate-boot", imgs.BootPartQcow2, "raw", "image.raw"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"build.pkr.hcl": matrixTemplate})
			b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": tc.base, "output_format": tc.format})
			if b.Err != nil {
				t.Fatalf("packer build failed: %v", b.Err)
			}
			assertNothingLeft(t, dir)
			mark := marker("E2E-MATRIX-" + tc.name)
			seed := t.TempDir()
			writeFiles(t, seed, map[string]string{"user-data": matrixUserData(mark), "meta-data": "instance-id: " + mark + "\n"})
			start := time.Now()
			testenv.Boot(t, testenv.BootOptions{
				Name: "matrix-" + tc.name, Disk: filepath.Join(dir, "output", tc.image), Firmware: testenv.UEFI,
				Seed: seed, Timeout: bootTimeout,
				Expect: []string{regexp.QuoteMeta(mark) + ` service=active module=live nbds_max=3\b`},
				// A report line with any other value ends the boot at once instead of at the timeout.
				FailOn: []string{regexp.QuoteMeta(mark) + ` service=(?:[^a]|a[^c])`, regexp.QuoteMeta(mark) + ` .*module=(?:[^l]|l[^i])`,
					regexp.QuoteMeta(mark) + ` .*nbds_max=(?:[^3]|3\d)`},
			})
			t.Logf("MEASURE matrix %s: build %.1fs, boot to the report %.1fs", tc.name, b.Elapsed.Seconds(), time.Since(start).Seconds())
		})
	}
}
