package cqrs

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A last delivery says whether a failure of it that found the store
// unavailable is delivered again (sourceflow.MetaStoreFailureUncounted),
// so that the tracing middleware does not take it for a dead letter, and
// the transport keeps to what it said: within StoreOutageWait of the
// message's first such failure it does, after it it does not, and the
// failure of the delivery that no longer says so dead-letters the message.
func TestLastDeliverySaysWhetherAStoreFailureIsDeliveredAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dead := make(chan string, 1)
		r := redelivery{maxDeliveries: 1, delay: time.Millisecond,
			deadLetter: func(_ string, _ *message.Message, reason string, _ int) error { dead <- reason; return nil }}
		out := make(chan *message.Message)
		go r.deliver(context.Background(), context.Background(), "dest", message.NewMessage("m", nil), out)
		storeDown := func(m *message.Message) {
			m.Metadata.Set(sourceflow.MetaStoreUnavailable, "true")
			m.Nack()
		}

		first := <-out
		assert.Equal(t, sourceflow.LastDelivery, first.Metadata.Get(sourceflow.MetaLastDelivery))
		assert.Equal(t, "true", first.Metadata.Get(sourceflow.MetaStoreFailureUncounted), "the first store failure is not counted")
		storeDown(first)
		second := <-out
		assert.Equal(t, "true", second.Metadata.Get(sourceflow.MetaStoreFailureUncounted))
		time.Sleep(StoreOutageWait) // the handler outlasts the wait: the marker handed out holds
		storeDown(second)
		third := <-out
		assert.Empty(t, third.Metadata.Get(sourceflow.MetaStoreFailureUncounted), "past StoreOutageWait store failures count")
		storeDown(third)
		require.Contains(t, <-dead, "failed 1 deliveries")
	})
}
