package errtext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Quote quotes s, a text a message's sender chose or may have copied (an
// id, a type, a metadata key), for an error text as %q quotes it. When that
// text, without its quotes, is longer than n bytes, it is cut to at most n
// bytes, never inside a character or an escape, and followed by "…" and the
// text's own length before quoting: "u…(10000 bytes)". The bound counts
// each escape, that of a quote too, so a text of quotes is cut as one of
// other escaped characters is.
func Quote(s string, n int) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		q := strconv.Quote(s[i : i+size])
		if b.Len()-1+len(q)-2 > n {
			return b.String() + "…(" + strconv.Itoa(len(s)) + ` bytes)"`
		}
		b.WriteString(q[1 : len(q)-1])
		i += size
	}
	return b.String() + `"`
}
