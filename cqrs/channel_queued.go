package cqrs

import (
	"maps"
	"slices"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// A message queued rather than published at once (see handover) is
// awaited from its publish, not its turn: the subscriptions ready as it is
// queued await it, so that one closing while it waits dead-letters it (see
// awaited). Its turn then either publishes it, awaited by those and by the
// subscriptions ready by then, or fails; a failure dead-letters it only if
// no subscription that closed meanwhile already did (see withdrawn). A
// command is the exception: it has one listener at a time, and its turn
// dead-letters it when that listener went away (see claim), so awaiting it
// from its publish could dead-letter a command a new listener then
// handles.

// handedBatch is one publish queued for a hand-over goroutine: copies of
// its messages, tagged when awaiting is not empty, and the subscriptions
// ready as it was queued, which await them.
type handedBatch struct {
	msgs     []*message.Message
	awaiting []*awaited
}

// handedLocked returns msgs, queued for topic, as a handedBatch: copies,
// context included (see handedCopies), awaited by the subscriptions of
// topic ready now, unless topic is a command destination. The caller holds
// mu.
func (t *ChannelTransport) handedLocked(topic string, msgs []*message.Message) handedBatch {
	var b handedBatch
	if len(t.awaiting[topic]) == 0 || t.kinds[topic] == sourceflow.KindCommand {
		b = handedBatch{msgs: handedCopies(msgs)}
	} else {
		ready := slices.Collect(maps.Keys(t.awaiting[topic]))
		b = handedBatch{msgs: t.tagLocked(msgs, ready, false), awaiting: ready}
	}
	return b
}

// publishHanded publishes m, one of b's messages, to dest as its turn
// comes, counted until it arrives (see publishCounted). When that fails (it
// is unheard, its command destination lost its listener, or the publish
// fails) it is dead-lettered, once: not when a subscription that awaited it
// and closed meanwhile already dead-lettered it.
func (t *ChannelTransport) publishHanded(dest string, b handedBatch, m *message.Message) {
	one := []*message.Message{m}
	if t.unheard(dest, one) {
		if t.withdrawn(b.awaiting, one) {
			t.keepUnheard(dest, one)
		}
		return
	}
	if err := t.claim(dest, 1); err != nil {
		if t.withdrawn(b.awaiting, one) {
			t.handOverFailed(dest, one, err)
		}
		return
	}
	if err := t.publishAwaited(dest, b.awaiting, one); err != nil {
		t.received(dest, 1)
		t.handOverFailed(dest, one, err) // withdrawn: see publishAwaited
	}
}
