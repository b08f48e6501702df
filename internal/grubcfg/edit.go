package grubcfg

import (
	"fmt"
	"strings"
)

// Kernelopts is the GRUB variable that BLS-era Fedora and Azure Linux grub.cfg files put on
// their linux lines, set from grubenv; arguments are added before it, as the original tool
// does (findCommandLineInsertAt), so that a value in it still comes last.
const Kernelopts = "$kernelopts"

// AppendArgs adds the kernel arguments args to every linux, linuxefi and linux16 command of
// a grub.cfg: before the command's $kernelopts word when it has one, else after its last
// word. Every other byte of the file is kept. It returns the new file and how many
// commands it changed. A linux command without a kernel path, or with more than one
// $kernelopts, is an error naming its line.
func AppendArgs(src string, args []string) (string, int, error) {
	if len(args) == 0 {
		return src, 0, nil
	}
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = ArgWord(a)
	}
	add := strings.Join(words, " ")
	cmds := LinuxCommands(src)
	out := src
	// Last to first, so that earlier offsets stay valid.
	for i := len(cmds) - 1; i >= 0; i-- {
		at, before, err := insertAt(cmds[i])
		if err != nil {
			return "", 0, err
		}
		if before {
			out = out[:at] + add + " " + out[at:]
		} else {
			out = out[:at] + " " + add + out[at:]
		}
	}
	return out, len(cmds), nil
}

// insertAt returns where arguments go on a linux command, and whether that is before a word
// (then the separating blank follows the arguments) or after the last word.
func insertAt(c Command) (int, bool, error) {
	if len(c.Words) < 2 {
		return 0, false, fmt.Errorf("line %d: %s command has no kernel path", c.Line, c.Name())
	}
	at, before := c.Words[len(c.Words)-1].End, false
	n := 0
	for _, w := range c.Words[2:] {
		if w.Value == Kernelopts || w.Value == "${kernelopts}" {
			n++
			at, before = w.Start, true
		}
	}
	if n > 1 {
		return 0, false, fmt.Errorf("line %d: %s command has %d $kernelopts words, expected at most one", c.Line, c.Name(), n)
	}
	return at, before, nil
}

// Quote makes s one literal GRUB word. Words made only of safe characters stay bare so the
// config reads naturally; anything else goes in single quotes, where GRUB expands nothing:
// `;` would end the command (ds=nocloud;s=...), `$` would expand a variable, blanks split
// words.
func Quote(s string) string {
	if s != "" && strings.Trim(s, safeChars) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

const safeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/=+@%"

// ArgWord is the GRUB word that makes GRUB pass the kernel argument arg to the kernel. The
// kernel's double quotes are removed first (foo="a b" becomes the word 'foo=a b'): GRUB
// puts them back around a value with blanks when it builds the command line, but escapes a
// quote already there with a backslash, which the kernel does not understand
// (grub-core/lib/cmdline.c).
func ArgWord(arg string) string {
	return Quote(strings.ReplaceAll(arg, `"`, ""))
}

// WordArg is the kernel argument GRUB makes of an unquoted word: a word with blanks gets
// the double quotes the kernel needs around its value (key="a b").
func WordArg(w string) string {
	if !strings.ContainsAny(w, " \t") {
		return w
	}
	if k, v, ok := strings.Cut(w, "="); ok {
		return k + `="` + v + `"`
	}
	return `"` + w + `"`
}
