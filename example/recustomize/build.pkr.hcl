# Re-customization: a Live OS ISO made earlier (by default the demo's, ../output-demo/live.iso)
# is the base image. The builder turns it back into a disk image; the files that were on the
# media and its kernel arguments are carried to the new ISO.
packer {
  required_plugins {
    imagecustomizer = {
      source  = "github.com/imagecustomizer/imagecustomizer"
      version = ">= 0.1.0"
    }
  }
}

variable "live_iso" {
  type        = string
  default     = "../output-demo/live.iso"
  description = "A Live OS ISO made by the imagecustomizer-iso post-processor."
}

source "imagecustomizer" "recustomize" {
  base_image        = var.live_iso
  base_image_format = "iso"
  output_directory  = "output-recustomize"
}

build {
  sources = ["source.imagecustomizer.recustomize"]

  provisioner "imagecustomizer" {
    os {
      hostname = "recustomized"
      users {
        name            = "operator"
        ssh_public_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBj8o9d0c2zsM8bMEEX1bJv4mLFVn7xN3gUKqGvvWcJt operator"]
      }
    }
  }

  post-processor "imagecustomizer-iso" {
    output       = "output-recustomize/live.iso"
    volume_label = "RECUSTOMIZED"
    additional_files {
      content     = "re-customized by Packer\n"
      destination = "/README.txt"
    }
  }
}
