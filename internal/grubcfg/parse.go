// Package grubcfg reads and edits GRUB configuration scripts (grub.cfg) the way GRUB's own
// lexer splits them: the ISO post-processor reads the image's kernel arguments with it, and
// the provisioner adds arguments to a grub.cfg that grub-mkconfig did not write. It is pure:
// strings in, strings out.
package grubcfg

import "strings"

// Word is one word of a GRUB command.
type Word struct {
	// Start and End are its byte span in the source, quotes included.
	Start, End int
	// Value is the word with quotes removed and escapes resolved. Variables stay as
	// written ($kernelopts stays "$kernelopts").
	Value string
}

// Command is one GRUB command: the words up to a newline, a `;`, a `{` or a `}`.
type Command struct {
	// Line is the 1-based line of its first word.
	Line  int
	Words []Word
	// Title is the title of the innermost menuentry or submenu holding the command, "" at
	// the top level.
	Title string
}

// Name is the command's first word.
func (c Command) Name() string {
	if len(c.Words) == 0 {
		return ""
	}
	return c.Words[0].Value
}

// Values are the command's words without quotes.
func (c Command) Values() []string {
	v := make([]string, len(c.Words))
	for i, w := range c.Words {
		v[i] = w.Value
	}
	return v
}

// Parse splits a GRUB script into commands. It follows GRUB's quoting (grub-core/script/
// yylex.l): '...' is literal, "..." honours \ before $ " \ and newline, a bare \ escapes
// the next character, \ before a newline continues the line, and # at the start of a word
// starts a comment. A word that is exactly { or } opens or closes a block; the command
// before a { is kept, and a block opened by menuentry or submenu gives its title to the
// commands inside. The leading keywords then, else and do are dropped from a command, so
// `then linux ...` is a linux command.
func Parse(src string) []Command {
	p := parser{src: src, line: 1}
	p.run()
	return p.cmds
}

type parser struct {
	src    string
	i      int
	line   int
	cur    Command
	titles []string
	cmds   []Command
}

func (p *parser) run() {
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
		case c == '\n':
			p.flush()
			p.line++
			p.i++
		case c == ';':
			p.flush()
			p.i++
		case c == '\\' && p.i+1 < len(p.src) && p.src[p.i+1] == '\n':
			p.i += 2
			p.line++
		case c == '#':
			for p.i < len(p.src) && p.src[p.i] != '\n' {
				p.i++
			}
		default:
			p.word()
		}
	}
	p.flush()
}

// word reads one word starting at p.i and files it.
func (p *parser) word() {
	start, line := p.i, p.line
	var v strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' {
			break
		}
		switch c {
		case '\\':
			p.backslash(&v)
		case '\'':
			p.quoted(&v, '\'')
		case '"':
			p.quoted(&v, '"')
		default:
			v.WriteByte(c)
			p.i++
		}
	}
	w := Word{Start: start, End: p.i, Value: v.String()}
	switch p.src[start:p.i] {
	case "{":
		title := p.title()
		if n := p.cur.Name(); (n == "menuentry" || n == "submenu") && len(p.cur.Words) > 1 {
			title = p.cur.Words[1].Value
		}
		p.flush()
		p.titles = append(p.titles, title)
	case "}":
		p.flush()
		if len(p.titles) > 0 {
			p.titles = p.titles[:len(p.titles)-1]
		}
	default:
		if len(p.cur.Words) == 0 {
			p.cur.Line = line
		}
		p.cur.Words = append(p.cur.Words, w)
	}
}

// backslash handles a bare \ at p.i: a line continuation or an escaped character.
func (p *parser) backslash(v *strings.Builder) {
	p.i++
	if p.i >= len(p.src) {
		return
	}
	if p.src[p.i] == '\n' {
		p.line++
	} else {
		v.WriteByte(p.src[p.i])
	}
	p.i++
}

// quoted reads a quoted part starting at the opening quote q at p.i. An unterminated quote
// runs to the end of the source.
func (p *parser) quoted(v *strings.Builder, q byte) {
	for p.i++; p.i < len(p.src) && p.src[p.i] != q; p.i++ {
		c := p.src[p.i]
		if c == '\n' {
			p.line++
		}
		if q == '"' && c == '\\' && p.i+1 < len(p.src) && strings.IndexByte("$\"\\\n", p.src[p.i+1]) >= 0 {
			p.i++
			if p.src[p.i] == '\n' {
				p.line++
				continue
			}
			c = p.src[p.i]
		}
		v.WriteByte(c)
	}
	if p.i < len(p.src) {
		p.i++ // the closing quote
	}
}

func (p *parser) title() string {
	if len(p.titles) == 0 {
		return ""
	}
	return p.titles[len(p.titles)-1]
}

// flush files the current command, without its leading then/else/do.
func (p *parser) flush() {
	for len(p.cur.Words) > 0 && isLeadKeyword(p.cur.Words[0].Value) {
		p.cur.Words = p.cur.Words[1:]
	}
	if len(p.cur.Words) > 0 {
		p.cur.Title = p.title()
		p.cmds = append(p.cmds, p.cur)
	}
	p.cur = Command{}
}

func isLeadKeyword(w string) bool { return w == "then" || w == "else" || w == "do" }

// linuxCommands are the commands that load a Linux kernel: linux, linuxefi (the EFI
// handover loader of Fedora's and older RHEL's GRUB) and linux16 (16-bit BIOS boot).
var linuxCommands = map[string]bool{"linux": true, "linuxefi": true, "linux16": true}

// LinuxCommands returns the commands of src that load a Linux kernel, in order.
func LinuxCommands(src string) []Command {
	var out []Command
	for _, c := range Parse(src) {
		if linuxCommands[c.Name()] {
			out = append(out, c)
		}
	}
	return out
}
