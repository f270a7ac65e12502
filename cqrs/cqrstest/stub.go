package cqrstest

import "github.com/ThreeDotsLabs/watermill/message"

// Stub stands in for the service that listens to destination elsewhere:
// what the harness's service sends or raises there is kept for Sent
// instead of published, and the send succeeds. It lets a test of a
// reaction or saga see the command it sends to another service without
// running that service. Stubbing a destination the service listens to
// fails the test.
func (h *Harness) Stub(destination string) {
	h.t.Helper()
	if h.track.listened[destination] {
		h.t.Fatalf("cqrstest: cannot stub %q: service %s listens to it", destination, h.Service.Name())
	}
	h.track.mu.Lock()
	defer h.track.mu.Unlock()
	if _, ok := h.track.stubs[destination]; !ok {
		h.track.stubs[destination] = []*message.Message{}
	}
}

// Sent returns what the service sent or raised to the stubbed destination,
// in the order it was published. Read a message's envelope with
// cqrs.EnvelopeOf and decode its payload with the service's codec.
func (h *Harness) Sent(destination string) []*message.Message {
	h.track.mu.Lock()
	defer h.track.mu.Unlock()
	return append([]*message.Message(nil), h.track.stubs[destination]...)
}

// kept keeps msgs when topic is stubbed and reports whether it was.
func (k *tracker) kept(topic string, msgs []*message.Message) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	sent, ok := k.stubs[topic]
	if ok {
		k.stubs[topic] = append(sent, msgs...)
	}
	return ok
}
