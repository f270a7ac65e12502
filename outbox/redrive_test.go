package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Commands the inner transport refused for good are dead-lettered; once it
// takes them again, Redrive sends each back through the outbox once, even
// with two Redrive calls at a time, and they are handled.
func TestRedriveSendsDeadLettersAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		h, inner, cfg := refusedOutbox(t, d)
		ctx := context.Background()
		var err error

		const sent = 3
		ids := make([]string, sent)
		for i := range ids {
			require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
				env, err := h.orders.Send(ctx, fmt.Sprint("o-", i), PlaceOrder{OrderID: fmt.Sprint("o-", i)})
				ids[i] = env.MessageID
				return err
			}))
		}
		letters := waitDeadLetters(t, cfg, sent)
		assert.Contains(t, letters[0].Reason, "destination refused")

		inner.closed.Store(false)
		var wg sync.WaitGroup
		var moved atomic.Int64
		for range 2 {
			wg.Go(func() {
				n, err := outbox.Redrive(ctx, cfg)
				assert.NoError(t, err)
				moved.Add(int64(n))
			})
		}
		wg.Wait()

		assert.Equal(t, int64(sent), moved.Load(), "each dead letter moved once")
		require.Eventually(t, func() bool {
			for _, id := range ids {
				if h.handled.count(id) != 1 { // counted inside the idempotency middleware
					return false
				}
			}
			return true
		}, waitFor, 10*time.Millisecond, "the redriven commands are handled")
		letters, _, err = outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Empty(t, letters)
		n, err := outbox.Redrive(ctx, cfg)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

// An outbox never bound has no dead letters to redrive; a Config without a
// database is refused.
func TestRedriveOfAnOutboxNeverBoundMovesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		n, err := outbox.Redrive(context.Background(), outbox.Config{DB: db, Dialect: d.dialect, Topic: uniqueName("obx")})
		require.NoError(t, err)
		assert.Zero(t, n)
	})
	_, err := outbox.Redrive(context.Background(), outbox.Config{Dialect: sourceflow.Postgres})
	assert.ErrorContains(t, err, "Config.DB")
}

// A row whose metadata column could not be read is dead-lettered with a
// mark saying so. The mark is part of its reason, not of the row as it was
// written: redriven, the row is forwarded, not refused again.
func TestRedriveDropsTheMarkOfAnUnreadableRow(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		h, inner, cfg := refusedOutbox(t, d)
		ctx := context.Background()
		var err error
		deadLetters := func(n int) []cqrs.DeadLetter { return waitDeadLetters(t, cfg, n) }

		// The envelope of a real command, dead-lettered, then written again
		// in a row whose metadata is not an object of strings.
		var env cqrs.Envelope
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			env, err = h.orders.Send(ctx, "o-1", PlaceOrder{OrderID: "o-1"})
			return err
		}))
		payload := string(deadLetters(1)[0].Message.Payload)
		_, err = cfg.DB.Exec("DELETE FROM " + d.quote("watermill_"+cfg.Topic+"_dead_letters"))
		require.NoError(t, err)
		d.insertRow(t, cfg.DB, cfg.Topic, "bad-metadata", payload, `{"n":1}`)
		assert.Contains(t, deadLetters(1)[0].Reason, "metadata column")

		inner.closed.Store(false)
		n, err := outbox.Redrive(ctx, cfg)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Eventually(t, func() bool { return h.handled.count(env.MessageID) == 1 }, waitFor, 10*time.Millisecond,
			"the redriven row is forwarded")
		assert.Empty(t, deadLetters(0))
	})
}

// A dead letter whose metadata column cannot be read (a row written by
// hand) does not stop Redrive: the dead letters before and after it are
// moved and handled, and it stays, listed with why, for an operator to
// repair or delete; the error names it.
func TestRedriveLeavesAnUnreadableDeadLetterAndMovesTheOthers(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		h, inner, cfg := refusedOutbox(t, d)
		ctx := context.Background()
		send := func(id string) string {
			var env cqrs.Envelope
			require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
				var err error
				env, err = h.orders.Send(ctx, id, PlaceOrder{OrderID: id})
				return err
			}))
			return env.MessageID
		}
		first := send("o-1")
		waitDeadLetters(t, cfg, 1)
		d.insertRow(t, cfg.DB, cfg.Topic+"_dead_letters", "hand-written", `{}`, `{"n":1}`)
		second := send("o-2")
		waitDeadLetters(t, cfg, 3)

		inner.closed.Store(false)
		n, err := outbox.Redrive(ctx, cfg)
		require.Error(t, err)
		assert.ErrorContains(t, err, "hand-written")
		assert.ErrorContains(t, err, "metadata column")
		assert.Equal(t, 2, n, "the readable dead letters are moved")
		require.Eventually(t, func() bool { return h.handled.count(first) == 1 && h.handled.count(second) == 1 },
			waitFor, 10*time.Millisecond, "the dead letters before and after the unreadable one are handled")
		letters, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		require.Len(t, letters, 1, "the unreadable dead letter stays")
		assert.Equal(t, "hand-written", letters[0].Message.UUID)
		assert.Contains(t, letters[0].Reason, "metadata column is not a JSON object of strings")
	})
}

// waitDeadLetters waits until the outbox of cfg holds n dead letters and
// returns them.
func waitDeadLetters(t *testing.T, cfg outbox.Config, n int) []cqrs.DeadLetter {
	t.Helper()
	read := func() ([]cqrs.DeadLetter, error) {
		letters, _, err := outbox.DeadLetters(context.Background(), cfg, outbox.DeadLetterQuery{Max: 1000})
		return letters, err
	}
	if !assert.Eventually(t, func() bool {
		letters, err := read()
		return err == nil && len(letters) == n
	}, waitFor, 10*time.Millisecond, "%d dead letters", n) {
		letters, err := read()
		t.Fatalf("waiting for %d dead letters: have %d, error %v", n, len(letters), err)
	}
	letters, err := read()
	require.NoError(t, err)
	return letters
}

// refusedOutbox starts a harness on a new outbox whose inner transport
// refuses every publish for good until its closed flag is cleared.
func refusedOutbox(t *testing.T, d dialect) (*harness, *flakyTransport, outbox.Config) {
	t.Helper()
	db := d.open(t)
	topic := uniqueName("obx")
	d.dropOutbox(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	inner := &flakyTransport{ChannelTransport: channel}
	inner.closed.Store(true)
	return newHarness(t, d, db, topic, inner), inner, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}
}
