package fields

import (
	"fmt"
	"slices"
	"strings"
)

// status is what the plugin does with a setting.
type status string

const (
	// used: a function outside validation reads the field.
	used status = "used"
	// refused: validation rejects every value that would ask for something the plugin does
	// not do, naming the field, and accepts the value that matches what it does.
	refused status = "refused"
	// ignored: nothing reads the field and its doc comment says it is ignored.
	ignored status = "ignored"
)

// entry registers one setting.
type entry struct {
	status status
	// by names a function that reads the field, "<pkg>.<Func>" or "<pkg>.<Type>.<Method>"
	// (used only).
	by string
	// refuse are values that validation must reject (required for refused, optional for used,
	// where a setting is used but some of its values are not implemented).
	refuse []sample
}

// sample is one value of a setting run through the component's validation.
type sample struct {
	// bad runs validation with the refused value; it must fail with an error containing names.
	bad   func() error
	names string
	// good runs validation with the accepted value; it must pass.
	good func() error
}

// code is what the test learns from the module's source.
type code struct {
	reads reads             // field path -> functions that read it
	docs  map[string]string // field path -> its doc comment
}

// isValidation reports whether fn only checks or normalises settings: a read there does not
// make a setting used.
func isValidation(fn string) bool {
	name := fn[strings.LastIndex(fn, ".")+1:]
	return strings.HasPrefix(name, "validate") || name == "IsValid" || name == "ResolvePaths"
}

// check returns one problem per setting that is neither proven used, nor proven refused, nor
// documented as ignored, and per registry entry that names no setting.
func check(settings []field, registry map[string]entry, c code) []string {
	var problems []string
	known := map[string]bool{}
	for _, f := range settings {
		known[f.path] = true
		e, ok := registry[f.path]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is not in the registry: say whether it is used (and by what), refused or ignored", f.path))
			continue
		}
		problems = append(problems, checkEntry(f.path, e, c)...)
	}
	for _, p := range sortedPaths(registry) {
		if !known[p] {
			problems = append(problems, fmt.Sprintf("%s is in the registry but is no setting of the configuration types", p))
		}
	}
	return problems
}

func checkEntry(path string, e entry, c code) []string {
	var problems []string
	switch e.status {
	case used:
		switch {
		case e.by == "":
			problems = append(problems, fmt.Sprintf("%s is registered as used but names no reader", path))
		case isValidation(e.by):
			problems = append(problems, fmt.Sprintf("%s is registered as used by %s, which only validates", path, e.by))
		case !c.reads[path][e.by]:
			problems = append(problems, fmt.Sprintf("%s is registered as used by %s, which does not read it (readers: %s)",
				path, e.by, strings.Join(sortedPaths(c.reads[path]), ", ")))
		}
	case refused:
		if len(e.refuse) == 0 {
			problems = append(problems, fmt.Sprintf("%s is registered as refused but has no refused value to prove it", path))
		}
	case ignored:
		if !strings.Contains(c.docs[path], "ignored") {
			problems = append(problems, fmt.Sprintf("%s is registered as ignored but its doc comment does not say so", path))
		}
		for fn := range c.reads[path] {
			if !isValidation(fn) {
				problems = append(problems, fmt.Sprintf("%s is registered as ignored but %s reads it", path, fn))
			}
		}
	default:
		problems = append(problems, fmt.Sprintf("%s has no status", path))
	}
	for i, s := range e.refuse {
		problems = append(problems, checkSample(fmt.Sprintf("%s refused value %d", path, i), s)...)
	}
	return problems
}

func checkSample(what string, s sample) []string {
	var problems []string
	if err := s.bad(); err == nil {
		problems = append(problems, what+": validation accepted it")
	} else if s.names == "" || !strings.Contains(err.Error(), s.names) {
		problems = append(problems, fmt.Sprintf("%s: the error does not contain %q: %v", what, s.names, err))
	}
	if s.good == nil {
		problems = append(problems, what+": no accepted value to show the refusal is specific")
	} else if err := s.good(); err != nil {
		problems = append(problems, fmt.Sprintf("%s: the accepted value fails validation: %v", what, err))
	}
	return problems
}

func sortedPaths[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
