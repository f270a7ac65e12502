package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// stuckTransport records, per destination, the ids of the messages
// published to it, in order, and fails every publish to a destination but
// "ok" transiently while down is set (its queue's key disabled).
type stuckTransport struct {
	down      atomic.Bool
	forgot    atomic.Bool
	attempts  atomic.Int64           // the failed publishes
	onPublish atomic.Pointer[func()] // called after each publish that went out

	mu  sync.Mutex
	got map[string][]string
}

func newStuckTransport() *stuckTransport { return &stuckTransport{got: map[string][]string{}} }

func (s *stuckTransport) Bind(context.Context, sourceflow.Binding) error { return nil }

// Publisher refuses the destination "gone" once forgot is set, as an
// instance without its route.
func (s *stuckTransport) Publisher(destination string) (message.Publisher, error) {
	if destination == "gone" && s.forgot.Load() {
		return nil, errors.New("no route to gone")
	}
	return s, nil
}

func (s *stuckTransport) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("stuckTransport: no subscribers")
}
func (s *stuckTransport) Close() error { return nil }

func (s *stuckTransport) Publish(destination string, msgs ...*message.Message) error {
	if destination != "ok" && s.down.Load() {
		s.attempts.Add(1)
		return errors.New("the queue's KMS key is disabled")
	}
	s.mu.Lock()
	for _, m := range msgs {
		s.got[destination] = append(s.got[destination], m.UUID)
	}
	s.mu.Unlock()
	if fn := s.onPublish.Load(); fn != nil {
		(*fn)()
	}
	return nil
}

// published returns every id published to destination, repeats included.
func (s *stuckTransport) published(destination string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got[destination])
}

// received returns the ids published to destination, each once, in the
// order of their first publish: delivery is at least once.
func (s *stuckTransport) received(destination string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.got[destination] {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// A row whose destination fails transiently holds only the later rows for
// that destination: the rows for other destinations behind it are relayed
// at once, while its own wait behind it, in order, and are relayed in
// order once it works. The held rows count as waiting in Depths and
// survive the instance: another instance relays them.
func TestAStuckDestinationHoldsOnlyItsOwnRows(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obh")
		d.dropOutbox(t, db, topic)
		ctx := context.Background()
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: inner, Topic: topic}
		box, err := outbox.New(cfg)
		require.NoError(t, err)
		require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "obh"}))
		t.Cleanup(func() { _ = box.Close() })
		send := func(destinations ...string) []string {
			return sendEach(t, db, publishers(t, box, destinations), destinations)
		}

		first := send("stuck")
		require.Eventually(t, func() bool { return inner.attempts.Load() >= 1 }, waitFor, 10*time.Millisecond,
			"the forwarder tries the stuck row")
		rest := send("ok", "stuck", "ok", "stuck")
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, []string{rest[0], rest[2]}, inner.received("ok"))
		}, waitFor, 10*time.Millisecond, "the other destination's rows are relayed behind the stuck one")
		tried := inner.attempts.Load()
		require.Eventually(t, func() bool { return inner.attempts.Load() > tried }, waitFor, 10*time.Millisecond,
			"the stuck row is tried again")
		assert.Empty(t, inner.received("stuck"), "the stuck destination's later rows wait behind it")
		depths, err := outbox.Depths(ctx, cfg)
		require.NoError(t, err)
		assert.Equal(t, int64(3), depths[0].Visible, "the held rows are waiting")

		require.NoError(t, box.Close())
		inner.down.Store(false)
		other, err := outbox.New(cfg) // another instance
		require.NoError(t, err)
		require.NoError(t, other.Bind(ctx, sourceflow.Binding{Service: "obh"}))
		t.Cleanup(func() { _ = other.Close() })
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, []string{first[0], rest[1], rest[3]}, inner.received("stuck"))
		}, waitFor, 10*time.Millisecond, "the held rows are relayed in order once the destination works")
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			depths, err := outbox.Depths(ctx, cfg)
			if assert.NoError(c, err) {
				assert.Zero(c, depths[0].Visible)
			}
		}, waitFor, 10*time.Millisecond, "nothing waits any more")
	})
}

// publishers returns box's publisher of each destination.
func publishers(t testing.TB, box *outbox.Transport, destinations []string) []message.Publisher {
	t.Helper()
	pubs := make([]message.Publisher, len(destinations))
	for i, dest := range destinations {
		var err error
		pubs[i], err = box.Publisher(dest)
		require.NoError(t, err)
	}
	return pubs
}

// sendEach writes one message per destination through its publisher in
// pubs, in order, into the outbox in one transaction, and returns their
// ids.
func sendEach(t testing.TB, db *sql.DB, pubs []message.Publisher, destinations []string) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	ids := make([]string, len(destinations))
	for i, dest := range destinations {
		m := message.NewMessage(watermill.NewUUID(), []byte(`{"n":1}`))
		m.SetContext(sqldb.ContextWithTx(ctx, db, tx))
		require.NoError(t, pubs[i].Publish(dest, m))
		ids[i] = m.UUID
	}
	require.NoError(t, tx.Commit())
	return ids
}
