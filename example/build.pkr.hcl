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
  description = "A Debian disk image (raw, qcow2, vhd or vhdx); `make demo` passes the reference image."
}

source "imagecustomizer" "demo" {
  base_image       = var.base_image
  output_directory = "output-demo"
  output_format    = "qcow2"
}

build {
  sources = ["source.imagecustomizer.demo"]

  # Packer's own provisioners run in the image's chroot.
  provisioner "shell" {
    inline = ["echo 'customized by packer-plugin-imagecustomizer' > /etc/motd"]
  }

  # An Image Customizer YAML file (its os and scripts sections) ...
  provisioner "imagecustomizer" {
    config_file = "imagecustomizer.yaml"
  }

  # ... or the same settings as HCL blocks.
  provisioner "imagecustomizer" {
    os {
      hostname = "imagecustomizer-demo"
      services {
        enable = ["systemd-networkd.service"]
      }
    }
  }

  post-processors {
    post-processor "imagecustomizer-iso" {
      config_file = "imagecustomizer.yaml"
      output      = "output-demo/live.iso"
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "output-demo/live.iso.{{.ChecksumType}}"
    }
  }
  post-processor "manifest" {
    output = "output-demo/manifest.json"
  }
}
