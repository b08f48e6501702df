package fields

import (
	"errors"
	"strings"
	"testing"
)

// The checker itself: each way a setting can be lost is reported, and a correct registry
// reports nothing.
func TestCheckReportsEachGap(t *testing.T) {
	c := code{
		reads: reads{
			"p.T.Used":    {"p.apply": true, "p.T.validate": true},
			"p.T.Checked": {"p.T.validate": true},
			"p.T.Ignored": {"p.T.IsValid": true},
			"p.T.ReadIgn": {"p.apply": true},
		},
		docs: map[string]string{"p.T.Ignored": "Kept for compatibility; ignored.\n", "p.T.ReadIgn": "ignored\n"},
	}
	refusing := sample{bad: func() error { return errors.New("p.T.Refused: keep is not supported") }, names: "p.T.Refused",
		good: func() error { return nil }}
	tests := []struct {
		name  string
		field string
		entry *entry // nil: not registered
		want  string // "" means no problem
	}{
		{"used and read", "p.T.Used", &entry{status: used, by: "p.apply"}, ""},
		{"refused with proof", "p.T.Refused", &entry{status: refused, refuse: []sample{refusing}}, ""},
		{"ignored and documented", "p.T.Ignored", &entry{status: ignored}, ""},
		{"not registered", "p.T.New", nil, "p.T.New is not in the registry"},
		{"no status", "p.T.Used", &entry{}, "has no status"},
		{"used without reader", "p.T.Used", &entry{status: used}, "names no reader"},
		{"used only by validation", "p.T.Checked", &entry{status: used, by: "p.T.validate"}, "which only validates"},
		{"reader does not read it", "p.T.Checked", &entry{status: used, by: "p.apply"}, "which does not read it"},
		{"refused without proof", "p.T.Refused", &entry{status: refused}, "has no refused value"},
		{"refusal accepted", "p.T.Refused", &entry{status: refused, refuse: []sample{{
			bad: func() error { return nil }, names: "p.T.Refused", good: func() error { return nil }}}}, "validation accepted it"},
		{"refusal does not name the field", "p.T.Refused", &entry{status: refused, refuse: []sample{{
			bad: func() error { return errors.New("bad value") }, names: "p.T.Refused", good: func() error { return nil }}}},
			"the error does not contain"},
		{"accepted value fails", "p.T.Refused", &entry{status: refused, refuse: []sample{{
			bad: refusing.bad, names: "p.T.Refused", good: func() error { return errors.New("no") }}}}, "the accepted value fails"},
		{"no accepted value", "p.T.Refused", &entry{status: refused, refuse: []sample{{bad: refusing.bad, names: "p.T.Refused"}}},
			"no accepted value"},
		{"ignored without doc", "p.T.Quiet", &entry{status: ignored}, "its doc comment does not say so"},
		{"ignored but read", "p.T.ReadIgn", &entry{status: ignored}, "p.apply reads it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := map[string]entry{}
			if tc.entry != nil {
				reg[tc.field] = *tc.entry
			}
			got := check([]field{{path: tc.field}}, reg, c)
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("problems %q, want none", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("problems %q, want one containing %q", got, tc.want)
			}
		})
	}
}

func TestCheckReportsStaleEntries(t *testing.T) {
	reg := map[string]entry{"p.T.Gone": {status: used, by: "p.apply"}}
	got := check(nil, reg, code{})
	if len(got) != 1 || !strings.Contains(got[0], "p.T.Gone is in the registry but is no setting") {
		t.Errorf("problems %q, want the stale entry reported", got)
	}
}

// The walk finds nested settings, through pointers, slices and the shared HCL blocks, and
// leaves out the SDK's PackerConfig, unexported fields and yaml:"-".
func TestSettingsWalkReachesNestedTypes(t *testing.T) {
	got := map[string]bool{}
	for _, f := range settings() {
		got[f.path] = true
	}
	for _, want := range []string{"icconfig.Password.Value", "provisioner.Script.Name", "hclblocks.AdditionalFile.Permissions",
		"iso.Config.BIOSBoot", "builder.Config.PostMountCommands", "icconfig.Iso.KdumpBootFiles"} {
		if !got[want] {
			t.Errorf("the walk missed %s", want)
		}
	}
	for _, not := range []string{"icconfig.Config.BaseDir", "builder.Config.PackerConfig", "iso.Config.iso", "builder.Config.ctx"} {
		if got[not] {
			t.Errorf("the walk counted %s as a setting", not)
		}
	}
}
