package deadletter

import "unicode/utf8"

// MaxDestination bounds, in bytes, the destination a dead letter is counted
// under, a metric attribute value.
const MaxDestination = 256

// CountedAs is the destination a dead letter that a store kept, and whose
// record names destination, is counted under: destination, or fallback
// (the outbox's own name) when destination is empty, longer than
// MaxDestination or not UTF-8. Such a record no transport of the service
// wrote, and it must not add a series of its own.
func CountedAs(destination, fallback string) string {
	if destination == "" || len(destination) > MaxDestination || !utf8.ValidString(destination) {
		return fallback
	}
	return destination
}
