package imagecustomizer

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// defaultInterpreter runs scripts without an interpreter, in both forms, as the original
// does (its docs say path scripts run directly; its code uses /bin/sh).
const defaultInterpreter = "/bin/sh"

func runPostCustomization(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.Scripts == nil {
		return nil
	}
	return runScripts(ctx, m, c, "postCustomization", c.Scripts.PostCustomization)
}

func runFinalizeCustomization(ctx context.Context, m *image, c *icconfig.Config) error {
	if c.Scripts == nil {
		return nil
	}
	return runScripts(ctx, m, c, "finalizeCustomization", c.Scripts.FinalizeCustomization)
}

// runScripts runs each script inside the image from a temporary file in its /tmp (removed
// afterwards, also on failure), in /, with its interpreter, arguments and environment. A
// failing script fails the build with its exit status and the tail of its output.
func runScripts(ctx context.Context, m *image, c *icconfig.Config, phase string, scripts []icconfig.Script) error {
	for i, s := range scripts {
		name := scriptName(s, i)
		m.say("Running %s script %s", phase, name)
		body := s.Content
		if s.Path != "" {
			b, err := os.ReadFile(c.ScriptPath(s))
			if err != nil {
				return fmt.Errorf("read %s script: %w", phase, err)
			}
			body = string(b)
		}
		tmp := "/tmp/.packer-ic-script-" + m.newID()
		if err := m.writeFile(ctx, tmp, 0o700, strings.NewReader(body)); err != nil {
			return fmt.Errorf("stage %s script %s: %w", phase, name, err)
		}
		// Both streams are shown in the build output and the last lines kept for the error.
		out := execx.NewTail(tailLines, func(l string) { m.message("%s", l) })
		code, err := m.exec(ctx, scriptCommand(s, tmp), nil, out, out)
		out.Flush()
		if rmErr := m.run(ctx, "remove "+tmp, "rm -f "+q(tmp), nil); err == nil && code == 0 {
			err = rmErr
		}
		if err != nil {
			return fmt.Errorf("run %s script %s: %w", phase, name, err)
		}
		if code != 0 {
			return fmt.Errorf("%s script %s failed with exit status %d%s", phase, name, code, tailSuffix(out.String()))
		}
	}
	return nil
}

func scriptName(s icconfig.Script, i int) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Path != "":
		return s.Path
	}
	return fmt.Sprintf("inline script %d", i+1)
}

// scriptCommand plans the command line: cd / && [env K=V...] <interpreter> <file> <args...>.
// Environment variables are passed in name order.
func scriptCommand(s icconfig.Script, file string) string {
	argv := []string{}
	if len(s.EnvironmentVariables) > 0 {
		argv = append(argv, "env")
		for _, k := range slices.Sorted(maps.Keys(s.EnvironmentVariables)) {
			argv = append(argv, k+"="+s.EnvironmentVariables[k])
		}
	}
	interp := s.Interpreter
	if interp == "" {
		interp = defaultInterpreter
	}
	argv = append(append(argv, interp, file), s.Arguments...)
	return "cd / && " + quoteAll(argv)
}
