package cqrs_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message its consumer never took before the subscription's
// CloseTimeout ran out is dead-lettered as not delivered, not as abandoned
// in its handler (which would say it may have been handled), and is not
// handed to the consumer afterwards.
func TestChannelMessageNeverTakenByItsConsumerIsDeadLetteredAsNotDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, CloseTimeout: time.Second})
		require.NoError(t, err)
		defer func() { require.NoError(t, tr.Close()) }()
		sub, _ := tr.Subscriber("ev")
		ctx, cancel := context.WithCancel(context.Background())
		out, err := sub.Subscribe(ctx, "ev")
		require.NoError(t, err)
		pub, _ := tr.Publisher("ev")
		require.NoError(t, pub.Publish("ev", message.NewMessage("untaken", nil)))
		synctest.Wait() // the message waits for its consumer
		cancel()
		time.Sleep(2 * time.Second) // the bubble's clock passes CloseTimeout at once; Wait waits for what follows
		synctest.Wait()
		for m := range out {
			t.Errorf("message %s handed to the consumer after CloseTimeout ran out", m.UUID)
		}
		require.NoError(t, sub.Close())
		dead := tr.DeadLetters()
		require.Len(t, dead, 1)
		assert.Equal(t, "untaken", dead[0].Message.UUID)
		assert.Equal(t, "not delivered: its subscription closed", dead[0].Reason)
	})
}
