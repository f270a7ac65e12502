package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// forwardRows is how many committed rows BenchmarkForwardRate forwards.
const forwardRows = 1000

// BenchmarkForwardRate measures how fast a forwarder relays committed
// outbox rows to an in-process transport: forwardRows commands are written
// (each in its own transaction) while no forwarder runs, then a service
// with a forwarder starts and the time until every command was handled
// gives the rate, reported as rows/s. It runs once, whatever b.N.
func BenchmarkForwardRate(b *testing.B) {
	for _, d := range dialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			db := d.open(b)
			topic := uniqueName("obb")
			d.dropOutbox(b, db, topic)
			store, _ := newStore(b, d, db)
			writeRows(b, d, db, topic)

			inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
			require.NoError(b, err)
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic})
			require.NoError(b, err)
			handled := newCounter()
			svc, err := wire("orders", box, store, nil, handled)
			require.NoError(b, err)
			began := time.Now()
			require.NoError(b, svc.Start(context.Background()))
			b.Cleanup(func() { _ = svc.Close(); _ = box.Close() })
			require.Eventually(b, func() bool { return handled.total() >= forwardRows }, 5*time.Minute, 5*time.Millisecond)
			rate := forwardRows / time.Since(began).Seconds()
			for b.Loop() {
			}
			b.ReportMetric(rate, "rows/s")
		})
	}
}

// writeRows commits forwardRows commands into the outbox of topic from a
// service whose outbox forwards nothing.
func writeRows(b *testing.B, d dialect, db *sql.DB, topic string) {
	b.Helper()
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(b, err)
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic, DisableForwarder: true})
	require.NoError(b, err)
	st, _ := newStore(b, d, db)
	svc, err := wire("writer", box, st, nil, nil)
	require.NoError(b, err)
	require.NoError(b, svc.Start(context.Background()))
	defer func() { _ = svc.Close(); _ = box.Close() }()
	orders := cqrs.NewAggregate(svc, "order")
	for i := range forwardRows {
		id := fmt.Sprintf("o-%d", i)
		require.NoError(b, st.WithinTx(context.Background(), func(ctx context.Context) error {
			_, err := orders.Send(ctx, id, PlaceOrder{OrderID: id})
			return err
		}))
	}
}

// heldDrainRows is how many held rows BenchmarkHeldDrain relays.
const heldDrainRows = 500

// BenchmarkHeldDrain measures how fast the retry relays the held rows of a
// destination that recovered: heldDrainRows rows are held behind it while
// it is down, then it recovers and one pass of the retry relays them all,
// in order; the time of the pass gives the rate, reported as rows/s. It
// runs once, whatever b.N.
func BenchmarkHeldDrain(b *testing.B) {
	for _, d := range dialects {
		b.Run(string(d.dialect), func(b *testing.B) {
			inner := newStuckTransport()
			inner.down.Store(true)
			cfg, ids := heldOutbox(b, d, d.open(b), inner, heldDrainRows, slices.Repeat([]string{"stuck"}, heldDrainRows)...)
			inner.down.Store(false)
			pass := outbox.NewHeldPass(cfg, nil)
			began := time.Now()
			require.False(b, pass(context.Background()), "the pass relays every row")
			rate := heldDrainRows / time.Since(began).Seconds()
			require.Equal(b, ids, inner.received("stuck"), "in order")
			require.Zero(b, waiting(b, cfg))
			for b.Loop() {
			}
			b.ReportMetric(rate, "rows/s")
		})
	}
}
