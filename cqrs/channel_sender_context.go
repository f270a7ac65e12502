package cqrs

import (
	"context"
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill/message"
)

// A synchronous publish waits for the handling of its messages, but no
// longer than its sender's context (the context of its first message,
// which Service.publish sets to the sender's): once that ends, the publish
// returns an error wrapping the context's, saying the messages were handed
// over. Their publish goes on in the background, which Close waits for, so
// they are handled (redelivered, dead-lettered) as if the sender still
// waited: nothing is lost, or dead-lettered, because the sender stopped
// waiting. Should that publish fail afterwards (the transport closed
// meanwhile), its messages are dead-lettered, as a released delivery's are
// (see publishReleasable): the sender was told nothing of it.

// senderContext returns the context of the sender of msgs.
func senderContext(msgs []*message.Message) context.Context {
	if len(msgs) == 0 {
		return context.Background()
	}
	return msgs[0].Context()
}

// stoppedWaiting is the error of a synchronous publish whose sender's
// context ended before the handling of its messages did.
func stoppedWaiting(ctx context.Context) error {
	return fmt.Errorf("handed over, and may still be handled: stopped waiting for its handling: %w", ctx.Err())
}

// publishCountedWaiting is publishCounted for a synchronous publish, which
// waits for the handling of msgs until their sender's context ends (see
// above).
func (t *ChannelTransport) publishCountedWaiting(dest string, msgs []*message.Message) error {
	ctx := senderContext(msgs)
	if ctx.Done() == nil {
		turn := t.takeTurn(dest)
		defer t.endTurn(dest, turn)
		turn.wait()
		return t.publishCounted(dest, msgs)
	}
	if t.keptUnheard(dest, msgs) {
		return nil
	}
	if err := t.claim(dest, len(msgs)); err != nil {
		return err
	}
	// Published after Publish may have returned: its own slice, the caller
	// may reuse theirs (the messages are copied as they are published: see
	// tagLocked).
	carried := slices.Clone(msgs)
	d := newSyncDelivery(func(*keyLock) {})
	done, err := t.publishInBackground(dest, carried, carried, d)
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return stopWaiting(ctx, d, done)
	}
}

// stopWaiting stops the publisher waiting for d, whose sender's context
// ctx ended, and returns its error (see stoppedWaiting), or the result of
// its publish, on done, when that returned first.
func stopWaiting(ctx context.Context, d *syncDelivery, done <-chan error) error {
	if d.abandon() {
		return stoppedWaiting(ctx)
	}
	return <-done // its publish returned first
}

// publishInBackground publishes carried, the copies of msgs, to dest, all
// claimed, in a goroutine Close waits for, and returns the channel its
// result comes on (see publishReleasable). The publish takes its turn on an
// ordered destination now, and waits for it in the goroutine (see
// takeTurn). After Close it starts none and returns errChannelClosed.
func (t *ChannelTransport) publishInBackground(dest string, msgs, carried []*message.Message, d *syncDelivery) (<-chan error, error) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.received(dest, len(msgs))
		return nil, errChannelClosed
	}
	t.draining.Add(1)
	t.mu.Unlock()
	turn := t.takeTurn(dest)
	done := make(chan error, 1)
	go func() {
		defer t.draining.Done()
		defer t.endTurn(dest, turn)
		turn.wait()
		done <- t.publishReleasable(dest, msgs, carried, d)
	}()
	return done, nil
}

// abandon stops the publisher waiting for d: its context ended. It reports
// false, and does nothing, when the publish returned first.
func (d *syncDelivery) abandon() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.finished {
		return false
	}
	d.markReleasedLocked()
	return true
}
