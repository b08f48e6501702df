package imagecustomizer

import (
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

func TestPlanModules(t *testing.T) {
	tests := []struct {
		name    string
		in      moduleFiles
		modules []icconfig.Module
		want    moduleFiles
	}{
		{"always unblacklists, loads and sets options",
			moduleFiles{disable: "blacklist vfio\nblacklist pcspkr\n", options: "options vfio a=1 b=2\n"},
			[]icconfig.Module{{Name: "vfio", LoadMode: icconfig.ModuleLoadAlways, Options: map[string]string{"b": "3", "c": "4"}}},
			moduleFiles{load: "vfio\n", disable: "blacklist pcspkr\n", options: "options vfio a=1 b=3 c=4\n"}},
		{"auto only unblacklists",
			moduleFiles{load: "x\n", disable: "blacklist vfio\n"},
			[]icconfig.Module{{Name: "vfio", LoadMode: icconfig.ModuleLoadAuto}},
			moduleFiles{load: "x\n", disable: ""}},
		{"disable blacklists and stops loading",
			moduleFiles{load: "pcspkr\nloop\n"},
			[]icconfig.Module{{Name: "pcspkr", LoadMode: icconfig.ModuleLoadDisable}},
			moduleFiles{load: "loop\n", disable: "blacklist pcspkr\n"}},
		{"inherit writes options only",
			moduleFiles{disable: "blacklist vfio\n"},
			[]icconfig.Module{{Name: "vfio", Options: map[string]string{"z": "1", "a": "2"}}},
			moduleFiles{disable: "blacklist vfio\n", options: "options vfio a=2 z=1\n"}},
		{"idempotent",
			moduleFiles{load: "vfio\n", disable: "blacklist pcspkr\n"},
			[]icconfig.Module{{Name: "vfio", LoadMode: icconfig.ModuleLoadAlways}, {Name: "pcspkr", LoadMode: icconfig.ModuleLoadDisable}},
			moduleFiles{load: "vfio\n", disable: "blacklist pcspkr\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planModules(tt.in, tt.modules); got != tt.want {
				t.Errorf("planModules =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestRenameHost(t *testing.T) {
	in := "127.0.0.1\tlocalhost\n127.0.1.1\tdebian.example debian # old\n::1 localhost ip6-localhost\n# debian\n"
	want := "127.0.0.1\tlocalhost\n127.0.1.1\tdebian.example live-01 # old\n::1 localhost ip6-localhost\n# debian\n"
	if got := renameHost(in, "debian", "live-01"); got != want {
		t.Errorf("renameHost =\n%q\nwant\n%q", got, want)
	}
}
