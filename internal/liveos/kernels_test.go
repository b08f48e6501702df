package liveos

import (
	"reflect"
	"strings"
	"testing"
)

func TestFindKernels(t *testing.T) {
	tests := map[string]struct {
		boot    []string
		want    []string // versions, newest first
		wantErr bool
	}{
		"debian /boot": {
			boot: []string{"System.map-6.1.0-50-cloud-amd64", "config-6.1.0-50-cloud-amd64", "efi", "grub",
				"initrd.img-6.1.0-50-cloud-amd64", "vmlinuz-6.1.0-50-cloud-amd64"},
			want: []string{"6.1.0-50-cloud-amd64"},
		},
		"numeric not lexical order": {
			boot: []string{"vmlinuz-6.1.0-9-amd64", "vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-10-amd64"},
			want: []string{"6.1.0-50-amd64", "6.1.0-10-amd64", "6.1.0-9-amd64"},
		},
		"major.minor": {
			boot: []string{"vmlinuz-6.9.1", "vmlinuz-6.10.0", "vmlinuz-5.15.0"},
			want: []string{"6.10.0", "6.9.1", "5.15.0"},
		},
		"fedora: rescue, hmac and symlink skipped": {
			boot: []string{"vmlinuz-0-rescue-0123abcd", ".vmlinuz-6.8.5-301.fc40.x86_64.hmac",
				"vmlinuz-6.8.5-301.fc40.x86_64", "vmlinuz-6.8.5-301.fc40.x86_64.hmac", "vmlinuz",
				"vmlinuz-6.9.7-200.fc40.x86_64"},
			want: []string{"6.9.7-200.fc40.x86_64", "6.8.5-301.fc40.x86_64"},
		},
		"backups and duplicates skipped": {
			boot: []string{"vmlinuz-6.1.0-1-amd64.old", "vmlinuz-6.1.0-1-amd64", "vmlinuz-6.1.0-1-amd64", "vmlinuz-.x"},
			want: []string{"6.1.0-1-amd64"},
		},
		"none":         {boot: []string{"grub", "config-6.1", "vmlinuz", "vmlinuz-"}, wantErr: true},
		"empty /boot":  {boot: nil, wantErr: true},
		"only rescue":  {boot: []string{"vmlinuz-0-rescue-abc"}, wantErr: true},
		"azure linux3": {boot: []string{"vmlinuz-6.6.47.1-1.azl3", "initramfs-6.6.47.1-1.azl3.img"}, want: []string{"6.6.47.1-1.azl3"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ks, err := FindKernels(tc.boot)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "/boot") {
					t.Fatalf("FindKernels(%q) error = %v, want one naming /boot", tc.boot, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range ks {
				got = append(got, k.Version)
				if k.Vmlinuz != "boot/vmlinuz-"+k.Version || k.Initrd != "boot/initrd.img-"+k.Version {
					t.Errorf("kernel %s paths = %q, %q", k.Version, k.Vmlinuz, k.Initrd)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FindKernels versions = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"6.1.0", "6.1.0", 0},
		{"6.10", "6.9", 1},
		{"6.1.0-50", "6.1.0-9", 1},
		{"6.1.0-050", "6.1.0-50", 0},
		{"6.1", "6.1.0", -1},
		{"6.1~rc1", "6.1", -1},
		{"6.1~rc1", "6.1~rc2", -1},
		{"6.1", "6.1~rc1", 1},
		{"6.1a", "6.1b", -1},
		{"6.1.1", "6.1a", 1}, // a number beats letters (rpmvercmp)
		{"6.8.5-301.fc40", "6.8.5-300.fc40", 1},
		{"", "1", -1},
		{"1", "", 1},
		{"99999999999999999999", "1", 1}, // longer than int64
	}
	for _, tc := range tests {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareVersions(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d (antisymmetry)", tc.b, tc.a, got, -tc.want)
		}
	}
}
