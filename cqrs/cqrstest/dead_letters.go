package cqrstest

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// deadLetterKeeper is a transport that keeps, in memory, what it
// dead-lettered: *cqrs.ChannelTransport and *cqrs.PubSubTransport (which
// sqlbus's transport is).
type deadLetterKeeper interface {
	DeadLetters() []cqrs.DeadLetter
}

// deadLetterNotifier is a transport that tells of each message it
// dead-letters as it keeps it (both of the above), so that WaitIdle misses
// none that its bounded list dropped.
type deadLetterNotifier interface {
	NotifyDeadLetters(f func(cqrs.DeadLetter)) (stop func())
}

// DeadLetters returns the messages the harness's transport gave up on, with
// their reasons, oldest first, whichever transport it is: a
// ChannelTransport's list, or what a PubSubTransport (sqlbus's included)
// dead-lettered in this process. It fails on a transport that keeps none in
// memory (awsbus's, a HybridTransport), whose dead letters are read where
// the transport keeps them.
func (h *Harness) DeadLetters(ctx context.Context) ([]cqrs.DeadLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k, ok := h.transport.(deadLetterKeeper)
	if !ok {
		return nil, fmt.Errorf("cqrstest: transport %T keeps no dead letters in memory", h.transport)
	}
	return k.DeadLetters(), nil
}

// followDeadLetters has the tracker told of each dead letter the
// transport keeps from now on, until the test ends; a transport that does
// not tell of them (deadLetterNotifier) tells of none.
func (h *Harness) followDeadLetters() {
	if k, ok := h.transport.(deadLetterNotifier); ok {
		h.t.Cleanup(k.NotifyDeadLetters(h.track.deadLettered))
	}
}
