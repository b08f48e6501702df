package iso

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// keepInput keeps the builder's image when the conversion failed. Packer destroys the builder's
// artifact when its only post-processor fails, whatever keep_input_artifact says (an error
// skips that setting, packer/build.go), and the customization would be lost to an error in the
// ISO step. The mark (ledger.MarkKeep) is read by the imagecustomizer builder's
// Artifact.Destroy, the only Destroy that knows it; other builders' artifacts are left to
// Packer.
func keepInput(ui packersdk.Ui, in packersdk.Artifact) {
	if in.BuilderId() != artifacts.BuilderID || len(in.Files()) != 1 {
		return
	}
	path := in.Files()[0]
	if err := ledger.MarkKeep(path, "the imagecustomizer-iso post-processor failed on it"); err != nil {
		ui.Error(fmt.Sprintf("Packer may delete the input image %s: %v", path, err))
		return
	}
	ui.Say(fmt.Sprintf("Keeping the input image %s: the ISO conversion failed, and Packer would delete it", path))
}
