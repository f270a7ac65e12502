package fieldcheck

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// PrintableLine reports a value that is no line of printable text, so
// that printing it cannot rewrite a terminal or forge a line of output:
// invalid UTF-8, or a control or format character (an escape sequence, a
// line break, a bidirectional override). The error quotes nothing of v but
// the character, escaped, and names no field: the caller puts the field
// before it ("ServiceConfig.Name has the control character ...").
func PrintableLine(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("is not valid UTF-8")
	}
	for i, r := range v {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("has the control character %q at byte %d, must be one line of printable text", r, i)
		}
	}
	return nil
}
