package fieldcheck

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// ServiceName reports a service name that is no line of printable text
// (PrintableLine) or that starts or ends with white space: MySQL compares
// text with PAD SPACE collations, so the consumer groups of services named
// "orders" and "orders " would share one offsets row (in a table whose
// column is text), and a name with white space at its edge is a typo
// nobody sees in a log. It is the one rule every place that takes a
// service's name checks. As PrintableLine, its error quotes nothing of v
// and names no field: the caller puts the field before it.
func ServiceName(v string) error {
	if err := PrintableLine(v); err != nil {
		return err
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if unicode.IsSpace(first) || unicode.IsSpace(last) { // an empty v decodes as RuneError
		return errors.New(`starts or ends with white space: remove it (MySQL ignores trailing spaces when it compares text: "orders " and "orders" would share a consumer group)`)
	}
	return nil
}
