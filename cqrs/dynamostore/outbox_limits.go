package dynamostore

import (
	"errors"
	"unicode/utf8"

	"github.com/aws/smithy-go"
)

// maxFailureText bounds, in bytes, the reason a dead letter keeps in its
// failure attribute: a longer reason is cut and ends with failureCut.
const maxFailureText = 1024

// failureCut ends a failure reason cut to maxFailureText bytes.
const failureCut = "… [truncated]"

// maxNumberSize is the most DynamoDB counts for a number attribute's value.
const maxNumberSize = 21

// sweepHeadroom is what the sweep may add to an outbox item after it was
// written, as DynamoDB counts it: its lease (a number) and the reason it
// cannot be relayed (at most maxFailureText bytes). collect keeps this room
// free, so that DynamoDB never refuses the sweep's claim of an item, nor its
// dead-lettering, for the item's size.
const sweepHeadroom = len(attrLease) + maxNumberSize + len(attrFailure) + maxFailureText

// The attributes the sweep adds to an outbox item.
const (
	attrLease   = "lease"
	attrFailure = "failure"
)

// failureText returns the reason err gives, cut to maxFailureText bytes (on
// a character boundary, ending with failureCut) when it is longer.
func failureText(err error) string {
	s := err.Error()
	if len(s) <= maxFailureText {
		return s
	}
	cut := maxFailureText - len(failureCut)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + failureCut
}

// isRefusedItem reports whether DynamoDB refused a write of one item for
// good (ValidationException: an item written before the outbox kept room
// for the sweep, which a lease or a failure reason would take over 400 KB):
// sending it again changes nothing, and the sweep skips that item rather
// than stop its shard there.
func isRefusedItem(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException"
}
