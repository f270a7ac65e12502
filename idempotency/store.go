package idempotency

import (
	"context"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// Key identifies one logical message for one consumer. The same message
// handled by two consumers (for example two views subscribed to one event) is
// two keys, each processed once.
type Key struct {
	// Consumer is the name of the handler that processes the message.
	// Middleware.KeyOf replaces one longer than MaxKeyLength, or beginning
	// "sha256:", with "sha256:" and its hex SHA-256.
	Consumer string
	// MessageID identifies the message: the SourceFlow message id
	// (sourceflow.MetaMessageID), kept across producer retries and
	// redeliveries, never a transport id such as the SQS MessageId, which
	// changes when a producer retries. Middleware.KeyOf adds the message
	// type, length-prefixed ("18:orders.CreateOrder:m-1"; "0::m-1" for a
	// message without a type), and replaces a result longer than
	// MaxKeyLength with "sha256:" and its hex SHA-256.
	MessageID string
}

// String returns "consumer/message-id", each part as sourceflow.IDText
// shows it (escaped; one longer than 256 bytes cut, then "…" and its
// length, "…(70000 bytes)"): log lines and errors carry it, and the
// message id is the sender's. Two long ids of one length that begin alike
// read alike, so a store keys its records by the fields, never by this
// text.
func (k Key) String() string {
	return sourceflow.IDText(k.Consumer) + "/" + sourceflow.IDText(k.MessageID)
}

// Validate reports ErrInvalidKey when a part of the key is empty or not
// UTF-8 text: a store whose encoding replaces invalid bytes would take two
// such ids for one. The error names the first such part, and shows one that
// is not UTF-8 as sourceflow.IDText does.
func (k Key) Validate() error {
	if err := checkKeyPart("consumer", k.Consumer); err != nil {
		return err
	}
	return checkKeyPart("message id", k.MessageID)
}

// LapsedLeaseRetention is how long the stores keep an in-progress record
// after its lease ran out, so that a holder delayed past its lease (a GC
// pause, a renewal that did not get through) may still complete or extend
// while no one has re-claimed the key. Completed records go when their TTL
// ends.
const LapsedLeaseRetention = 24 * time.Hour

// ClaimStatus is the outcome of Store.Claim.
type ClaimStatus int

const (
	// Acquired means the caller holds a lease on the key and must process the
	// message, then call Complete (success) or Release (failure).
	Acquired ClaimStatus = iota + 1
	// Completed means the message was already processed; acknowledge it
	// without running the handler.
	Completed
	// InProgress means another consumer holds a live lease; try again after
	// the lease has expired (do not acknowledge).
	InProgress
)

// String returns the status name.
func (s ClaimStatus) String() string {
	switch s {
	case Acquired:
		return "acquired"
	case Completed:
		return "completed"
	case InProgress:
		return "in-progress"
	}
	return fmt.Sprintf("ClaimStatus(%d)", int(s))
}

// ClaimResult is what Store.Claim returns.
type ClaimResult struct {
	// Status is the outcome of the claim.
	Status ClaimStatus
	// Token identifies the lease when Status is Acquired; it is empty
	// otherwise. Complete and Release need it, so a consumer whose lease
	// expired and was taken over cannot complete or release the new holder's
	// claim.
	Token string
}

// Store records which messages have been processed. Implementations are safe
// for concurrent use, by many goroutines and, for shared stores, by many
// processes: Claim is atomic, so of many concurrent claims of one key exactly
// one is Acquired.
//
// A record is in one of three states, as in Powertools' idempotency utility:
// in progress (a lease that expires), completed (kept for a TTL), or expired
// (treated as absent). Expiry is evaluated when a key is read, so correctness
// never depends on a cleanup having run.
type Store interface {
	// Claim takes a lease of the given length on key, unless the key holds a
	// live lease (InProgress) or a live completed record (Completed). An
	// expired lease or record is claimed again. payloadHash, when not empty,
	// is recorded; a live record whose non-empty hash differs yields an error
	// wrapping ErrPayloadMismatch.
	Claim(ctx context.Context, key Key, payloadHash string, lease time.Duration) (ClaimResult, error)
	// Complete marks the claim held by token as completed; the record expires
	// after ttl. A holder whose lease ran out may still complete while no one
	// has re-claimed the key. It returns ErrLeaseLost when token no longer
	// holds the claim.
	Complete(ctx context.Context, key Key, token string, ttl time.Duration) error
	// Extend renews the in-progress claim held by token: its lease now ends
	// lease from now (by the store's clock, the database clock for SQL
	// stores). A long-running holder calls it periodically so that its claim
	// does not expire while it works. It returns ErrLeaseLost when token no
	// longer holds an in-progress claim: the claim was completed or released,
	// or its lease expired and the key was re-claimed. A holder whose lease
	// ran out may still extend while no one has re-claimed the key.
	Extend(ctx context.Context, key Key, token string, lease time.Duration) error
	// Release drops the in-progress claim held by token after a failure, so
	// that a redelivery can process the message at once. It returns
	// ErrLeaseLost when token no longer holds an in-progress claim.
	Release(ctx context.Context, key Key, token string) error
}

// Transactor is implemented by stores that can run the claim, the handler and
// the completion in one database transaction, so that the handler's own writes
// and the completion commit together or not at all. The context passed to fn
// carries the transaction (see sqlstore.TxFromContext). It is the module's one
// Transactor, sourceflow.Transactor.
type Transactor = sourceflow.Transactor

// CheckArgs validates the key and duration arguments of Claim, Complete and
// Extend the way every Store must: ErrInvalidKey for an empty key part,
// ErrInvalidDuration for a duration that is not positive. Store
// implementations call it first.
func CheckArgs(key Key, d time.Duration) error {
	if err := key.Validate(); err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("%w: %s", ErrInvalidDuration, d)
	}
	return nil
}
