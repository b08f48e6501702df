# For full specification on the configuration of this file visit:
# https://github.com/hashicorp/integration-template#metadata-configuration
integration {
  name = "Image Customizer"
  description = "Customize existing Linux disk images in a chroot and turn them into bootable Live OS ISOs."
  identifier = "packer/imagecustomizer/imagecustomizer"
  component {
    type = "builder"
    name = "Image Customizer"
    slug = "imagecustomizer"
  }
  component {
    type = "provisioner"
    name = "Image Customizer"
    slug = "imagecustomizer"
  }
  component {
    type = "post-processor"
    name = "Image Customizer ISO"
    slug = "iso"
  }
}
