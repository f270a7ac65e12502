package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// On the ChannelTransport the event type filter of a service name is the
// union of what the services of that name on it handle: where another
// "billing" handles filter.Shipped, the one that does not keeps it
// (retried, as for a rolling deploy) instead of dropping it.
func TestFilterChannelTransportKeepsATypeAnotherServiceOfTheNameHandles(t *testing.T) {
	tr := newTransport(t)
	filterConsumer(t, tr, false)
	newer, _ := filterBilling(t, tr, true)
	var shipped atomic.Int64
	require.NoError(t, cqrs.React(cqrs.NewAggregate(newer, "ship"), func(context.Context, *cqrs.Aggregate, filterShipped, cqrs.Envelope) error {
		shipped.Add(1)
		return nil
	}))
	start(t, newer)
	_, err := filterSender(t, tr).EventQueue().Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
	require.NoError(t, err)

	assert.Positive(t, shipped.Load(), "the newer billing handled filter.Shipped")
	assert.Empty(t, tr.FilteredByDestination(), "nothing dropped")
}
