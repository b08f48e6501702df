package fields

import (
	"os"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	iso "github.com/imagecustomizer/packer-plugin-imagecustomizer/post-processor/iso"
)

// registry says, for every setting of the configuration types, what the plugin does with it.
// A new field fails TestEverySettingIsUsedRefusedOrIgnored until it is added here.
var registry = map[string]entry{
	// The Image Customizer configuration (YAML, and the provisioner's HCL converted to it).
	"icconfig.Config.OS":                          {status: used, by: "provisioner.setHostname"},
	"icconfig.OS.Hostname":                        {status: used, by: "provisioner.setHostname"},
	"icconfig.OS.KernelCommandLine":               {status: used, by: "provisioner.addKernelCommandLine"},
	"icconfig.KernelCommandLine.ExtraCommandLine": {status: used, by: "provisioner.addKernelCommandLine"},
	"icconfig.OS.AdditionalFiles":                 {status: used, by: "provisioner.copyAdditionalFiles"},
	"icconfig.AdditionalFile.Destination":         {status: used, by: "provisioner.addFile"},
	"icconfig.AdditionalFile.Source":              {status: used, by: "provisioner.addFile"},
	"icconfig.AdditionalFile.Content":             {status: used, by: "provisioner.addFile"},
	"icconfig.AdditionalFile.Permissions":         {status: used, by: "provisioner.addFile"},
	"icconfig.OS.AdditionalDirs":                  {status: used, by: "provisioner.copyAdditionalDirs"},
	"icconfig.AdditionalDir.Source":               {status: used, by: "provisioner.copyAdditionalDirs"},
	"icconfig.AdditionalDir.Destination":          {status: used, by: "provisioner.addDir"},
	"icconfig.AdditionalDir.NewDirPermissions":    {status: used, by: "provisioner.writeTree"},
	"icconfig.AdditionalDir.MergedDirPermissions": {status: used, by: "provisioner.addDir"},
	"icconfig.AdditionalDir.ChildFilePermissions": {status: used, by: "provisioner.writeTree"},
	"icconfig.OS.Groups":                          {status: used, by: "provisioner.addGroupsAndUsers"},
	"icconfig.Group.Name":                         {status: used, by: "provisioner.addGroup"},
	"icconfig.Group.GID":                          {status: used, by: "provisioner.addGroup"},
	"icconfig.OS.Users":                           {status: used, by: "provisioner.addGroupsAndUsers"},
	"icconfig.User.Name":                          {status: used, by: "provisioner.addUser"},
	"icconfig.User.UID":                           {status: used, by: "provisioner.userArgv"},
	"icconfig.User.Password":                      {status: used, by: "provisioner.setPassword"},
	"icconfig.Password.Type":                      {status: used, by: "provisioner.setPassword"},
	"icconfig.Password.Value":                     {status: used, by: "provisioner.setPassword"},
	"icconfig.User.PasswordExpiresDays":           {status: used, by: "provisioner.addUser"},
	"icconfig.User.SSHPublicKeyPaths":             {status: used, by: "provisioner.addSSHKeys"},
	"icconfig.User.SSHPublicKeys":                 {status: used, by: "provisioner.addSSHKeys"},
	"icconfig.User.PrimaryGroup":                  {status: used, by: "provisioner.userArgv"},
	"icconfig.User.SecondaryGroups":               {status: used, by: "provisioner.userArgv"},
	"icconfig.User.StartupCommand":                {status: used, by: "provisioner.userArgv"},
	"icconfig.User.HomeDirectory":                 {status: used, by: "provisioner.userArgv"},
	"icconfig.OS.Services":                        {status: used, by: "provisioner.configureServices"},
	"icconfig.Services.Enable":                    {status: used, by: "provisioner.configureServices"},
	"icconfig.Services.Disable":                   {status: used, by: "provisioner.configureServices"},
	"icconfig.OS.Modules":                         {status: used, by: "provisioner.configureModules"},
	"icconfig.Module.Name":                        {status: used, by: "provisioner.planModules"},
	"icconfig.Module.LoadMode":                    {status: used, by: "provisioner.planModules"},
	"icconfig.Module.Options":                     {status: used, by: "provisioner.planModules"},
	"icconfig.Config.Scripts":                     {status: used, by: "provisioner.runPostCustomization"},
	"icconfig.Scripts.PostCustomization":          {status: used, by: "provisioner.runPostCustomization"},
	"icconfig.Scripts.FinalizeCustomization":      {status: used, by: "provisioner.runFinalizeCustomization"},
	"icconfig.Script.Path":                        {status: used, by: "provisioner.runScripts"},
	"icconfig.Script.Content":                     {status: used, by: "provisioner.runScripts"},
	"icconfig.Script.Interpreter":                 {status: used, by: "provisioner.scriptCommand"},
	"icconfig.Script.Arguments":                   {status: used, by: "provisioner.scriptCommand"},
	"icconfig.Script.EnvironmentVariables":        {status: used, by: "provisioner.scriptCommand"},
	"icconfig.Script.Name":                        {status: used, by: "provisioner.scriptName"},
	"icconfig.Config.Iso":                         {status: used, by: "iso.Config.isoSection"},
	"icconfig.Iso.KernelCommandLine":              {status: used, by: "iso.Config.extraArgs"},
	"icconfig.Iso.AdditionalFiles":                {status: used, by: "iso.gatherMediaInput"},
	"icconfig.Iso.InitramfsType": {status: used, by: "iso.gatherMediaInput", refuse: []sample{
		yamlSample("iso:\n  initramfsType: full-os\n", "iso:\n  initramfsType: bootstrap\n", "iso.initramfsType"),
	}},
	"icconfig.Iso.KdumpBootFiles": {status: refused, refuse: []sample{
		yamlSample("iso:\n  kdumpBootFiles: keep\n", "iso:\n  kdumpBootFiles: none\n", "iso.kdumpBootFiles"),
		isoSample("config_file", "iso:\n  kdumpBootFiles: keep\n", "iso:\n  kdumpBootFiles: none\n", "iso.kdumpBootFiles"),
	}},

	// source "imagecustomizer"
	"builder.Config.BaseImage":         {status: used, by: "builder.stepWorkingCopy.Run"},
	"builder.Config.BaseImageFormat":   {status: used, by: "builder.baseFormat"},
	"builder.Config.OutputDirectory":   {status: used, by: "builder.workImagePath"},
	"builder.Config.OutputImageName":   {status: used, by: "builder.stepConvertOutput.Run"},
	"builder.Config.OutputFormat":      {status: used, by: "builder.stepConvertOutput.Run"},
	"builder.Config.MountPath":         {status: used, by: "builder.renderMountPath"},
	"builder.Config.ChrootMounts":      {status: used, by: "builder.stepChrootMounts.Run"},
	"builder.Config.CopyFiles":         {status: used, by: "builder.stepCopyFiles.Run"},
	"builder.Config.CommandWrapper":    {status: used, by: "builder.wrapper"},
	"builder.Config.PreMountCommands":  {status: used, by: "builder.Builder.Run"},
	"builder.Config.PostMountCommands": {status: used, by: "builder.Builder.Run"},

	// provisioner "imagecustomizer": HCL blocks converted to the Image Customizer configuration.
	"provisioner.Config.ConfigFile":                  {status: used, by: "provisioner.Config.load"},
	"provisioner.Config.ExecuteCommand":              {status: used, by: "provisioner.Provisioner.Prepare"},
	"provisioner.Config.OS":                          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Config.Scripts":                     {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.Hostname":                        {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.KernelCommandLine":               {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.AdditionalFiles":                 {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.AdditionalDirs":                  {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.Groups":                          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.Users":                           {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.Services":                        {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.OS.Modules":                         {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.AdditionalDir.Source":               {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.AdditionalDir.Destination":          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.AdditionalDir.NewDirPermissions":    {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.AdditionalDir.MergedDirPermissions": {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.AdditionalDir.ChildFilePermissions": {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Group.Name":                         {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Group.GID":                          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.Name":                          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.UID":                           {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.Password":                      {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.PasswordExpiresDays":           {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.SSHPublicKeyPaths":             {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.SSHPublicKeys":                 {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.PrimaryGroup":                  {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.SecondaryGroups":               {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.StartupCommand":                {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.User.HomeDirectory":                 {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Password.Type":                      {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Password.Value":                     {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Services.Enable":                    {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Services.Disable":                   {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Module.Name":                        {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Module.LoadMode":                    {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Module.Options":                     {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Scripts.PostCustomization":          {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Scripts.FinalizeCustomization":      {status: used, by: "provisioner.Config.imageConfig"},
	"provisioner.Script.Path":                        {status: used, by: "provisioner.convertScripts"},
	"provisioner.Script.Content":                     {status: used, by: "provisioner.convertScripts"},
	"provisioner.Script.Interpreter":                 {status: used, by: "provisioner.convertScripts"},
	"provisioner.Script.Arguments":                   {status: used, by: "provisioner.convertScripts"},
	"provisioner.Script.EnvironmentVariables":        {status: used, by: "provisioner.convertScripts"},
	"provisioner.Script.Name":                        {status: used, by: "provisioner.convertScripts"},

	// The blocks the provisioner and the post-processor share.
	"hclblocks.KernelCommandLine.ExtraCommandLine": {status: used, by: "hclblocks.KernelCommandLine.ImageCustomizer"},
	"hclblocks.AdditionalFile.Destination":         {status: used, by: "hclblocks.Files"},
	"hclblocks.AdditionalFile.Source":              {status: used, by: "hclblocks.Files"},
	"hclblocks.AdditionalFile.Content":             {status: used, by: "hclblocks.Files"},
	"hclblocks.AdditionalFile.Permissions":         {status: used, by: "hclblocks.Files"},

	// post-processor "imagecustomizer-iso"
	"iso.Config.ConfigFile":          {status: used, by: "iso.Config.isoSection"},
	"iso.Config.AdditionalFiles":     {status: used, by: "iso.Config.hclAdditionalFiles"},
	"iso.Config.KernelCommandLine":   {status: used, by: "iso.Config.isoSection"},
	"iso.Config.Output":              {status: used, by: "iso.PostProcessor.PostProcess"},
	"iso.Config.VolumeLabel":         {status: used, by: "iso.gatherMediaInput"},
	"iso.Config.SquashfsCompression": {status: used, by: "iso.stepSquashRoot.Run"},
	"iso.Config.BIOSBoot":            {status: used, by: "iso.Config.biosBoot"},
	"iso.Config.BootTest":            {status: used, by: "iso.stepBootCheck.Run"},
	"iso.BootTest.Firmware":          {status: used, by: "iso.BootTest.suite"},
	"iso.BootTest.Media":             {status: used, by: "iso.BootTest.suite"},
	"iso.BootTest.Expect":            {status: used, by: "iso.BootTest.suite"},
	"iso.BootTest.FailOn":            {status: used, by: "iso.BootTest.suite"},
	"iso.BootTest.Timeout":           {status: used, by: "iso.BootTest.suite"},
	"iso.BootTest.Memory":            {status: used, by: "iso.BootTest.suite"},
	"iso.Config.InitramfsType": {status: used, by: "iso.Config.isoSection", refuse: []sample{
		isoSample("initramfs_type", "full-os", "bootstrap", "initramfs_type"),
	}},
}

// yamlSample validates Image Customizer YAML the way every component does: strict decoding,
// then IsValid.
func yamlSample(bad, good, names string) sample {
	run := func(doc string) func() error {
		return func() error {
			c, err := icconfig.Parse([]byte(doc), os.TempDir())
			if err != nil {
				return err
			}
			return c.IsValid()
		}
	}
	return sample{bad: run(bad), names: names, good: run(good)}
}

// isoSample runs the post-processor's Prepare with one setting. For config_file the values
// are the YAML written to a file.
func isoSample(key, bad, good, names string) sample {
	run := func(value string) func() error {
		return func() error {
			var v any = value
			if key == "config_file" {
				f, err := os.CreateTemp("", "fields-*.yaml")
				if err != nil {
					return err
				}
				defer os.Remove(f.Name())
				if _, err := f.WriteString(value); err != nil {
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				v = f.Name()
			}
			return (&iso.Config{}).Prepare(map[string]any{key: v})
		}
	}
	return sample{bad: run(bad), names: names, good: run(good)}
}
