package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// shellSafe are the characters a shell word may hold unquoted.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"

// shellWord returns s as one word of a shell command line, for a command
// the CLI suggests: as it is when every character is safe unquoted, else
// in single quotes (each quote in s closes them, is escaped and reopens
// them), or, when s holds a character a
// terminal acts on or invalid UTF-8, in $'…' (bash, zsh, ksh) with those
// escaped, so that the suggestion neither drives the terminal nor, pasted,
// names something else.
func shellWord(s string) string {
	switch {
	case s != "" && strings.Trim(s, shellSafe) == "":
		return s
	case printable(s) == s:
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == '\'':
			b.WriteString(`\` + string(r))
		case strconv.IsPrint(r):
			b.WriteRune(r)
		case r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += n
	}
	return b.String() + "'"
}
