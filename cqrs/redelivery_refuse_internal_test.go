package cqrs

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A message a Pub/Sub that keeps nothing hands over after its subscription
// ended is dead-lettered, not nacked into a Pub/Sub that would drop it. The
// drain and the message are ready at once, so which one taking sees first
// is up to the runtime: over many rounds both happen, and every message it
// took is dead-lettered and acked.
func TestTakingDeadLettersAMessageHandedOverAfterTheSubscriptionEnded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	taken := 0
	for range 200 {
		var dead []string
		r := redelivery{drain: 1, keepsNothing: true, deadLetter: func(_ string, m *message.Message, reason string, _ int) error {
			dead = append(dead, reason+"|"+m.Metadata.Get(sourceflow.MetaFailure))
			return nil
		}}
		in := make(chan *message.Message, 1)
		orig := message.NewMessage("m", nil)
		in <- orig
		for range r.taking(ctx, "dest", in) {
			t.Fatal("a message was handed out after the subscription ended")
		}
		if len(in) == 1 {
			continue // the drain was seen first: the message was not taken
		}
		taken++
		require.Equal(t, []string{notDelivered + "|" + notDelivered}, dead)
		select {
		case <-orig.Acked():
		default:
			t.Fatal("the dead-lettered message was not acked")
		}
	}
	assert.Positive(t, taken, "no round took the message")
}
