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

// Once its subscription ended, what gochannel still hands over is refused,
// not dropped: the message outliving held, and those behind it until
// gochannel closes the channel.
func TestOutlivingRefusesWhatGochannelHandsOverAfterTheEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := make(chan *message.Message, 2)
	in <- message.NewMessage("m1", nil)
	in <- message.NewMessage("m2", nil)
	close(in)
	refused := make(chan string, 2)
	noEnd := subscriptionEnd{received: func() {}, quiesce: func() <-chan struct{} { return nil }, end: func() {}}
	out, _ := outliving(ctx, context.Background(), in, func(m *message.Message) { refused <- m.UUID }, noEnd)
	// Nothing reads out until both were refused: a reader waiting on it
	// would be a hand-over outliving may choose.
	for _, want := range []string{"m1", "m2"} {
		select {
		case got := <-refused:
			assert.Equal(t, want, got)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was not refused", want)
		}
	}
	_, open := <-out
	assert.False(t, open, "a message was handed on after the subscription ended")
}
