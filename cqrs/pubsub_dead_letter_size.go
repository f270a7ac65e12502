package cqrs

import (
	"fmt"
	"maps"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// maxMessageBytesName names the limit a PubSubTransport's dead letter must
// fit in what it says when it was cut.
const maxMessageBytesName = "PubSubConfig.MaxMessageBytes"

// fitDeadLetter makes dl, a dead letter of PubSubTransport, fit in limit
// bytes (0: no limit) as messageBytes counts them, and says what it gave
// up ("": nothing), for the log. It gives up where its handler failed
// first, then the length of its reasons (deadletter.Fit). A message that
// leaves no room for even the shortest reason (the Pub/Sub took it under a
// larger limit) is dead-lettered without its payload (leftOutPayload in
// its place), its reasons whole
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
	dl.Payload = []byte(leftOutPayload)
	dl.Metadata = maps.Clone(md)
	if fitWithin(dl, limit, leftOutNote(fmt.Sprintf("its payload of %d bytes", payload), limit)) {
		return "its payload"
	}
	dl.Metadata = markersOf(md)
	fitWithin(dl, limit, leftOutNote(fmt.Sprintf("its payload of %d bytes and its metadata", payload), limit))
	return "its payload and metadata"
}

// smallestDeadLetter is dl, a dead letter of PubSubTransport before it was
// fitted, at its smallest: without its payload (leftOutPayload in its
// place) and its message's own metadata, and under a limit its reasons cut
// to the notes saying so (deadletter.Fit's last step); its reason ends
// saying what was left out and why: the Pub/Sub refused the dead letter
// for good (refusal), counting bytes of its own that MaxMessageBytes does
// not see, or for another reason. It is what PubSubTransport publishes once
// more when the Pub/Sub refuses a dead letter for good.
func smallestDeadLetter(dl *message.Message, limit int, refusal error) *message.Message {
	small := message.NewMessage(dl.UUID, []byte(leftOutPayload))
	small.SetContext(dl.Context())
	small.Metadata = markersOf(dl.Metadata)
	what := fmt.Sprintf("its payload of %d bytes and its metadata", len(dl.Payload))
	why := fmt.Sprintf("the Pub/Sub refused the dead letter for good: %s", errtext.KeepEnds(refusal.Error(), deadletter.CutReasonBytes))
	if limit > 0 {
		never := func() bool { return false }
		deadletter.Fit(small.Metadata, never, maxMessageBytesName)
		why = fmt.Sprintf("the Pub/Sub refused the dead letter fitted to %s, %d bytes", maxMessageBytesName, limit)
	}
	small.Metadata.Set(sourceflow.MetaFailure, small.Metadata.Get(sourceflow.MetaFailure)+fmt.Sprintf(" (%s left out: %s)", what, why))
	return small
}

// leftOutPayload is the payload of a dead letter whose own was left out:
// SNS and SQS refuse an empty body, and a redrive of it fails to decode
// rather than handle an empty command.
const leftOutPayload = "payload left out: see sf_failure"

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
