package imagecustomizer

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// A command that leaves a background process holding its output still ends with its own exit
// status, not as a disconnect: the process is stopped later, before the image is unmounted.
func TestCommandLeavingABackgroundProcessSucceeds(t *testing.T) {
	testenv.RequireRoot(t)
	comm := &Communicator{Root: "/", Context: context.Background()}
	var out bytes.Buffer
	cmd := &packersdk.RemoteCmd{Command: "sleep 60 & echo $!", Stdout: &out, Stderr: &out}
	if err := comm.Start(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	code := cmd.Wait()
	if pid, err := strconv.Atoi(strings.TrimSpace(out.String())); err == nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if code != 0 {
		t.Errorf("exit code %d (disconnect is %d); want 0", code, packersdk.CmdDisconnect)
	}
}
