package cqrs

import (
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// ChannelDeadLetters is the name ChannelTransport gives, in
// sourceflow.MetaDeadLetterQueue, to where it dead-letters a message: its
// in-memory list of dead letters (ChannelTransport.DeadLetters).
const ChannelDeadLetters = "ChannelTransport.DeadLetters"

// deliveryMarkers is how many keys markDelivery sets on each delivery but
// the last: the attempt, and where the message is dead-lettered. Room for
// the last delivery's marker as well would lay out a map larger than Go's
// smallest, which takes as many allocations as growing past it, for each
// copy that fits the smallest without it.
const deliveryMarkers = 2

// markDelivery sets on m, the copy of a message handed out on delivery
// attempt (a fresh copy: the sender's markers are gone), the consume
// markers the consume pipeline reads about it: the attempt
// (sourceflow.MetaDeliveryCount); on the last delivery maxDeliveries
// allows, after which a failure is dead-lettered, sourceflow.MetaLastDelivery
// (sourceflow.LastDeliveryUnlessInProgress with handBack, which hands a
// message held elsewhere back to the Pub/Sub instead); and where the
// message is dead-lettered, deadLetterQueue
// (sourceflow.MetaDeadLetterQueue). A last delivery whose failure that
// finds the store unavailable is not counted (down.waiting) says so too
// (sourceflow.MetaStoreFailureUncounted), and outage keeps to it.
func (r redelivery) markDelivery(m *message.Message, attempt int, down *storeOutage) {
	m.Metadata.Set(sourceflow.MetaDeliveryCount, strconv.Itoa(attempt))
	if attempt >= r.maxDeliveries {
		last := sourceflow.LastDelivery
		if r.handBack {
			last = sourceflow.LastDeliveryUnlessInProgress
		}
		m.Metadata.Set(sourceflow.MetaLastDelivery, last)
		if down.waiting(time.Now()) {
			m.Metadata.Set(sourceflow.MetaStoreFailureUncounted, "true")
		}
	}
	if r.deadLetterQueue != "" {
		m.Metadata.Set(sourceflow.MetaDeadLetterQueue, r.deadLetterQueue)
	}
}
