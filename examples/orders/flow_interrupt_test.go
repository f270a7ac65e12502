package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A run interrupted while it sends (its context ended: Ctrl-C, a test's
// cancel) stops sending without an error, as its wait for the orders does:
// a Send whose context ended is refused, or returns once its command was
// handed over, and neither is a failure of the run.
func TestSendAllStopsWithoutAnErrorWhenItsContextEnds(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	opts, err := parseFlags([]string{"-n", "20", "-senders", "4"}, io.Discard)
	require.NoError(t, err)
	obs, err := newObservability(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = obs.shutdown(context.Background()) })
	var c counters
	orders, closeAll, err := startServices(context.Background(), opts, obs, &c)
	require.NoError(t, err)
	t.Cleanup(closeAll)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err = sendAll(ctx, orders.svc.CommandBus(), newWorkload(opts.orders, opts.entities, "interrupted-").orders, opts.senders)

	require.NoError(t, err)
	assert.Zero(t, c.created.Load(), "no order is sent once the run's context ended")
}
