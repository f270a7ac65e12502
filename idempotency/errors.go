package idempotency

import (
	"errors"

	"github.com/sourceflow-go/sourceflow"
)

var (
	// ErrPayloadMismatch is returned by Store.Claim when the key is already
	// recorded (in progress or completed) with a different payload hash: the
	// same message id was reused for a different message. The middleware turns
	// it into a permanent failure.
	ErrPayloadMismatch = errors.New("idempotency: key reused with a different payload")
	// ErrInProgress is returned by the middleware when another consumer holds a
	// live lease on the message. The message is not acknowledged, so the
	// transport redelivers it later. It is sourceflow.ErrInProgress, which
	// transports recognise.
	ErrInProgress = sourceflow.ErrInProgress
	// ErrLeaseLost is returned by Store.Complete, Store.Extend and
	// Store.Release when the token no longer holds the claim: the lease
	// expired and another consumer re-claimed the key, or the claim was
	// released or already completed.
	ErrLeaseLost = errors.New("idempotency: lease lost")
	// ErrClaimHeld is part of the error of a handling transaction that did
	// not commit when its store could not release the claim taken in it (a
	// store whose claims are visible outside its transactions, such as the
	// DynamoDB store): the claim holds until its lease ends unless released
	// again. The middleware releases it before it runs the handling again.
	ErrClaimHeld = errors.New("idempotency: the claim of a rolled-back handling is still held")
	// ErrInvalidKey is returned when a key has an empty, oversized or
	// non-UTF-8 part (the SQL store also refuses a part holding NUL or
	// ending in a space), or a payload hash is longer than the store keeps.
	ErrInvalidKey = errors.New("idempotency: invalid key")
	// ErrInvalidDuration is returned when a lease or TTL is not positive.
	ErrInvalidDuration = errors.New("idempotency: invalid duration")
	// ErrStoreFull is returned by the in-memory store when it holds MaxEntries
	// live in-progress leases and none can be evicted.
	ErrStoreFull = errors.New("idempotency: store full")
	// ErrClosed is returned by a store used after Close.
	ErrClosed = errors.New("idempotency: store closed")
	// ErrMissingMessageID is returned by the middleware when a message has
	// neither a sourceflow.MetaMessageID nor a Watermill UUID.
	ErrMissingMessageID = errors.New("idempotency: message has no id")
	// ErrMissingConsumer is returned by the middleware when no consumer name is
	// configured and the message context carries no router handler name.
	ErrMissingConsumer = errors.New("idempotency: no consumer name")
	// ErrOutputAfterCompletion is logged the first time a handler under the
	// middleware returns messages: the router publishes them after the
	// record was completed, so a failed publish loses them (the redelivery
	// is a duplicate). Publish from the handler or through an outbox.
	ErrOutputAfterCompletion = errors.New("idempotency: messages a handler returns are published after its record was completed; a failed publish loses them: publish from the handler or through an outbox")
)
