package outbox_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// hiccupInner is an inner transport that records the message ids it was
// given and refuses, transiently, every failEvery-th publish.
type hiccupInner struct {
	failEvery int64
	calls     atomic.Int64
	got       *receipts
}

// receipts records, across inner transports, the order in which message
// ids were first received.
type receipts struct {
	mu    sync.Mutex
	first map[string]int
}

func (r *receipts) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.first[id]; !ok {
		r.first[id] = len(r.first)
	}
}

// missing returns the ids of order not received.
func (r *receipts) missing(order [][]string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ids := range order {
		for _, id := range ids {
			if _, ok := r.first[id]; !ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// at returns when id was first received, and whether it was.
func (r *receipts) at(id string) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.first[id]
	return n, ok
}

func (*hiccupInner) Bind(context.Context, sourceflow.Binding) error { return nil }

func (f *hiccupInner) Publisher(string) (message.Publisher, error) { return hiccupPublisher{f}, nil }

func (*hiccupInner) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("hiccupInner: nothing to subscribe to")
}

func (*hiccupInner) Close() error { return nil }

type hiccupPublisher struct{ f *hiccupInner }

func (p hiccupPublisher) Publish(_ string, msgs ...*message.Message) error {
	if p.f.calls.Add(1)%p.f.failEvery == 0 {
		return errors.New("queue service hiccup")
	}
	for _, m := range msgs {
		p.f.got.add(m.UUID)
	}
	return nil
}

func (hiccupPublisher) Close() error { return nil }

// Two instances forward one outbox while writers commit into it
// concurrently and the inner transports fail now and then: every committed
// message is forwarded (at least once), by one instance or the other, and
// each writer's messages, committed one transaction after another, are
// first received in the order they were committed, whichever instance
// forwarded them. (On MySQL, without the outbox's write lock, rows that
// commit after a later row was forwarded are skipped here.)
func TestTwoForwardersWithFailuresSkipNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obtwo")
		d.dropOutbox(t, db, topic)
		got := &receipts{first: map[string]int{}}
		var first *outbox.Transport
		for i := range 2 {
			// Polling often, a forwarder that caught up reads the outbox
			// while writers' transactions are still open.
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: topic,
				PollInterval: 5 * time.Millisecond, Transport: &hiccupInner{failEvery: int64(40 + 7*i), got: got}})
			require.NoError(t, err)
			outbox.SetPruneInterval(box, time.Millisecond)
			require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{}))
			t.Cleanup(func() { assert.NoError(t, box.Close()) })
			first = cmp.Or(first, box)
		}
		pub, err := first.Publisher("dest")
		require.NoError(t, err)
		order := writeConcurrently(t, d, db, pub, 4, 60)
		missing := func() []string { return got.missing(order) }
		assert.Eventually(t, func() bool { return len(missing()) == 0 }, waitFor, 20*time.Millisecond)
		require.Empty(t, missing(), "every committed message is forwarded")
		for w, ids := range order {
			for i := 1; i < len(ids); i++ {
				before, _ := got.at(ids[i-1])
				after, _ := got.at(ids[i])
				assert.Less(t, before, after, "writer %d: %s was committed before %s", w, ids[i-1], ids[i])
			}
		}
	})
}

// writeConcurrently runs writers goroutines, each writing perWriter
// messages through pub, one transaction per message, and returns the ids
// each writer committed, in commit order.
func writeConcurrently(t *testing.T, d dialect, db *sql.DB, pub message.Publisher, writers, perWriter int) [][]string {
	t.Helper()
	order := make([][]string, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("m-%d-%d", w, i)
				err := sqldb.WithinTx(context.Background(), "sqlstore", db, "", d.dialect, func(ctx context.Context) error {
					m := message.NewMessage(id, []byte("{}"))
					m.SetContext(ctx)
					if err := pub.Publish("dest", m); err != nil {
						return err
					}
					// The rest of the transaction's work: transactions
					// commit in another order than they wrote their rows.
					time.Sleep(time.Duration(i%4) * 2 * time.Millisecond)
					return nil
				})
				if !assert.NoError(t, err, id) {
					return
				}
				order[w] = append(order[w], id)
			}
		})
	}
	wg.Wait()
	return order
}
