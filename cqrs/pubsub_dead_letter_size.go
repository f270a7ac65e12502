package cqrs

import (
	"fmt"
	"maps"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

// maxMessageBytesName names the limit a PubSubTransport's dead letter must
// fit in what it says when it was cut.
const maxMessageBytesName = "PubSubConfig.MaxMessageBytes"

// fitDeadLetter makes dl, a dead letter of PubSubTransport, fit in limit
// bytes (0: no limit) as messageBytes counts them, and says what it gave
// up ("": nothing), for the log. It gives up where its handler failed
// first, then the length of its reasons (deadletter.Fit). A message that
// leaves no room for even the shortest reason (the Pub/Sub took it under a
// larger limit) is dead-lettered without its payload, its reasons whole
// again as far as they fit, and when its metadata alone leaves no room,
// without its own metadata as well, the dead letter's markers alone; its
// reason then ends saying what was left out and naming the limit. Without
// that the Pub/Sub would refuse the dead letter on every try and the
// message would be delivered again for ever, holding its destination.
func fitDeadLetter(dl *message.Message, limit int) (gaveUp string) {
	if limit <= 0 || messageBytes(dl) <= limit {
		return ""
	}
	md := maps.Clone(dl.Metadata)
	if fitWithin(dl, limit, "") {
		return "where its handler failed, then as much of its reasons as it took"
	}
	payload := len(dl.Payload)
	dl.Payload = nil
	dl.Metadata = maps.Clone(md)
	if fitWithin(dl, limit, leftOutNote(fmt.Sprintf("its payload of %d bytes", payload), limit)) {
		return "its payload"
	}
	dl.Metadata = markersOf(md)
	fitWithin(dl, limit, leftOutNote(fmt.Sprintf("its payload of %d bytes and its metadata", payload), limit))
	return "its payload and metadata"
}

// smallestDeadLetter is dl, a dead letter of PubSubTransport before it was
// fitted, at its smallest: without its payload and its message's own
// metadata, its reasons cut to the notes saying so (deadletter.Fit's last
// step), its reason ending saying what was left out. It is what
// PubSubTransport publishes once more when the Pub/Sub refuses a fitted
// dead letter for good, counting bytes of its own that MaxMessageBytes
// does not see.
func smallestDeadLetter(dl *message.Message, limit int) *message.Message {
	small := message.NewMessage(dl.UUID, nil)
	small.SetContext(dl.Context())
	small.Metadata = markersOf(dl.Metadata)
	never := func() bool { return false }
	deadletter.Fit(small.Metadata, never, maxMessageBytesName)
	what := fmt.Sprintf("its payload of %d bytes and its metadata", len(dl.Payload))
	note := fmt.Sprintf(" (%s left out: the Pub/Sub refused the dead letter fitted to %s, %d bytes)", what, maxMessageBytesName, limit)
	small.Metadata.Set(sourceflow.MetaFailure, small.Metadata.Get(sourceflow.MetaFailure)+note)
	return small
}

// markersOf is the dead-letter markers of md alone: its reason, its last
// error and the consumer group that dead-lettered it.
func markersOf(md message.Metadata) message.Metadata {
	markers := message.Metadata{}
	for _, key := range []string{sourceflow.MetaFailure, sourceflow.MetaLastError, sourceflow.MetaDeadLetteredBy} {
		if v, ok := md[key]; ok {
			markers.Set(key, v)
		}
	}
	return markers
}

// leftOutNote is what a dead letter's reason ends with when what was left
// out of it to fit limit.
func leftOutNote(what string, limit int) string {
	return fmt.Sprintf(" (%s left out: the dead letter must fit in %s, %d bytes)", what, maxMessageBytesName, limit)
}

// fitWithin fits dl in limit bytes with note appended to its reason
// (deadletter.Fit), then appends it, and reports whether it fits.
func fitWithin(dl *message.Message, limit int, note string) bool {
	fits := deadletter.Fit(dl.Metadata, func() bool { return messageBytes(dl)+len(note) <= limit }, maxMessageBytesName)
	if note != "" {
		dl.Metadata.Set(sourceflow.MetaFailure, dl.Metadata.Get(sourceflow.MetaFailure)+note)
	}
	return fits
}
