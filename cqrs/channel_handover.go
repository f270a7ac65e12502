package cqrs

import (
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
)

// handover queues, in order, what is published to one destination without
// waiting for its handling, and one goroutine per destination publishes
// it, one batch at a time, to a gochannel pub/sub that waits for the
// subscribers' ack: on the synchronous transport, what handlers publish to
// a destination whose delivery waits on them (see waitFor) or, released,
// behind a delivery waiting for a lock their chain holds; on the
// asynchronous one, everything published to an ordered destination.
type handover struct {
	batches []handedBatch
	running bool
}

// orderedDestination reports whether dest claims per-entity order: its name
// ends in ".fifo", the rule PubSubTransport.Bind and the AWS topology apply.
func orderedDestination(dest string) bool { return strings.HasSuffix(dest, ".fifo") }

// acksEach reports whether a publish to dest waits for its subscribers'
// ack: always on the synchronous transport, and on the asynchronous one for
// an ordered destination, whose hand-over goroutine then delivers one
// message at a time, in publish order.
func (t *ChannelTransport) acksEach(dest string) bool {
	return !t.cfg.Async || orderedDestination(dest)
}

// handOver queues msgs for topic's hand-over goroutine, starting it when
// idle, so that what is published there keeps its order and the publisher
// does not wait for its handling. After Close it starts none: Close may be
// waiting for the last ones.
func (t *ChannelTransport) handOver(topic string, msgs []*message.Message) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errChannelClosed
	}
	h := t.handovers[topic]
	if h == nil {
		h = &handover{}
		t.handovers[topic] = h
	}
	h.batches = append(h.batches, t.handedLocked(topic, msgs))
	if !h.running {
		h.running = true
		t.draining.Add(1)
		go t.drain(topic, h)
	}
	return nil
}

// drain publishes the batches queued in h to topic, oldest first, until
// none is left. One that fails (the transport closed, or a command
// destination lost its listener, before its turn) is dead-lettered.
func (t *ChannelTransport) drain(topic string, h *handover) {
	defer t.draining.Done()
	for {
		t.mu.Lock()
		if len(h.batches) == 0 {
			h.running, h.batches = false, nil // an idle queue keeps no array of delivered messages
			t.mu.Unlock()
			return
		}
		b := h.batches[0]
		h.batches[0], h.batches = handedBatch{}, h.batches[1:]
		t.mu.Unlock()
		for _, m := range b.msgs {
			// One at a time: gochannel, closing while it waits for one
			// message's ack, drops the rest of a batch and reports nothing.
			t.publishHanded(topic, b, m)
		}
	}
}

// handedCopies copies msgs, context included, for the hand-over queue:
// Publish has returned when they are delivered, and the publisher may by
// then reuse its slice or change its messages.
func handedCopies(msgs []*message.Message) []*message.Message {
	out := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		out[i] = m.Copy()
		out[i].SetContext(m.Context())
	}
	return out
}

// handOverFailed dead-letters msgs, untagged, whose hand-over to topic
// failed: their publisher, whose publish had returned, was told nothing.
// What awaited them must have withdrawn them (see withdrawn).
func (t *ChannelTransport) handOverFailed(topic string, msgs []*message.Message, err error) {
	for _, m := range msgs {
		t.deadLetter(DeadLetter{Destination: topic, Message: untagged(m), Reason: "handed over after its publish returned, and failed: " + err.Error()})
	}
}
