package cqrs

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow"
)

// quotedID is a text a message's sender chose (its id, an entity id, a type
// no handler knows, an envelope value it got wrong), quoted for an error
// text as %q quotes it. When that text, without its quotes, is longer than
// sourceflow.MaxCorrelationIDLen (256) bytes, it is cut to at most 256
// bytes, never inside a character or an escape, and followed by "…" and
// the text's own length before quoting, as sourceflow.IDText shows a cut
// id: "u…(10000 bytes)". The bound counts each escape, that of a quote too:
// an error text ends in a dead-letter reason cut to maxFailureText bytes,
// and an id quoted whole could fill it before the cause.
func quotedID(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		q := strconv.Quote(s[i : i+size])
		if b.Len()-1+len(q)-2 > sourceflow.MaxCorrelationIDLen {
			return b.String() + "…(" + strconv.Itoa(len(s)) + ` bytes)"`
		}
		b.WriteString(q[1 : len(q)-1])
		i += size
	}
	return b.String() + `"`
}
