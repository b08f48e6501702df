//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type Config,OS,AdditionalDir,Group,User,Password,Services,Module,Scripts,Script

package imagecustomizer

import (
	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hclblocks"
)

// Config is the configuration of `provisioner "imagecustomizer"`. The settings are either
// read from an Image Customizer YAML file (`config_file`) or written as HCL blocks that mirror
// the YAML in snake_case (`os`, `scripts`); not both. Both forms are validated by the same
// code; a problem is named the way it was written: by YAML path and line in the file
// (`os.additionalFiles[1]`), by block and attribute in HCL (`os.additional_files[1]`).
// Legacy `{{ }}` template interpolation is not applied: file contents and scripts reach the
// image unchanged (HCL2 expressions work as usual).
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// Path to an Image Customizer configuration file (YAML). Relative paths inside it resolve
	// against the file's directory. Its `iso` section belongs to the `imagecustomizer-iso`
	// post-processor and is only validated here. Sections the original tool has but this plugin
	// does not implement (`storage`, `os.packages`, `os.selinux`, `pxe`, ...) are an error.
	// Cannot be combined with the `os` and `scripts` blocks.
	ConfigFile string `mapstructure:"config_file" required:"false"`
	// How the image's operating system is customized (the YAML's `os`). Relative host paths
	// resolve against the current directory, as everywhere in Packer.
	OS *OS `mapstructure:"os" required:"false"`
	// Scripts run inside the image after the OS customizations (the YAML's `scripts`).
	Scripts *Scripts `mapstructure:"scripts" required:"false"`
	// How the provisioner's commands run in the machine. Each command is written to a script
	// file in the machine's /tmp by the communicator's user and run with this command line;
	// `{{.Path}}` is that file. The commands must run as root: the provisioner checks that
	// before it changes anything. Over SSH as a user other than root, set
	// `sudo -n /bin/sh {{.Path}}` (the user needs passwordless sudo; a password prompt would
	// consume the commands' input). Default: `/bin/sh {{.Path}}`, for the chroot of
	// `source "imagecustomizer"`, which runs as root; with it, commands that are safe to pass
	// as a command line are sent without a script file.
	ExecuteCommand string `mapstructure:"execute_command" required:"false"`

	ctx interpolate.Context
}

// OS mirrors the Image Customizer's `os` section.
type OS struct {
	// Host name written to /etc/hostname; /etc/hosts entries naming the old host name are
	// renamed too. Must be a valid DNS name without `_`. Default: unchanged.
	Hostname string `mapstructure:"hostname" required:"false"`
	// Extra kernel arguments added to the image's boot configuration (GRUB_CMDLINE_LINUX in
	// /etc/default/grub followed by the image's update-grub or grub-mkconfig,
	// /etc/kernel/cmdline, and BLS entries' `options`). Default: none.
	KernelCommandLine *hclblocks.KernelCommandLine `mapstructure:"kernel_command_line" required:"false"`
	// Files to place in the image, one block each. Default: none.
	AdditionalFiles []hclblocks.AdditionalFile `mapstructure:"additional_files" required:"false"`
	// Host directory trees to copy into the image, one block each. Default: none.
	AdditionalDirs []AdditionalDir `mapstructure:"additional_dirs" required:"false"`
	// Groups to create (before the users). Default: none.
	Groups []Group `mapstructure:"groups" required:"false"`
	// Users to create or update. Default: none.
	Users []User `mapstructure:"users" required:"false"`
	// systemd units to enable or disable with the image's `systemctl`. Default: none.
	Services *Services `mapstructure:"services" required:"false"`
	// Kernel modules to load, allow or block, with options. Default: none.
	Modules []Module `mapstructure:"modules" required:"false"`
}

// AdditionalDir is a host directory tree to copy into the image.
type AdditionalDir struct {
	// Host directory to copy.
	Source string `mapstructure:"source" required:"true"`
	// Absolute path of the directory in the image.
	Destination string `mapstructure:"destination" required:"true"`
	// Octal mode of directories the copy creates. Default: `"755"`.
	NewDirPermissions string `mapstructure:"new_dir_permissions" required:"false"`
	// Octal mode set on directories that already existed in the image. Default: unchanged.
	MergedDirPermissions string `mapstructure:"merged_dir_permissions" required:"false"`
	// Octal mode of the copied files. Default: each source file's mode.
	ChildFilePermissions string `mapstructure:"child_file_permissions" required:"false"`
}

