package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// An OrderCreated projection can land after the payment it led to: its
// handling is redelivered (an instance died holding it) after the reaction
// that sent ProcessPayment had run. The driver waits for it instead of
// reporting the entity as mismatched.
func TestDriverWaitsForAnOrderProjectionThatLandsAfterItsPayment(t *testing.T) {
	ctx := context.Background()
	views := cqrs.NewMemoryStore()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "driver", ViewStore: views})
	require.NoError(t, err)
	view := newSummaryView(svc)
	w := newWorkload(2, 1, "p-")
	entity := w.entities[0]
	put := func(s OrderSummary, version int64) {
		raw, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, views.Save(ctx, "order-summary", entity, raw, version))
	}
	// Both payments are in; the second order's projection lands later.
	put(OrderSummary{Customer: entity, Orders: 1, Ordered: 100, Payments: 2, Paid: 100 + 101}, 0)
	late := time.AfterFunc(500*time.Millisecond, func() {
		put(OrderSummary{Customer: entity, Orders: 2, Ordered: 100 + 101, Payments: 2, Paid: 100 + 101}, 1)
	})
	defer late.Stop()
	sent := make(chan sendReport, 1)
	sent <- sendReport{sent: 2}
	tl, err := w.wait(ctx, view, sent, func(int) {})
	require.NoError(t, err)
	assert.Zero(t, tl.lost)
	assert.Zero(t, tl.duplicated)
	assert.Empty(t, tl.mismatched, "the driver read the summary before the late projection landed")
}

// heldViews holds every Load of one id until release is closed.
type heldViews struct {
	cqrs.ViewStore
	held    string
	release chan struct{}
}

func (h heldViews) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	if id == h.held {
		select {
		case <-h.release:
		case <-ctx.Done():
			return cqrs.Document{}, ctx.Err()
		}
	}
	return h.ViewStore.Load(ctx, kind, id)
}

// A round of reads takes minutes on a busy store: a payment that a read
// early in the round shows is reported at once, not when the round ends,
// so the driver's -stall watch does not give up on a run whose orders are
// being paid while it reads.
func TestDriverReportsProgressBeforeItsRoundOfReadsEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mem := cqrs.NewMemoryStore()
	w := newWorkload(3, 3, "p-")
	views := heldViews{ViewStore: mem, held: w.entities[1], release: make(chan struct{})}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "driver", ViewStore: views})
	require.NoError(t, err)
	view := newSummaryView(svc)
	put := func(entity string, amount int64) {
		raw, err := json.Marshal(OrderSummary{Customer: entity, Orders: 1, Ordered: amount, Payments: 1, Paid: amount})
		require.NoError(t, err)
		require.NoError(t, mem.Save(ctx, "order-summary", entity, raw, 0))
	}
	put(w.entities[0], 100) // paid; the round's next read is held
	sent := make(chan sendReport, 1)
	sent <- sendReport{sent: 3}
	progressed := make(chan int, 16)
	type result struct {
		tl  tally
		err error
	}
	done := make(chan result, 1)
	go func() {
		tl, err := w.wait(ctx, view, sent, func(completed int) {
			select {
			case progressed <- completed:
			default:
			}
		})
		done <- result{tl, err}
	}()
	select {
	case c := <-progressed:
		assert.Equal(t, 1, c)
	case <-time.After(5 * time.Second):
		close(views.release)
		t.Fatal("the paid order read first was not reported while a later read of the round was held")
	}
	close(views.release)
	put(w.entities[1], 101)
	put(w.entities[2], 102)
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, 3, r.tl.completed)
	assert.Zero(t, r.tl.lost)
	assert.Empty(t, r.tl.mismatched)
}

// The driver reads its first entity's summary before sending: a store where
// an earlier run with the same prefix left it is refused, naming the entity;
// a store without it is not.
func TestDriverRefusesASummaryAnEarlierRunLeft(t *testing.T) {
	ctx := context.Background()
	views := cqrs.NewMemoryStore()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "driver", ViewStore: views})
	require.NoError(t, err)
	view := newSummaryView(svc)
	w := newWorkload(4, 2, "p-")
	require.NoError(t, w.checkFresh(ctx, view))

	raw, err := json.Marshal(OrderSummary{Customer: w.entities[0], Orders: 2, Ordered: 202, Payments: 2, Paid: 202})
	require.NoError(t, err)
	require.NoError(t, views.Save(ctx, "order-summary", w.entities[0], raw, 0))
	err = w.checkFresh(ctx, view)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "entity p-customer-0001 already has a summary")
	assert.Contains(t, err.Error(), "-prefix")
}
