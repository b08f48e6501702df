// Package version holds the plugin version reported to Packer by `describe`.
package version

import "github.com/hashicorp/packer-plugin-sdk/version"

var (
	// Version is the main version number. Release builds set it with -ldflags.
	Version = "0.1.0"
	// VersionPrerelease is "dev" for local builds; Packer accepts no other prerelease.
	VersionPrerelease = "dev"
	// VersionMetadata must stay empty: Packer rejects metadata in installed file names.
	VersionMetadata = ""
	// PluginVersion is what main.go registers.
	PluginVersion = version.NewPluginVersion(Version, VersionPrerelease, VersionMetadata)
)
