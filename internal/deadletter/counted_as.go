package deadletter

import "unicode/utf8"

// MaxDestination bounds, in bytes, the destination a dead letter is counted
// under, a metric attribute value.
const MaxDestination = 256

// NoDestination is the destination a store's dead letter is counted under
// when its record names no destination a metric attribute can carry: the
// empty one, which no destination has (the model refuses to route a type
// to it), so that such dead letters are never counted with a real
// destination's, whatever an outbox is named.
const NoDestination = ""

// CountedAs is the destination a dead letter that a store kept, and whose
// record names destination, is counted under: destination, or
// NoDestination when destination is empty, longer than MaxDestination or
// not UTF-8. Such a record no transport of the service wrote, and it must
// not add a series of its own.
func CountedAs(destination string) string {
	if len(destination) > MaxDestination || !utf8.ValidString(destination) {
		return NoDestination
	}
	return destination
}
