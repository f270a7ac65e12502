package cqrstest

import (
	"context"
	"fmt"
	"sync"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Record is one message a Recorder saw.
type Record[T any] struct {
	// Message is the decoded payload.
	Message T
	// Envelope is the message's envelope.
	Envelope cqrs.Envelope
}

// Recorder collects the events of type E an aggregate reaction saw. It is
// safe for concurrent use.
type Recorder[E any] struct {
	mu      sync.Mutex
	records []Record[E]
	changed chan struct{} // closed and replaced at each record; nil until Wait needs one
}

// Reaction returns the reaction to register with cqrs.React.
func (r *Recorder[E]) Reaction() cqrs.Reaction[E] {
	return func(_ context.Context, _ *cqrs.Aggregate, ev E, env cqrs.Envelope) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.records = append(r.records, Record[E]{Message: ev, Envelope: env})
		if r.changed != nil {
			close(r.changed)
			r.changed = nil
		}
		return nil
	}
}

// Records returns a copy of what was recorded, in arrival order.
func (r *Recorder[E]) Records() []Record[E] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record[E](nil), r.records...)
}

// Len returns the number of records.
func (r *Recorder[E]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.records)
}

// Wait returns a copy of the records once there are at least n, or an
// error wrapping ctx's when it ends first.
func (r *Recorder[E]) Wait(ctx context.Context, n int) ([]Record[E], error) {
	for {
		r.mu.Lock()
		if len(r.records) >= n {
			defer r.mu.Unlock()
			return append([]Record[E](nil), r.records...), nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed, have := r.changed, len(r.records)
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("cqrstest: %d of %d records: %w", have, n, ctx.Err())
		case <-changed:
		}
	}
}
