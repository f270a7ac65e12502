package cqrs

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// notDelivered is the dead-letter reason of a message a keepsNothing
// Pub/Sub handed over after its subscription closed.
const notDelivered = "not delivered: its subscription closed"

// stillHandling is the dead-letter reason of a message of a keepsNothing
// Pub/Sub whose handler had not finished when its subscription's drain ran
// out.
const stillHandling = "abandoned: still in its handler when its subscription's CloseTimeout ran out"

// exhausted is the dead-letter reason of a message that failed its last
// allowed delivery: the number of deliveries and the last error recorded on
// the message (sourceflow.MetaLastError), when there is one.
func exhausted(m *message.Message, deliveries int) string {
	return withLastError(fmt.Sprintf("failed %d deliveries", deliveries), m)
}

// closedMidway is the dead-letter reason of a message that failed while its
// subscription closed, so was not delivered again: the number of
// deliveries and the last error recorded on the message, when there is one.
func closedMidway(m *message.Message, deliveries int) string {
	return withLastError(fmt.Sprintf("failed %d deliveries while its subscription closed", deliveries), m)
}

// withLastError is reason followed by the last error recorded on m
// (sourceflow.MetaLastError), when there is one.
func withLastError(reason string, m *message.Message) string {
	if last := m.Metadata.Get(sourceflow.MetaLastError); last != "" {
		reason += "; last error: " + last
	}
	return reason
}

// takenBackEachTime is the dead-letter reason of a message the Pub/Sub
// took back after each of its last deliveries, past maxDeliveries, before
// the handler acked or nacked it (see redelivery.pastLast).
func takenBackEachTime(deliveries int) string {
	return fmt.Sprintf("failed %d deliveries; the Pub/Sub took it back each time its ack deadline passed", deliveries)
}