// Group is a group to create.
type Group struct {
	// Group name.
	Name string `mapstructure:"name" required:"true"`
	// Group ID. Default: chosen by groupadd.
	GID *int `mapstructure:"gid" required:"false"`
}

// User is a user to create, or to update when it exists.
type User struct {
	// User name.
	Name string `mapstructure:"name" required:"true"`
	// User ID. Default: chosen by useradd.
	UID *int `mapstructure:"uid" required:"false"`
	// Password. Default: none (the account has no usable password).
	Password *Password `mapstructure:"password" required:"false"`
	// Days until the password must be changed (chage -M); -1 means never. Default: the
	// image's policy.
	PasswordExpiresDays *int64 `mapstructure:"password_expires_days" required:"false"`
	// Host files holding SSH public keys, added to ~/.ssh/authorized_keys.
	SSHPublicKeyPaths []string `mapstructure:"ssh_public_key_paths" required:"false"`
	// SSH public keys, added to ~/.ssh/authorized_keys.
	SSHPublicKeys []string `mapstructure:"ssh_public_keys" required:"false"`
	// Primary group. Default: useradd's (usually a new group named like the user).
	PrimaryGroup string `mapstructure:"primary_group" required:"false"`
	// Supplementary groups; they must exist.
	SecondaryGroups []string `mapstructure:"secondary_groups" required:"false"`
	// Login shell. Default: useradd's.
	StartupCommand string `mapstructure:"startup_command" required:"false"`
	// Home directory. Default: useradd's (/home/<name>).
	HomeDirectory string `mapstructure:"home_directory" required:"false"`
}

// Password is a user's password.
type Password struct {
	// One of `locked`, `plain-text`, `hashed` (crypt(3) string), `plain-text-file`,
	// `hashed-file` (the value is then a host file path).
	Type string `mapstructure:"type" required:"true"`
	// The password, its hash, or the path of a file holding either.
	Value string `mapstructure:"value" required:"false"`
}

// Services lists systemd units to enable or disable.
type Services struct {
	// Units to enable.
	Enable []string `mapstructure:"enable" required:"false"`
	// Units to disable.
	Disable []string `mapstructure:"disable" required:"false"`
}

// Module configures one kernel module.
type Module struct {
	// Module name.
	Name string `mapstructure:"name" required:"true"`
	// `always` (load at boot: /etc/modules-load.d/modules-load.conf), `auto` (remove a
	// blacklist entry), `disable` (blacklist in /etc/modprobe.d/modules-disabled.conf) or
	// `inherit`. Default: `inherit` (keep the image's setting, only write options).
	LoadMode string `mapstructure:"load_mode" required:"false"`
	// Module options written to /etc/modprobe.d/module-options.conf.
	Options map[string]string `mapstructure:"options" required:"false"`
}

// Scripts are run inside the image after the OS customizations.
type Scripts struct {
	// Scripts run after the OS customizations. One block each.
	PostCustomization []Script `mapstructure:"post_customization" required:"false"`
	// Scripts run last. One block each.
	FinalizeCustomization []Script `mapstructure:"finalize_customization" required:"false"`
}

// Script is a script file or an inline script run inside the image, with `/` as its working
// directory.
type Script struct {
	// Host path of the script, relative to the current directory and under it. Exactly one of
	// `path` and `content` must be set.
	Path string `mapstructure:"path" required:"false"`
	// Inline script. Exactly one of `path` and `content` must be set.
	Content string `mapstructure:"content" required:"false"`
	// Program that runs the script inside the image. Default: `/bin/sh`.
	Interpreter string `mapstructure:"interpreter" required:"false"`
	// Arguments passed to the script.
	Arguments []string `mapstructure:"arguments" required:"false"`
	// Environment variables set for the script.
	EnvironmentVariables map[string]string `mapstructure:"environment_variables" required:"false"`
	// Name shown in the build output. Default: the path, or `inline script N`.
	Name string `mapstructure:"name" required:"false"`
}
