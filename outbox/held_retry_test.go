package outbox_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/destgrace"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// heldOutbox binds an outbox over inner, sends one message per destination
// in one transaction, waits until the held ones number held and the others
// went out, and closes the outbox, leaving the held rows to the test. It
// returns the outbox's Config and the messages' ids.
func heldOutbox(t testing.TB, d dialect, db *sql.DB, inner *stuckTransport, held int64, destinations ...string) (outbox.Config, []string) {
	t.Helper()
	topic := uniqueName("obr")
	d.dropOutbox(t, db, topic)
	ctx := context.Background()
	cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic}
	box, err := outbox.New(cfg)
	require.NoError(t, err)
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "obr"}))
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	pubs := publishers(t, box, destinations)
	inner.forgot.Store(true) // this instance was given the route, the forwarders know it no more
	ids := sendEach(t, db, pubs, destinations)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		depths, err := outbox.Depths(ctx, cfg)
		if assert.NoError(c, err) {
			assert.Equal(c, held, depths[0].Visible)
		}
		assert.True(c, d.forwardedAll(c, db, topic))
	}, waitFor, 10*time.Millisecond, "the rows are forwarded or held")
	require.NoError(t, box.Close())
	return cfg, ids
}

// Held rows whose destination has no publisher are retried, in order,
// until it has had none for the grace; then they are dead-lettered with
// the reason, in order, and no longer wait.
func TestHeldRowsWithoutAPublisherAreDeadLetteredAfterTheGrace(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		ctx := context.Background()
		cfg, ids := heldOutbox(t, d, db, newStuckTransport(), 2, "gone", "ok", "gone")
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		pass := outbox.NewHeldPass(cfg, func() time.Time { return now })

		assert.True(t, pass(ctx), "within the grace the rows stay held")
		dead, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 10})
		require.NoError(t, err)
		assert.Empty(t, dead)

		now = now.Add(destgrace.Grace)
		assert.False(t, pass(ctx), "past the grace the rows are dead-lettered")
		dead, _, err = outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 10})
		require.NoError(t, err)
		var forwarded []string
		for _, dl := range dead {
			var e struct {
				UUID string `json:"uuid"`
			}
			require.NoError(t, json.Unmarshal(dl.Message.Payload, &e))
			forwarded = append(forwarded, e.UUID)
			assert.Contains(t, dl.Reason, `no publisher for destination "gone"`)
		}
		assert.Equal(t, []string{ids[0], ids[2]}, forwarded, "dead-lettered in order")
		depths, err := outbox.Depths(ctx, cfg)
		require.NoError(t, err)
		assert.Zero(t, depths[0].Visible, "nothing waits")
		assert.Equal(t, int64(2), depths[1].Visible)
	})
}

// A held row relayed by an attempt that ends before its transaction
// commits (a crash, the instance's context ending) stays held and is
// relayed again: at least once, and in order.
func TestAHeldRowRelayedButNotDeletedIsRelayedAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner, cfg, ids := heldBehindRecovered(t, d)
		ctx, crash := context.WithCancel(context.Background())
		crashFn := func() { crash() }
		inner.onPublish.Store(&crashFn)
		pass := outbox.NewHeldPass(cfg, nil)

		assert.True(t, pass(ctx), "the attempt ended before its commit")
		assert.Equal(t, ids[:1], inner.published("stuck"), "the first row went out")
		assert.Equal(t, int64(2), waiting(t, cfg), "both rows are still held")

		inner.onPublish.Store(nil)
		assert.False(t, pass(context.Background()))
		assert.Equal(t, ids, inner.received("stuck"), "in order")
		assert.Equal(t, []string{ids[0], ids[0], ids[1]}, inner.published("stuck"), "the first again: at least once")
		assert.Zero(t, waiting(t, cfg))
	})
}

