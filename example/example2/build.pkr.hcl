# The seed page's Example 2, in HCL: the cloud-init data inside the Live OS root file system,
# and the kernel argument that makes cloud-init read it.
packer {
  required_plugins {
    imagecustomizer = {
      source  = "github.com/imagecustomizer/imagecustomizer"
      version = ">= 0.1.0"
    }
  }
}

variable "base_image" {
  type        = string
  description = "A Debian disk image (raw, qcow2, vhd or vhdx)."
}

source "imagecustomizer" "example2" {
  base_image       = var.base_image
  output_directory = "output-example2"
}

build {
  sources = ["source.imagecustomizer.example2"]

  provisioner "imagecustomizer" {
    os {
      kernel_command_line {
        extra_command_line = ["ds=nocloud"]
      }
      additional_files {
        source      = "../cloud-init-data/user-data"
        destination = "/var/lib/cloud/seed/nocloud/user-data"
      }
      additional_files {
        source      = "../cloud-init-data/network-config"
        destination = "/var/lib/cloud/seed/nocloud/network-config"
      }
      additional_files {
        source      = "../cloud-init-data/meta-data"
        destination = "/var/lib/cloud/seed/nocloud/meta-data"
      }
    }
  }

  post-processor "imagecustomizer-iso" {
    output = "output-example2/live.iso"
  }
}
