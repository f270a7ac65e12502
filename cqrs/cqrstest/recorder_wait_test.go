package cqrstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// Recorder.Wait returns once the asynchronous transport delivered the
// events, and gives up with the count so far when its context ends.
func TestRecorderWaitsForEvents(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "shipping", Transport: tr, Listen: []string{"shipping-events"}})
	var shipped cqrstest.Recorder[Shipped]
	h.Must(cqrs.RegisterEvent[Shipped](h.Service, "shipping.Shipped", "shipping-events"))
	h.Must(cqrs.React(cqrs.NewAggregate(h.Service, "watcher"), shipped.Reaction()))
	h.Start()
	for _, p := range []string{"p1", "p2"} {
		_, err := h.Service.EventQueue().Raise(context.Background(), p, Shipped{Parcel: p})
		require.NoError(t, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := shipped.Wait(ctx, 2)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"p1", "p2"}, []string{got[0].Message.Parcel, got[1].Message.Parcel})

	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	_, err = shipped.Wait(short, 3)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "2 of 3 records")
}