// The grace of a destination without a publisher counts from the first
// failure recorded in the held table, on any instance: an instance started
// since (whose own clock starts at zero) dead-letters the held rows once
// the recorded failure is older than the grace, instead of waiting the
// grace again.
func TestTheGraceOfHeldRowsOutlivesARestart(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		ctx := context.Background()
		cfg, ids := heldOutbox(t, d, db, newStuckTransport(), 2, "gone", "gone")
		restarted := func() func(context.Context) bool { return outbox.NewHeldPass(cfg, nil) }
		assert.True(t, restarted()(ctx), "the recorded failure is recent: the rows stay held")

		require.Equal(t, int64(2), d.backdateUnknown(t, db, cfg.Topic), "both rows record the failure")

		assert.False(t, restarted()(ctx), "past the grace, a new instance dead-letters them")
		dead, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 10})
		require.NoError(t, err)
		require.Len(t, dead, 2)
		for i, dl := range dead {
			var e struct {
				UUID string `json:"uuid"`
			}
			require.NoError(t, json.Unmarshal(dl.Message.Payload, &e))
			assert.Equal(t, ids[i], e.UUID, "in order")
			assert.Contains(t, dl.Reason, "none for 16m")
		}
	})
}

// backdateUnknown moves the recorded failures of topic's held rows 16
// minutes back, past the grace, and returns how many rows it moved.
func (d dialect) backdateUnknown(t *testing.T, db *sql.DB, topic string) int64 {
	t.Helper()
	back := "UPDATE " + d.quote("sourceflow_outbox_held_"+topic) + " SET unknown_since = unknown_since - INTERVAL '16 minutes'"
	if d.dialect == sourceflow.MySQL {
		back = "UPDATE " + d.quote("sourceflow_outbox_held_"+topic) + " SET unknown_since = unknown_since - INTERVAL 16 MINUTE"
	}
	res, err := db.Exec(back)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	return n
}

// An instance that finds a publisher for the destination clears the
// recorded failure: a later failure for want of one starts the grace
// again, instead of dead-lettering the rows behind at once.
func TestAPublisherFoundStartsTheGraceAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		ctx := context.Background()
		inner := newStuckTransport()
		cfg, ids := heldOutbox(t, d, db, inner, 2, "gone", "gone")
		require.Equal(t, int64(2), d.backdateUnknown(t, db, cfg.Topic))
		inner.forgot.Store(false)
		fail := func() { inner.down.Store(true) } // the publish after the first fails
		inner.onPublish.Store(&fail)
		assert.True(t, outbox.NewHeldPass(cfg, nil)(ctx), "the first row is relayed, the second fails")
		assert.Equal(t, ids[:1], inner.received("gone"))

		inner.onPublish.Store(nil)
		inner.down.Store(false)
		inner.forgot.Store(true)
		assert.True(t, outbox.NewHeldPass(cfg, nil)(ctx), "another instance finds no publisher for it")
		dead, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 10})
		require.NoError(t, err)
		assert.Empty(t, dead, "the grace starts again from the new failure")
		depths, err := outbox.Depths(ctx, cfg)
		require.NoError(t, err)
		assert.Equal(t, int64(1), depths[0].Visible)
	})
}

// heldBehindRecovered binds an outbox whose destination "stuck" has two
// held rows, then has its inner transport recover; it returns the
// transport, the outbox's Config and the rows' ids, in order.
func heldBehindRecovered(t *testing.T, d dialect) (*stuckTransport, outbox.Config, []string) {
	t.Helper()
	inner := newStuckTransport()
	inner.down.Store(true)
	cfg, ids := heldOutbox(t, d, d.open(t), inner, 2, "stuck", "stuck")
	inner.down.Store(false)
	return inner, cfg, ids
}

// waiting returns the rows cfg's outbox has yet to forward, held ones
// included (Depths).
func waiting(t testing.TB, cfg outbox.Config) int64 {
	t.Helper()
	depths, err := outbox.Depths(context.Background(), cfg)
	require.NoError(t, err)
	return depths[0].Visible
}
