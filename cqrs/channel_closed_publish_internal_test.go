package cqrs

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A publish on a closed ChannelTransport, to a command destination that
// had a listener or never had one, in either mode, fails with the
// transport's closed error, not ErrNoListener (which the circuit breaker
// does not count as a failure): the publisher is closed, not the
// destination unheard.
func TestAPublishOnAClosedChannelTransportSaysItIsClosed(t *testing.T) {
	for _, async := range []bool{false, true} {
		for _, dest := range []string{"orders", "orders.fifo"} {
			tr, err := NewChannelTransport(ChannelConfig{Async: async})
			require.NoError(t, err)
			require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
				Routes: []sourceflow.Route{{Type: "svc.Do", Kind: sourceflow.KindCommand, Destination: dest}}}))
			sub, _ := tr.Subscriber(dest)
			_, err = sub.Subscribe(context.Background(), dest)
			require.NoError(t, err)
			require.NoError(t, tr.Close())
			pub, _ := tr.Publisher(dest)
			err = pub.Publish(dest, message.NewMessage(watermill.NewUUID(), []byte("{}")))
			require.ErrorIs(t, err, errChannelClosed, "async %v, %q", async, dest)
			require.NotErrorIs(t, err, ErrNoListener, "async %v, %q", async, dest)
			require.Zero(t, tr.DeadLetterCount(), "a refused publish dead-letters nothing")
		}
	}
}
