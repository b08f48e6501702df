package imagecustomizer

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/progress"
)

// qemuImgProgress shows qemu-img -p's percentage in tenths, as "<what>: 40%".
func qemuImgProgress(ui packersdk.Ui, what string) func(string) {
	s := &progress.Steps{Parse: progress.QemuImg, Report: func(p int) { ui.Message(fmt.Sprintf("%s: %d%%", what, p)) }}
	return s.Line
}
