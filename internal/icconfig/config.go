// Package icconfig is the Image Customizer configuration: the YAML types
// (field names mirror Azure Linux Image Customizer's imagecustomizerapi),
// strict decoding, relative-path resolution and validation.
//
// Only the sections that packer-plugin-imagecustomizer implements are
// modelled. A section the original has but this plugin does not support is
// rejected with an error naming it, never silently ignored.
package icconfig

// Config is the top-level Image Customizer configuration.
type Config struct {
	OS      *OS      `yaml:"os"`
	Scripts *Scripts `yaml:"scripts"`
	Iso     *Iso     `yaml:"iso"`

	// BaseDir is the directory that relative paths were resolved against:
	// the YAML file's directory, or the current directory for HCL input.
	// Script paths stay relative to it (they must lie under it).
	BaseDir string `yaml:"-"`
}

// OS describes how the image's operating system is customized.
type OS struct {
	Hostname          string             `yaml:"hostname"`
	KernelCommandLine *KernelCommandLine `yaml:"kernelCommandLine"`
	AdditionalFiles   AdditionalFileList `yaml:"additionalFiles"`
	AdditionalDirs    []AdditionalDir    `yaml:"additionalDirs"`
	Groups            []Group            `yaml:"groups"`
	Users             []User             `yaml:"users"`
	Services          *Services          `yaml:"services"`
	Modules           []Module           `yaml:"modules"`
}

// KernelCommandLine holds extra kernel arguments.
type KernelCommandLine struct {
	ExtraCommandLine []string `yaml:"extraCommandLine"`
}

// AdditionalFile is one file to place in the image (or on the ISO media).
type AdditionalFile struct {
	Destination string           `yaml:"destination"`
	Source      string           `yaml:"source"`
	Content     *string          `yaml:"content"`
	Permissions *FilePermissions `yaml:"permissions"`
}

// AdditionalFileList accepts the list form and the legacy map form
// (source: destination) of additionalFiles; see additionalfile.go.
type AdditionalFileList []AdditionalFile

// AdditionalDir copies a host directory tree into the image.
type AdditionalDir struct {
	Source               string           `yaml:"source"`
	Destination          string           `yaml:"destination"`
	NewDirPermissions    *FilePermissions `yaml:"newDirPermissions"`
	MergedDirPermissions *FilePermissions `yaml:"mergedDirPermissions"`
	ChildFilePermissions *FilePermissions `yaml:"childFilePermissions"`
}

// Group is a group to create.
type Group struct {
	Name string `yaml:"name"`
	GID  *int   `yaml:"gid"`
}

// User is a user to create or update.
type User struct {
	Name                string    `yaml:"name"`
	UID                 *int      `yaml:"uid"`
	Password            *Password `yaml:"password"`
	PasswordExpiresDays *int64    `yaml:"passwordExpiresDays"`
	SSHPublicKeyPaths   []string  `yaml:"sshPublicKeyPaths"`
	SSHPublicKeys       []string  `yaml:"sshPublicKeys"`
	PrimaryGroup        string    `yaml:"primaryGroup"`
	SecondaryGroups     []string  `yaml:"secondaryGroups"`
	StartupCommand      string    `yaml:"startupCommand"`
	HomeDirectory       string    `yaml:"homeDirectory"`
}

// PasswordType says how Password.Value is to be read.
type PasswordType string

// Password types, as in the original.
const (
	PasswordLocked        PasswordType = "locked"
	PasswordPlainText     PasswordType = "plain-text"
	PasswordHashed        PasswordType = "hashed"
	PasswordPlainTextFile PasswordType = "plain-text-file"
	PasswordHashedFile    PasswordType = "hashed-file"
)

// Password is a user's password.
type Password struct {
	Type  PasswordType `yaml:"type"`
	Value string       `yaml:"value"`
}

// Services lists systemd units to enable or disable.
type Services struct {
	Enable  []string `yaml:"enable"`
	Disable []string `yaml:"disable"`
}

// ModuleLoadMode says how a kernel module is loaded.
type ModuleLoadMode string

// Module load modes, as in the original. Empty behaves like inherit.
const (
	ModuleLoadAlways  ModuleLoadMode = "always"
	ModuleLoadAuto    ModuleLoadMode = "auto"
	ModuleLoadDisable ModuleLoadMode = "disable"
	ModuleLoadInherit ModuleLoadMode = "inherit"
)

// Module configures one kernel module.
type Module struct {
	Name     string            `yaml:"name"`
	LoadMode ModuleLoadMode    `yaml:"loadMode"`
	Options  map[string]string `yaml:"options"`
}

// Scripts are run inside the image after the OS customizations.
type Scripts struct {
	PostCustomization     []Script `yaml:"postCustomization"`
	FinalizeCustomization []Script `yaml:"finalizeCustomization"`
}

// Script is a script file (Path, relative to the config directory) or an
// inline script (Content).
type Script struct {
	Path                 string            `yaml:"path"`
	Content              string            `yaml:"content"`
	Interpreter          string            `yaml:"interpreter"`
	Arguments            []string          `yaml:"arguments"`
	EnvironmentVariables map[string]string `yaml:"environmentVariables"`
	Name                 string            `yaml:"name"`
}

// InitramfsType selects how the Live OS boots.
type InitramfsType string

// Initramfs types. Only bootstrap is implemented by this plugin.
const (
	InitramfsBootstrap InitramfsType = "bootstrap"
	InitramfsFullOS    InitramfsType = "full-os"
)

// KdumpBootFiles says where kdump boot files go on a Live OS.
type KdumpBootFiles string

// Kdump boot file placements, as in the original. Only none is implemented by this plugin:
// the Live OS media never carries kdump boot files, and keep is refused.
const (
	KdumpBootFilesNone KdumpBootFiles = "none"
	KdumpBootFilesKeep KdumpBootFiles = "keep"
)

// Iso configures the Live OS ISO; it is read by the ISO post-processor.
type Iso struct {
	KernelCommandLine *KernelCommandLine `yaml:"kernelCommandLine"`
	AdditionalFiles   AdditionalFileList `yaml:"additionalFiles"`
	InitramfsType     InitramfsType      `yaml:"initramfsType"`
	// KdumpBootFiles may only be none (what the plugin does); keep is refused.
	KdumpBootFiles *KdumpBootFiles `yaml:"kdumpBootFiles"`
}
