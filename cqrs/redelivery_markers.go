package cqrs

import (
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// markDelivery sets on m, the copy of a message handed out on delivery
// attempt, the consume markers the consume pipeline reads about it: the
// attempt (sourceflow.MetaDeliveryCount) and, on the last delivery
// maxDeliveries allows, after which a failure is dead-lettered,
// sourceflow.MetaLastDelivery.
func (r redelivery) markDelivery(m *message.Message, attempt int) {
	m.Metadata.Set(sourceflow.MetaDeliveryCount, strconv.Itoa(attempt))
	if attempt >= r.maxDeliveries {
		m.Metadata.Set(sourceflow.MetaLastDelivery, "true")
	}
}
