package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// storedMeanwhile is a transactional CommandStore on which another instance
// stores the same command (a keyed send made again while the first was
// still under way) between this send's Find and its Append.
type storedMeanwhile struct {
	txCommands
	once sync.Once
}

func (s *storedMeanwhile) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	s.once.Do(func() { _ = s.MemoryCommandStore.Append(context.Background(), cmd) })
	return s.txCommands.Append(ctx, cmd)
}

// A keyed send that finds its command stored meanwhile by another instance
// reuses it, whether the transport is an outbox (the send begins its own
// transaction) or not: the caller's retry is not failed with
// ErrDuplicateCommand.
func TestAKeyedSendRacingItsRetryReusesTheStoredCommand(t *testing.T) {
	for _, outbox := range []bool{false, true} {
		t.Run(map[bool]string{true: "outbox", false: "plain transport"}[outbox], func(t *testing.T) {
			channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = channel.Close() })
			mem := cqrs.NewMemoryCommandStore()
			store := &storedMeanwhile{txCommands: txCommands{MemoryCommandStore: mem, txBeginner: txBeginner{&atomic.Int64{}}, appends: &recorder[int64]{}}}
			app := newOrderApp(t, cqrs.ServiceConfig{
				Transport:    txOutbox{ChannelTransport: channel, outbox: outbox, published: &recorder[[2]any]{}},
				CommandStore: store,
			})
			app.start(t)
			ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "request-1")
			env, err := app.agg.Send(ctx, "o-1", CreateOrder{Customer: "ann", Amount: 5})
			require.NoError(t, err, "the command the other instance stored is reused")
			stored := storedOfType(t, mem, "o-1", "orders.CreateOrder")
			require.Len(t, stored, 1)
			assert.Equal(t, stored[0].Envelope.MessageID, env.MessageID)
			assert.Equal(t, stored[0].Envelope.Sequence, env.Sequence)
		})
	}
}
