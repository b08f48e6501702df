// Package artifacts names what the plugin's Packer components share about the artifacts they
// hand each other: artifact ids and artifact state keys. It is a leaf: adapters import it, it
// imports nothing of the plugin, so no adapter needs to import another.
package artifacts

// Artifact ids (Packer's BuilderId of an artifact, and the plugin type used to decode configs).
const (
	// BuilderID marks the imagecustomizer builder's disk images.
	BuilderID = "imagecustomizer.builder"
	// ISOID marks the imagecustomizer-iso post-processor's Live OS ISOs.
	ISOID = "imagecustomizer.post-processor.iso"
)

// Artifact state keys.
const (
	// StateImageFormat is the output format a disk image was written in (raw, qcow2, vhd,
	// vhd-fixed, vhdx). A reader treats it as a hint: the file's content is what counts.
	StateImageFormat = "image_format"
	// StateBootTest holds an ISO's boot test results: one map per boot with firmware, media,
	// passed, seconds, milestones (name to seconds), console_log and error.
	StateBootTest = "boot_test"
)

// Generated data keys (${build.<Key>} in templates).
const (
	// GeneratedBootTest is the one-line summary of an ISO's boot test, e.g.
	// "uefi-secureboot=pass bios=pass". The builder declares it ("not run") so that templates
	// may name it, e.g. in the manifest post-processor's custom_data; the imagecustomizer-iso
	// post-processor's boot_test fills it in.
	GeneratedBootTest = "BootTest"
	// BootTestNotRun is GeneratedBootTest's value before any boot test ran.
	BootTestNotRun = "not run"
)

// RegistryProvider is the provider name under which HCP Packer lists both artifacts (their
// par.artifact.metadata).
const RegistryProvider = "imagecustomizer"
