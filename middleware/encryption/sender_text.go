package encryption

import (
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// quotedText shows in an error a value the message's sender chose (its
// type, its occurred-at time, a field of its header) in double quotes,
// escaped and cut as sourceflow.IDText does, and with its own double quotes
// escaped (\", unambiguous since IDText escapes the backslash): the error
// ends in a log line and a dead-letter reason, which a value quoted whole
// could flood (a 200 KB type) or act on a terminal with, and a bare quote
// would let the value read as the end of the quoted text and the start of
// another part of the error.
func quotedText(v string) string {
	return `"` + strings.ReplaceAll(sourceflow.IDText(v), `"`, `\"`) + `"`
}
