package idempotency

import (
	"fmt"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow"
)

// checkKeyPart reports ErrInvalidKey when part, the key's field name
// ("consumer", "message id"), is empty or not UTF-8 text. The error shows
// such a part as sourceflow.IDText does (escaped, cut after 256 bytes):
// the message id is the sender's, and one quoted whole could flood the
// error and the dead-letter reason it ends in.
func checkKeyPart(name, part string) error {
	switch {
	case part == "":
		return fmt.Errorf("%w: the %s is empty", ErrInvalidKey, name)
	case !utf8.ValidString(part):
		return fmt.Errorf("%w: the %s is not UTF-8: %s", ErrInvalidKey, name, sourceflow.IDText(part))
	}
	return nil
}
