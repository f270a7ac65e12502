package cli

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// printable returns s with every character a terminal would act on
// escaped as Go writes it in a quoted string (\x1b, \n, \u200b), and every
// invalid UTF-8 byte as \xNN: a dead letter's payload and reason come from
// anyone who can send to the queue, and must not drive the terminal.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case strconv.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}
