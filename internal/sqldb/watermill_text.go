package sqldb

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
)

// CheckMetadataUTF8 returns an error naming the first metadata key, in key
// order, whose key or value is not valid UTF-8, and nil when every one is.
// watermill-sql writes metadata as JSON, and Go's JSON encoder replaces each
// invalid byte with U+FFFD: such metadata would be stored changed, without
// an error.
func CheckMetadataUTF8(md message.Metadata) error {
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return fmt.Errorf("metadata key %s is not valid UTF-8", Shorten(k))
		}
		if !utf8.ValidString(md[k]) {
			return fmt.Errorf("metadata %s is not valid UTF-8", Shorten(k))
		}
	}
	return nil
}

// shortenBytes is how many bytes of a text Shorten keeps.
const shortenBytes = 64

// Shorten quotes s for an error message (so invalid UTF-8 and control bytes
// show escaped), keeping its first 64 bytes and its length when it is
// longer.
func Shorten(s string) string {
	if len(s) <= shortenBytes {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:shortenBytes], len(s))
}
