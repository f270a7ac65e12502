package dynamostore

import (
	"strings"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// Prefixes of error texts: this package's, and idempotency's sentinels'.
const (
	errPrefix         = "idempotency/dynamostore: "
	idempotencyPrefix = "idempotency: "
)

// claimHeldError is the error of a rollback's release of a claim that
// failed with err (one of Release's errors): idempotency.ErrClaimHeld,
// read "idempotency/dynamostore: the claim of a rolled-back handling is
// still held: release c/m: …", naming this package once. errors.Is
// matches ErrClaimHeld and err's chain.
type claimHeldError struct{ err error }

// Error implements error.
func (e *claimHeldError) Error() string {
	return errPrefix + strings.TrimPrefix(idempotency.ErrClaimHeld.Error(), idempotencyPrefix) + ": " +
		strings.TrimPrefix(e.err.Error(), errPrefix)
}

// Unwrap returns idempotency.ErrClaimHeld and the release's error.
func (e *claimHeldError) Unwrap() []error { return []error{idempotency.ErrClaimHeld, e.err} }
