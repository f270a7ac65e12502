package sourceflow

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxPanicText bounds, in bytes, the text a PanicError gives its panic
// value in Error: that text reaches logs, span status and dead-letter
// reasons for every message that makes the handler panic.
const maxPanicText = 512

// PanicText describes a panic value in one line, as PanicError.Error does:
// use it for a panic recovered elsewhere than in a handler. An error is
// described by its text, a string as it is, a boolean or number by its
// value; any other value (a struct, map, slice or pointer, often the
// message or entity the handler was working on) only by its type, so that
// its fields, payload data, do not reach logs, spans and dead letters.
// Characters a terminal or a log line would act on, and the backslash,
// are escaped, and the text is cut to 512 bytes. An error's text is read
// through fmt, which turns a panic of its Error method (a nil pointer
// whose method reads its receiver) into text: PanicText runs where a
// panic was just recovered, and must not panic again.
func PanicText(v any) string {
	var s string
	switch v := v.(type) {
	case error:
		s = fmt.Sprint(v)
	case string:
		s = v
	default:
		switch reflect.ValueOf(v).Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
			s = fmt.Sprint(v)
		default:
			s = fmt.Sprintf("a value of type %T", v)
		}
	}
	return escapeCut(s, maxPanicText)
}

// escapeCut returns s with each character that is not printable written
// as Go escapes it in a quoted string (\n, \x1b, \u200b), each invalid
// UTF-8 byte as \xNN and a backslash as \\ (so that the four characters
// \x1b in s cannot be read as an escaped ESC), cut to at most n bytes plus
// "…" when it is longer, never inside a character or an escape.
func escapeCut(s string, n int) string {
	text, cut := escapePrefix(s, n)
	if cut {
		return text + "…"
	}
	return text
}

// escapePrefix returns s escaped as escapeCut escapes it, the longest
// prefix of that text that is at most n bytes and ends on a character or
// escape, and whether the text was cut.
func escapePrefix(s string, n int) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = `\x` + strconv.FormatUint(uint64(s[i])|0x100, 16)[1:]
		case r == '\\':
			piece = `\\`
		case !strconv.IsPrint(r):
			q := strconv.QuoteRune(r)
			piece = q[1 : len(q)-1]
		}
		if b.Len()+len(piece) > n {
			return b.String(), true
		}
		b.WriteString(piece)
		i += size
	}
	return b.String(), false
}
