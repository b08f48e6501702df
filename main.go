// Command packer-plugin-imagecustomizer is a Packer plugin that customizes existing Linux disk
// images in a chroot and turns them into bootable Live OS ISOs.
package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/builder/imagecustomizer"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/post-processor/iso"
	provisioner "github.com/imagecustomizer/packer-plugin-imagecustomizer/provisioner/imagecustomizer"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/version"
)

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "cleanup":
		os.Exit(cleanup(os.Stdout))
	case len(os.Args) == 3 && os.Args[1] == ledger.WatchdogArg:
		os.Exit(ledger.RunWatchdog(os.Args[2]))
	}
	if exe, err := os.Executable(); err == nil {
		ledger.Watchdog = exe
	}
	if err := execx.CloseInheritedOnExec(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	pps := plugin.NewSet()
	pps.RegisterBuilder(plugin.DEFAULT_NAME, new(imagecustomizer.Builder))     // source "imagecustomizer"
	pps.RegisterProvisioner(plugin.DEFAULT_NAME, new(provisioner.Provisioner)) // provisioner "imagecustomizer"
	pps.RegisterPostProcessor("iso", new(iso.PostProcessor))                   // post-processor "imagecustomizer-iso"
	pps.SetVersion(version.PluginVersion)
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
