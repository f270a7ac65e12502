package dynamostore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// maxFailureText bounds, in bytes, the reason a dead letter keeps in its
// failure attribute: a longer reason keeps its beginning and its end.
const maxFailureText = 1024

// maxNumberSize is the most DynamoDB counts for a number attribute's value.
const maxNumberSize = 21

// sweepHeadroom is what the sweep may add to an outbox item after it was
// written, as DynamoDB counts it: its lease (a number) and the reason it
// cannot be relayed (at most maxFailureText bytes). collect keeps this room
// free, so that DynamoDB never refuses the sweep's claim of an item, nor its
// dead-lettering, for the item's size: a dead letter, moved to its shard's
// dead letters (markFailed), has also a partition key len(deadSuffix) bytes
// longer.
const sweepHeadroom = len(attrLease) + maxNumberSize + len(attrFailure) + maxFailureText + len(deadSuffix)

// The attributes the sweep adds to an outbox item.
const (
	attrLease   = "lease"
	attrFailure = "failure"
	// attrMetadata is the outbox item's metadata (outboxItem.Metadata).
	attrMetadata = "metadata"
)

// failureText returns the reason err gives, at most maxFailureText bytes:
// a longer one keeps its beginning and its end, where the cause is, joined
// by " … " (sqsrules.Reason, which also makes it valid text).
func failureText(err error) string {
	return sqsrules.Reason(err.Error(), maxFailureText)
}

// isRefusedItem reports whether DynamoDB refused a write of one item for
// good for its size: a ValidationException whose message says the item
// exceeded the maximum allowed size ("Item size has exceeded the maximum
// allowed size", "Item size to update has exceeded the maximum allowed
// size"), as an item written before the outbox kept room for the sweep gets
// when a lease or a failure reason would take it over 400 KB. Sending it
// again changes nothing, and the sweep skips that item rather than stop its
// shard there. Any other ValidationException (a malformed request, a
// table whose schema changed) is an ordinary failure: it concerns every
// item alike, and skipping would only hide it. A dead-lettering is a
// transaction (move), which DynamoDB cancels instead, giving the reason of
// the write refused (a ValidationError cancellation reason with the same
// message): that is a refusal too.
func isRefusedItem(err error) bool {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if aws.ToString(r.Code) == "ValidationError" && isSizeText(aws.ToString(r.Message)) {
				return true
			}
		}
		return false
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" && isSizeText(ae.ErrorMessage())
}

// isSizeText reports whether msg, DynamoDB's reason for refusing a write,
// says the item exceeded the maximum allowed size.
func isSizeText(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "size") && strings.Contains(msg, "exceeded")
}

// skippedError is the error Sweep returns for a message it skipped: DynamoDB
// refused for good to lease it or to mark it failed (isRefusedItem). The
// periodic sweep logs it, so it names the message as its log lines do
// (logFields): id and destination as sourceflow.IDText shows them.
func skippedError(it outboxItem, err error) error {
	return fmt.Errorf("dynamostore: outbox: message %s for \"%s\" skipped, DynamoDB refuses to lease or dead-letter it: %w",
		sourceflow.IDText(it.UUID), sourceflow.IDText(it.Destination), err)
}
