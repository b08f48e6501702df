package liveos

import (
	"reflect"
	"strings"
	"testing"
)

func TestSavedConfigRoundTrip(t *testing.T) {
	in := SavedConfig{
		Label:         "DEBLIVE",
		LiveArgs:      LiveArgs("DEBLIVE"),
		ImageArgs:     []string{"console=tty0", `opt="a b"`},
		UserArgs:      []string{"ds=nocloud;s=file:///x/", "#not-a-comment", "key: value"},
		Compression:   "zstd",
		InitramfsType: "bootstrap",
		PluginVersion: "0.1.0",
		Kernels:       []string{"6.1.0-50-cloud-amd64", "6.1.0-9-cloud-amd64"},
	}
	data, err := in.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# ") {
		t.Errorf("no header comment:\n%s", data)
	}
	out, err := ParseSavedConfig(data)
	if err != nil {
		t.Fatalf("parse back:\n%s\n%v", data, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the config:\n in %+v\nout %+v\n%s", in, out, data)
	}
}

func TestParseSavedConfig(t *testing.T) {
	tests := map[string]struct {
		yaml    string
		want    SavedConfig
		wantErr string
	}{
		"minimal":             {yaml: "label: L\n", want: SavedConfig{Label: "L"}},
		"unknown key ignored": {yaml: "label: L\nfutureKey: 1\nkernels: [\"6.1\"]\n", want: SavedConfig{Label: "L", Kernels: []string{"6.1"}}},
		"no label":            {yaml: "compression: gzip\n", wantErr: "no label"},
		"empty":               {yaml: "", wantErr: "no label"},
		"not yaml":            {yaml: "label: [\n", wantErr: "parse imagecustomizer/saved-config.yaml"},
		"wrong type":          {yaml: "label: L\nkernels: 3\n", wantErr: "parse imagecustomizer/saved-config.yaml"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseSavedConfig([]byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseSavedConfig = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
