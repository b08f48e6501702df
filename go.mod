module github.com/imagecustomizer/packer-plugin-imagecustomizer

go 1.24.0

require github.com/hashicorp/packer-plugin-sdk v0.6.4

replace github.com/zclconf/go-cty => github.com/nywilken/go-cty v1.13.3
