package dynamo

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
)

// Invalid marks as permanent a write DynamoDB refused as invalid (an item
// over 400 KB, a malformed expression, two writes of one item in a
// transaction, a key that does not match the table's schema), whether
// refused whole (ValidationException) or as a cancelled transaction one of
// whose writes was (ValidationError): the same write is refused again, so
// the handling is dead-lettered with the reason rather than redelivered. A
// table changed under a running service (a key schema migration) is
// refused so too, and its messages dead-lettered. Other errors are
// returned as they are.
func Invalid(err error) error {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if code(r.Code) == "ValidationError" {
				return sourceflow.Permanent(fmt.Errorf("dynamodb: transaction cancelled (%s: %s): %w", code(r.Code), code(r.Message), err))
			}
		}
		return err
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" {
		return sourceflow.Permanent(fmt.Errorf("dynamodb: write refused: %w", err))
	}
	return err
}
