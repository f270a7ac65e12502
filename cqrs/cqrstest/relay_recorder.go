package cqrstest

import (
	"context"
	"sync"

	"github.com/sourceflow-go/sourceflow"
)

// RelayAttempt is one attempt of an outbox's relay to forward a message,
// as a RelayRecorder saw it.
type RelayAttempt struct {
	// Outbox, Destination and MessageID (sourceflow.MetaMessageID) name
	// the outbox, where the message went and which message it was.
	Outbox, Destination, MessageID string
	// OccurredAt is the message's sourceflow.MetaOccurredAt.
	OccurredAt string
	// Err is the attempt's result; Ended is false until the outbox reported it.
	Err   error
	Ended bool
}

// RelayRecorder is a sourceflow.RelayObserver that records every attempt
// of an outbox's relay, for tests of what an outbox reports. It is safe
// for concurrent use.
type RelayRecorder struct {
	mu       sync.Mutex
	attempts []RelayAttempt
}

// Relay implements sourceflow.RelayObserver.
func (r *RelayRecorder) Relay(ctx context.Context, rel sourceflow.Relayed) (context.Context, func(error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := len(r.attempts)
	r.attempts = append(r.attempts, RelayAttempt{Outbox: rel.Outbox, Destination: rel.Destination,
		MessageID: rel.Metadata[sourceflow.MetaMessageID], OccurredAt: rel.Metadata[sourceflow.MetaOccurredAt]})
	return ctx, func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts[i].Err, r.attempts[i].Ended = err, true
	}
}

// Attempts returns the attempts recorded so far, in the order they began.
func (r *RelayRecorder) Attempts() []RelayAttempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RelayAttempt(nil), r.attempts...)
}

// Relayed returns the attempts of the message id that ended without error.
func (r *RelayRecorder) Relayed(id string) []RelayAttempt {
	var out []RelayAttempt
	for _, a := range r.Attempts() {
		if a.MessageID == id && a.Ended && a.Err == nil {
			out = append(out, a)
		}
	}
	return out
}
