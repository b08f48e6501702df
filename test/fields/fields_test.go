// Package fields checks that no setting is lost silently: every field of the configuration
// types (the Image Customizer YAML and the HCL configuration of the three components) is read
// by the code that applies it, refused by validation, or documented as ignored.
package fields

import "testing"

func TestEverySettingIsUsedRefusedOrIgnored(t *testing.T) {
	c, err := loadCode()
	if err != nil {
		t.Fatal(err)
	}
	all := settings()
	if len(all) < 50 {
		t.Fatalf("walked only %d settings: the walk of the configuration types is broken", len(all))
	}
	for _, p := range check(all, registry, c) {
		t.Error(p)
	}
}
