package jsonerr

import "strings"

// withoutQuoted returns s with the text of each double-quoted string in it
// (its escapes, \" included) replaced by "…"; one left open runs to the
// end of s. A decoder quotes the value it refuses, so this keeps its words
// and leaves the value out.
func withoutQuoted(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '"')
		if open < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:open+1])
		b.WriteString("…")
		end := closingQuote(s[open+1:])
		if end < 0 {
			return b.String()
		}
		b.WriteByte('"')
		s = s[open+1+end+1:]
	}
}

// closingQuote is the index in s of the quote that ends a string opened
// just before s, skipping escaped characters; -1 when none does.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
