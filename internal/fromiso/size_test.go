package fromiso

import "testing"

func TestSquashfsTreeSize(t *testing.T) {
	listing := `drwxr-xr-x root/root                27 2026-11-26 15:00 
-rw-r--r-- 0/0                    1000 2026-11-26 15:00 /etc/hostname
lrwxrwxrwx 0/0                      20 2026-11-26 15:00 /etc/resolv.conf -> ../run/resolv.conf
crw-rw-rw- 0/0                     1,3 2026-11-26 15:00 /dev/null
-rwxr-xr-x 0/0                 1048576 2026-11-26 15:00 /usr/bin/big
Parallel unsquashfs: Using 2 processors
`
	// Four entries count a 4 KiB block each; only regular files add their size.
	if got, want := SquashfsTreeSize(listing), int64(5*4096+1000+1048576); got != want {
		t.Errorf("SquashfsTreeSize = %d, want %d", got, want)
	}
}

func TestDiskSize(t *testing.T) {
	cases := map[string]struct{ tree, want int64 }{
		"small tree gets the 1 GiB minimum root": {100 * mib, (2 + 64 + 1024 + 1) * mib},
		"big tree gets half again":               {2000 * mib, (2 + 64 + 3000 + 1) * mib},
		"rounded up to MiB":                      {2000*mib + 1, (2 + 64 + 3001 + 1) * mib},
	}
	for name, tc := range cases {
		if got := DiskSize(tc.tree); got != tc.want {
			t.Errorf("%s: DiskSize(%d) = %d MiB, want %d MiB", name, tc.tree, got/mib, tc.want/mib)
		}
	}
}
