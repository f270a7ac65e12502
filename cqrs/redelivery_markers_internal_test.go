package cqrs

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// Each copy handed out carries its delivery number, and the last one
// MaxDeliveries allows says so; an earlier copy's markers are not carried.
func TestDeliverMarksEachCopyWithItsDelivery(t *testing.T) {
	r := redelivery{maxDeliveries: 2, delay: time.Millisecond}
	orig := message.NewMessage("m", nil)
	first, second := deliverTwice(r, orig)

	assert.Equal(t, "1", first.Metadata.Get(sourceflow.MetaDeliveryCount))
	assert.Empty(t, first.Metadata.Get(sourceflow.MetaLastDelivery))
	assert.Equal(t, "2", second.Metadata.Get(sourceflow.MetaDeliveryCount))
	assert.Equal(t, "true", second.Metadata.Get(sourceflow.MetaLastDelivery))
	require.Empty(t, orig.Metadata.Get(sourceflow.MetaDeliveryCount), "the Pub/Sub's message is not marked")
}

// Each copy names where the transport dead-letters the message; the last
// one of a transport that hands a message held elsewhere back to its
// Pub/Sub says so, and a sender's own markers are not carried.
func TestDeliverMarksTheDeadLetterDestination(t *testing.T) {
	for name, tc := range map[string]struct {
		handBack bool
		wantLast string
	}{
		"dead-letters every last failure": {false, sourceflow.LastDelivery},
		"hands back one held elsewhere":   {true, sourceflow.LastDeliveryUnlessInProgress},
	} {
		t.Run(name, func(t *testing.T) {
			r := redelivery{maxDeliveries: 2, delay: time.Millisecond, handBack: tc.handBack, deadLetterQueue: "pay-dlq",
				deadLetter: func(string, *message.Message, string, int) error { return nil }}
			orig := message.NewMessage("m", nil)
			orig.Metadata.Set(sourceflow.MetaDeliveryCount, "7")
			orig.Metadata.Set(sourceflow.MetaLastDelivery, sourceflow.LastDelivery)
			orig.Metadata.Set(sourceflow.MetaDeadLetterQueue, "forged-dlq")
			first, second := deliverTwice(r, orig)

			assert.Equal(t, "1", first.Metadata.Get(sourceflow.MetaDeliveryCount))
			assert.Empty(t, first.Metadata.Get(sourceflow.MetaLastDelivery))
			assert.Equal(t, "pay-dlq", first.Metadata.Get(sourceflow.MetaDeadLetterQueue))
			assert.Equal(t, tc.wantLast, second.Metadata.Get(sourceflow.MetaLastDelivery))
			assert.Equal(t, "pay-dlq", second.Metadata.Get(sourceflow.MetaDeadLetterQueue))
		})
	}
}

// deliverTwice delivers orig through r, nacks the first copy handed out and
// acks the second, and returns both once the delivery ended.
func deliverTwice(r redelivery, orig *message.Message) (first, second *message.Message) {
	out := make(chan *message.Message)
	done := make(chan struct{})
	go func() { defer close(done); r.deliver(context.Background(), context.Background(), "dest", orig, out) }()
	first = <-out
	first.Nack()
	second = <-out
	second.Ack()
	<-done
	return first, second
}
