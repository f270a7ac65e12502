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
	out := make(chan *message.Message)
	done := make(chan struct{})
	go func() { defer close(done); r.deliver(context.Background(), context.Background(), "dest", orig, out) }()

	first := <-out
	first.Nack()
	second := <-out
	second.Ack()
	<-done

	assert.Equal(t, "1", first.Metadata.Get(sourceflow.MetaDeliveryCount))
	assert.Empty(t, first.Metadata.Get(sourceflow.MetaLastDelivery))
	assert.Equal(t, "2", second.Metadata.Get(sourceflow.MetaDeliveryCount))
	assert.Equal(t, "true", second.Metadata.Get(sourceflow.MetaLastDelivery))
	require.Empty(t, orig.Metadata.Get(sourceflow.MetaDeliveryCount), "the Pub/Sub's message is not marked")
}
