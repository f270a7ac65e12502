package cqrs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// inHandlingTx marks each handling as running in a handling transaction,
// as a transactional idempotency middleware does.
func inHandlingTx(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		msg.SetContext(sourceflow.ContextInHandlingTx(msg.Context()))
		return h(msg)
	}
}

// joiningStore stands for a store that joins every handling transaction.
type joiningStore struct{ *cqrs.MemoryStore }

func (joiningStore) JoinsTransaction(ctx context.Context) bool { return sourceflow.InHandlingTx(ctx) }

// outsideTxWarnings returns the fields of each warning in logs that a
// handler's store does not join the handling transaction.
func outsideTxWarnings(logs *watermill.CaptureLoggerAdapter) []watermill.LogFields {
	var found []watermill.LogFields
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "does not join the transaction of the transactional idempotency middleware") {
			found = append(found, m.Fields)
		}
	}
	return found
}

// bookTwice starts the hotel service on cfg and sends it two commands.
func bookTwice(t *testing.T, cfg cqrs.ServiceConfig) *watermill.CaptureLoggerAdapter {
	t.Helper()
	logs, svc := startHotelService(t, cfg)
	for _, room := range []string{"101", "102"} {
		_, err := cqrs.NewAggregate(svc, "stay").Send(context.Background(), "stay-1", bookRoom{Room: room})
		require.NoError(t, err)
	}
	return logs
}

// Async: a synchronous ChannelTransport refuses the saga's raise in the
// handling transaction (cqrs.ErrPublishInTransaction), and the view would
// never handle the event.
func TestHandling_WarnsOnceOfAStoreOutsideTheIdempotencyTransaction(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	logs := bookTwice(t, cqrs.ServiceConfig{Transport: tr, HandlerMiddleware: []message.HandlerMiddleware{inHandlingTx}})
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Len(c, outsideTxWarnings(logs), 2)
	}, 10*time.Second, 5*time.Millisecond, "the view handled no event")
	assert.ElementsMatch(t, []watermill.LogFields{
		{"service": "hotel", "handler": "stay/hotel.BookRoom"},
		{"service": "hotel", "handler": "stays/hotel.RoomBooked"},
	}, outsideTxWarnings(logs))
}

func TestHandling_DoesNotWarnOfStoresInTheTransactionOrWithoutOne(t *testing.T) {
	joining := joiningStore{cqrs.NewMemoryStore()}
	for name, cfg := range map[string]cqrs.ServiceConfig{
		"no handling transaction": {},
		"stores joining it":       {HandlerMiddleware: []message.HandlerMiddleware{inHandlingTx}, EntityStore: joining, ViewStore: joining},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, outsideTxWarnings(bookTwice(t, cfg)))
		})
	}
}
