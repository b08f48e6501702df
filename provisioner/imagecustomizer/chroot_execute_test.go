package imagecustomizer

import (
	"context"
	"reflect"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// TestChrootExecuteCommandGivesTheSameTree: the twin configuration applied with every
// command staged and run through a wrapper (as sudo would run it) makes the same tree as the
// default, through the SDK's double-quoting chroot communicator.
func TestChrootExecuteCommandGivesTheSameTree(t *testing.T) {
	requireRoot(t)
	dir := twinDir(t)
	t.Chdir(dir)
	direct, wrapped := tinyImage(t), tinyImage(t)
	if err := prepared(t, twinHCL()).Provision(context.Background(), packersdk.TestUi(t), communicators(direct)["sdk"], nil); err != nil {
		t.Fatal(err)
	}
	raw := twinHCL()
	raw["execute_command"] = "env IC_WRAPPED=1 /bin/sh {{.Path}}"
	if err := prepared(t, raw).Provision(context.Background(), packersdk.TestUi(t), communicators(wrapped)["sdk"], nil); err != nil {
		t.Fatal(err)
	}
	a, b := snapshot(t, direct), snapshot(t, wrapped)
	if !reflect.DeepEqual(a, b) {
		for k := range a {
			if a[k] != b[k] {
				t.Errorf("%s: default %q, execute_command %q", k, a[k], b[k])
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				t.Errorf("%s only in the execute_command tree", k)
			}
		}
	}
}
