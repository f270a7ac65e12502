package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// lookupsMeet is a MemoryCommandStore whose first two lookups wait for each
// other (for a while at most): two sends of one command that both look it up
// before either stores it.
type lookupsMeet struct {
	*cqrs.MemoryCommandStore
	lookups atomic.Int64
	second  chan struct{}
}

func (s *lookupsMeet) Find(ctx context.Context, entityID, messageID string) (cqrs.StoredCommand, error) {
	found, err := s.MemoryCommandStore.Find(ctx, entityID, messageID)
	switch s.lookups.Add(1) {
	case 1:
		select {
		case <-s.second:
		case <-time.After(200 * time.Millisecond): // the other send waits its turn
		}
	case 2:
		close(s.second)
	}
	return found, err
}

// Two sends made at once with one idempotency key store their command once,
// and the entity's next command takes the very next sequence number: the
// send that found the command stored meanwhile spends no number.
func TestConcurrentKeyedSendsOfOneCommandLeaveNoGapInTheSequence(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	store := &lookupsMeet{MemoryCommandStore: cqrs.NewMemoryCommandStore(), second: make(chan struct{})}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: channel, CommandStore: store})
	app.start(t)
	ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "pay-o-1")
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			env, err := app.agg.Send(ctx, "o-1", ProcessPayment{Amount: 1})
			assert.NoError(t, err)
			assert.Equal(t, int64(1), env.Sequence, "both sends report the stored command")
		})
	}
	wg.Wait()
	env, err := app.agg.Send(context.Background(), "o-1", ProcessPayment{Amount: 2})
	require.NoError(t, err)
	assert.Equal(t, int64(2), env.Sequence, "the next command follows without a gap")
	stream, err := store.Load(context.Background(), "o-1")
	require.NoError(t, err)
	require.Len(t, stream, 2)
	assert.Equal(t, []int64{1, 2}, []int64{stream[0].Envelope.Sequence, stream[1].Envelope.Sequence})
}
