package cqrs

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// next returns the next message of out.
func next(t *testing.T, out <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m := <-out:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message was delivered")
		return nil
	}
}

// A message delivered again after its event destination lost its last
// subscription is handled by a live handler, whose message came after the
// loss: what it raises there is dropped, as when its first delivery came
// then, not dead-lettered as unheard.
func TestChannelUnheardEventOfARedeliveredMessageIsJudgedByItsLastDelivery(t *testing.T) {
	pay := newPayRig(t, ChannelConfig{Async: true, RedeliveryDelay: time.Millisecond})
	tr, payOut := pay.tr, pay.out
	pub, _ := tr.Publisher("pay")
	require.NoError(t, pub.Publish("pay", message.NewMessage("p1", nil)))

	first := next(t, payOut)
	loseLastSubscription(t, tr, "ev")
	first.Nack() // fails: delivered again
	again := next(t, payOut)
	require.Equal(t, "p1", again.UUID)
	raiseWith(t, tr, again.Context(), "e1")
	again.Ack()
	assert.Empty(t, tr.DeadLetters(), "the event a live handler raised was dead-lettered as unheard")
}
