package cqrs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

func TestCommandBusAssignsEachSequenceNumberExactlyOnce(t *testing.T) {
	const senders, total = 16, 1000
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := context.Background()

	jobs := make(chan struct{}, total)
	for range total {
		jobs <- struct{}{}
	}
	close(jobs)
	seqs := make(chan int64, total)
	errs := make(chan error, total)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range jobs {
				env, err := app.svc.CommandBus().Send(ctx, "hot-entity", ProcessPayment{Amount: 1})
				errs <- err
				seqs <- env.Sequence
			}
		})
	}
	wg.Wait()
	close(seqs)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	seen := map[int64]int{}
	for s := range seqs {
		seen[s]++
	}
	require.Len(t, seen, total)
	for i := int64(1); i <= int64(total); i++ {
		assert.Equal(t, 1, seen[i], "sequence %d", i)
	}
	stream, err := app.store.Load(ctx, "hot-entity")
	require.NoError(t, err)
	require.Len(t, stream, total)
	for i, c := range stream {
		require.Equal(t, int64(i+1), c.Envelope.Sequence, "the stream is kept in sequence order")
	}
	order, _, err := app.orders.Load(ctx, "hot-entity")
	require.NoError(t, err)
	assert.Equal(t, total, order.Commands, "every command was handled once, none lost to a concurrent update")
}

func TestMemoryCommandStoreRejectsADuplicateSequence(t *testing.T) {
	s := cqrs.NewMemoryCommandStore()
	ctx := context.Background()
	cmd := cqrs.StoredCommand{Envelope: cqrs.Envelope{EntityID: "e", Sequence: 1}}
	require.NoError(t, s.Append(ctx, cmd))
	require.Error(t, s.Append(ctx, cmd))
}
