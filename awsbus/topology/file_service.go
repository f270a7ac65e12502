package topology

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// maxServiceNameLength bounds a topology file's service name, in
// characters: what sqlbus's consumer_group column holds (VARCHAR(255)), the
// longest store of a service's name; AWS names derived from it (the event
// queues, at most MaxQueueNameLength) are checked as such by New.
const maxServiceNameLength = 255

// checkServiceName refuses a service name that is no line of text to
// print: invalid UTF-8, a control or format character (an escape sequence
// or a line break would let the file rewrite the terminal or forge a line
// of plan's output), or longer than maxServiceNameLength characters. The
// error quotes nothing of the name but an escaped character.
func checkServiceName(name string) error {
	if !utf8.ValidString(name) {
		return errors.New("is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n > maxServiceNameLength {
		return fmt.Errorf("is %d characters, at most %d allowed", n, maxServiceNameLength)
	}
	for i, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("has the control character %q at byte %d; a service name is one line of printable text", r, i)
		}
	}
	return nil
}
