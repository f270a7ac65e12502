package cqrstest

import (
	"context"
	"fmt"
)

// WaitIdle returns once every message the harness's service published to a
// destination it listens to (commands sent, events raised, by the test or
// by its handlers in turn) has been handled or dead-lettered. A message
// redelivered after a failure is not done until a delivery of it is
// handled or it is dead-lettered, and so is a dead letter delivered again
// with its message id (see Deliver); an event its type filter drops counts
// as handled. It lets a test of an asynchronous transport (ChannelConfig's
// Async, a PubSubTransport, sqlbus) assert a whole flow's outcome without
// polling. Messages of other services sharing the transport, and those
// published to a stubbed destination (see Stub), are not waited for. A
// dead letter is seen only on a transport that tells of each one as it
// keeps it (NotifyDeadLetters: ChannelTransport, PubSubTransport, sqlbus's),
// however few its list keeps: on another, a message dead-lettered keeps
// WaitIdle waiting.
// When ctx ends first, WaitIdle returns an error wrapping ctx's that says
// how many messages are still pending.
func (h *Harness) WaitIdle(ctx context.Context) error {
	for {
		n, changed := h.track.idle()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cqrstest: %d messages of %s neither handled nor dead-lettered: %w", n, h.Service.Name(), ctx.Err())
		case <-changed:
		}
	}
}
