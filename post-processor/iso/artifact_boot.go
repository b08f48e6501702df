package iso

import (
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

// bootTestState renders the records as plain maps, which cross Packer's plugin RPC as they are.
func bootTestState(records []bootcheck.Record) []map[string]interface{} {
	out := make([]map[string]interface{}, len(records))
	for i, r := range records {
		ms := make(map[string]interface{}, len(r.Milestones))
		for k, v := range r.Milestones {
			ms[k] = v
		}
		out[i] = map[string]interface{}{
			"firmware": r.Firmware, "media": r.Media, "passed": r.Passed, "seconds": r.Seconds,
			"milestones": ms, "console_log": r.ConsoleLog, "error": r.Error,
		}
	}
	return out
}

// withBootSummary copies the input's generated data (a map from the builder, which arrives
// over RPC with interface{} keys) and adds the boot test summary.
func withBootSummary(generated interface{}, records []bootcheck.Record) map[string]interface{} {
	out := map[string]interface{}{}
	switch m := generated.(type) {
	case map[string]interface{}:
		for k, v := range m {
			out[k] = v
		}
	case map[interface{}]interface{}:
		for k, v := range m {
			if s, ok := k.(string); ok {
				out[s] = v
			}
		}
	}
	out[artifacts.GeneratedBootTest] = bootcheck.Summarize(records)
	return out
}
