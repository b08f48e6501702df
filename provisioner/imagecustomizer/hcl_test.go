package imagecustomizer

import (
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// twinHCLText is twinHCL written as a Packer template body, decoded the way Packer does:
// through the generated HCL2 spec, then config.Decode of the resulting cty value.
const twinHCLText = `
os {
  hostname = "live-01"
  kernel_command_line {
    extra_command_line = ["ds=nocloud", "console=ttyS0,115200"]
  }
  additional_files {
    source      = "cloud-init-data/user-data"
    destination = "/var/lib/cloud/seed/nocloud/user-data"
  }
  additional_files {
    source      = "cloud-init-data/meta-data"
    destination = "/var/lib/cloud/seed/nocloud/meta-data"
  }
  additional_dirs {
    source              = "tree"
    destination         = "/opt/tree"
    new_dir_permissions = "750"
  }
  groups {
    name = "ops"
    gid  = 1500
  }
  users {
    name = "alice"
    uid  = 1500
    password {
      type  = "hashed"
      value = "$6$salt$hash"
    }
    ssh_public_keys = ["ssh-ed25519 AAAA alice@example"]
    primary_group   = "ops"
  }
  services {
    enable  = ["ssh.service"]
    disable = ["getty@tty1.service"]
  }
  modules {
    name      = "br_netfilter"
    load_mode = "always"
    options   = { debug = "1" }
  }
}
scripts {
  post_customization {
    path      = "scripts/post.sh"
    arguments = ["a", "b c"]
  }
  finalize_customization {
    content               = "echo \"{{ not a template }} $${GREETING}\" > /finalize.out"
    environment_variables = { GREETING = "hello" }
    name                  = "finalize"
  }
}
`

func TestHCLTemplateDecodesLikeTheYAMLTwin(t *testing.T) {
	dir := twinDir(t)
	t.Chdir(dir)
	f, diags := hclparse.NewParser().ParseHCL([]byte(twinHCLText), "twin.pkr.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var p Provisioner
	val, diags := hcldec.Decode(f.Body, hcldec.ObjectSpec(p.ConfigSpec()), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := p.Prepare(val); err != nil {
		t.Fatal(err)
	}
	var y Provisioner
	if err := y.Prepare(map[string]interface{}{"config_file": "ic.yaml"}); err != nil {
		t.Fatal(err)
	}
	// The YAML twin's inline script differs only in ${GREETING} vs $GREETING.
	y.ic.Scripts.FinalizeCustomization[0].Content = p.ic.Scripts.FinalizeCustomization[0].Content
	if !reflect.DeepEqual(p.ic, y.ic) {
		t.Errorf("HCL template and YAML differ\nHCL:  %+v\nYAML: %+v", *p.ic.OS, *y.ic.OS)
	}
	if got := p.ic.Scripts.FinalizeCustomization[0].Content; got != `echo "{{ not a template }} ${GREETING}" > /finalize.out` {
		t.Errorf("content = %q", got)
	}
}
