//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type harnessOrder struct {
	Amount int `json:"amount"`
}

type harnessPaid struct {
	Amount int `json:"amount"`
}

type harnessTotal struct{ Amount int }

// TestSQLBusHarnessWaitsForTheFlowAndShowsItsDeadLetters runs a
// cqrstest harness on sqlbus: WaitIdle returns once the flow (a command,
// the event its saga raises, the view projecting it) is done and the
// refused command is dead-lettered, and the harness shows that dead letter
// with its reason, as it does on the in-process transport.
func TestSQLBusHarnessWaitsForTheFlowAndShowsItsDeadLetters(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue, events := sqlbusName("harness", ".fifo"), sqlbusName("harness-events", "")
		dropSQLBusTables(t, d, db, queue, events)
		tr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, tr.Close()) })
		h := cqrstest.New(t, cqrs.ServiceConfig{Name: "harness-orders", Transport: tr, Listen: []string{queue, events},
			CloseTimeout: 10 * time.Second, HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
		h.Must(cqrs.RegisterCommand[harnessOrder](h.Service, "harness.Order", queue))
		h.Must(cqrs.RegisterEvent[harnessPaid](h.Service, "harness.Paid", events))
		h.Must(cqrs.Handle(cqrs.NewSaga[harnessTotal](h.Service, "order"), func(_ context.Context, s *harnessTotal, c harnessOrder, env cqrs.Envelope) ([]any, error) {
			if env.EntityID == "declined" {
				return nil, sourceflow.Permanent(errors.New("card declined"))
			}
			s.Amount += c.Amount
			return []any{harnessPaid(c)}, nil
		}))
		view := cqrs.NewView[harnessTotal](h.Service, "order-totals")
		h.Must(cqrs.Project(view, func(_ context.Context, s *harnessTotal, e harnessPaid, _ cqrs.Envelope) error {
			s.Amount += e.Amount
			return nil
		}))
		h.Start()

		ctx := context.Background()
		for _, entity := range []string{"o-1", "declined"} {
			_, err := cqrs.NewAggregate(h.Service, "order").Send(ctx, entity, harnessOrder{Amount: 7})
			require.NoError(t, err)
		}
		wait, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		require.NoError(t, h.WaitIdle(wait))

		got, found, err := view.Get(ctx, "o-1")
		require.NoError(t, err)
		require.True(t, found, "projected before WaitIdle returned")
		assert.Equal(t, 7, got.Amount, "projected once: the idempotency middleware drops a redelivery")
		dead, err := h.DeadLetters(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, dead)
		for _, dl := range dead { // at least once: a redelivered dead letter is the same message
			assert.Equal(t, "declined", dl.Message.Metadata.Get(sourceflow.MetaEntityID))
			assert.Contains(t, dl.Reason, "card declined")
		}
	})
}
