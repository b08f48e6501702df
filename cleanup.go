package main

import (
	"fmt"
	"io"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// cleanup is `packer-plugin-imagecustomizer cleanup`: it releases what killed builds left
// behind (processes, mounts, loop devices), as every build does first, and prints what it
// found. Builds that are still running are not touched. It exits 1 when something could not
// be released.
func cleanup(w io.Writer) int {
	found, err := ledger.Sweep()
	code := 0
	for _, f := range found {
		fmt.Fprintln(w, f.String())
		if len(f.Left) > 0 {
			code = 1
		}
	}
	if err != nil {
		fmt.Fprintf(w, "release the leftovers of killed builds: %v\n", err)
		code = 1
	}
	if len(found) == 0 && err == nil {
		fmt.Fprintf(w, "no leftovers of killed builds in %s\n", ledger.Dir)
	}
	return code
}
