//go:build integration

package integration

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// idemTable returns a table name unique to this run.
func idemTable() string { return "idem_it_" + strings.ToLower(rand.Text()[:12]) }

// idemInstance is one "process": its own connection pool to the shared
// PostgreSQL table and its own middleware.
type idemInstance struct {
	store *sqlstore.Store
	mw    *idempotency.Middleware
}

func newIdemInstance(t *testing.T, table string, cfg idempotency.MiddlewareConfig) *idemInstance {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect: sourceflow.Postgres, DSN: postgresDSN(t), Table: table,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	mw, err := idempotency.NewMiddleware(store, cfg)
	require.NoError(t, err)
	return &idemInstance{store: store, mw: mw}
}

func dropIdemTable(t *testing.T, table string) {
	t.Cleanup(func() {
		s, err := sqlstore.Open(context.Background(), sqlstore.Config{
			Dialect: sourceflow.Postgres, DSN: postgresDSN(t), Table: table, SkipMigrations: true,
		})
		require.NoError(t, err)
		for _, tbl := range []string{table, table + "_version"} {
			_, err = s.DB().Exec("DROP TABLE IF EXISTS " + tbl)
			assert.NoError(t, err)
		}
		assert.NoError(t, s.Close())
	})
}

// idemRedeliveryDelay stands in for the transport's redelivery delay: a failed
// (nacked) delivery comes back after a pause rather than in a hot loop.
func idemRedeliveryDelay(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
		}
		return out, err
	}
}

func idemMessage(id string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte("payload of "+id))
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	return msg
}

// idemStartRouter runs a router with one consumer handler named "projection" on
// topic, behind the instance's idempotency middleware.
func idemStartRouter(t *testing.T, sub message.Subscriber, topic string, inst *idemInstance, h message.NoPublishHandlerFunc) *message.Router {
	t.Helper()
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: time.Second}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddMiddleware(idemRedeliveryDelay, inst.mw.Middleware)
	router.AddConsumerHandler("projection", topic, sub, h)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() { _ = router.Close() })
	return router
}

// idemIndexedEffects returns per-message counters for order-0 … order-(n-1)
// and the handler that increments them.
func idemIndexedEffects(n int) ([]atomic.Int32, message.NoPublishHandlerFunc) {
	effects := make([]atomic.Int32, n)
	return effects, func(msg *message.Message) error {
		var i int
		if _, err := fmt.Sscanf(msg.Metadata.Get(sourceflow.MetaMessageID), "order-%d", &i); err != nil {
			return sourceflow.Permanent(err)
		}
		effects[i].Add(1)
		return nil
	}
}

// idemPublishTwice publishes order-0 … order-(n-1) twice each from several
// publishers. Each id is queued twice in a row and neighbouring items go to
// different publishers, so both copies are in flight together.
func idemPublishTwice(t *testing.T, pub message.Publisher, n, publishers int) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range publishers {
		wg.Go(func() {
			for i := range work {
				assert.NoError(t, pub.Publish("orders", idemMessage(fmt.Sprintf("order-%d", i))))
			}
		})
	}
	for i := range n {
		work <- i
		work <- i
	}
	close(work)
	wg.Wait()
}

// TestIdempotency_TwoInstancesEveryMessageTwice: two routers ("instances")
// consume one destination; each message is published twice and each router
// sees every copy, so every message arrives four times, the copies of one
// message concurrently. Each side effect happens exactly once.
func TestIdempotency_TwoInstancesEveryMessageTwice(t *testing.T) {
	const n, publishers = 10_000, 8
	table := idemTable()
	dropIdemTable(t, table)
	a := newIdemInstance(t, table, idempotency.MiddlewareConfig{})
	b := newIdemInstance(t, table, idempotency.MiddlewareConfig{})
	// Publish returns once both subscribers acknowledged, so in-flight
	// deliveries are bounded by the number of publishers.
	pubsub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = pubsub.Close() })

	effects, effect := idemIndexedEffects(n)
	idemStartRouter(t, pubsub, "orders", a, effect)
	idemStartRouter(t, pubsub, "orders", b, effect)

	idemPublishTwice(t, pubsub, n, publishers)
	acked := func() uint64 {
		sa, sb := a.mw.Stats(), b.mw.Stats()
		return sa.Completed + sa.Duplicates + sb.Completed + sb.Duplicates
	}
	require.Eventually(t, func() bool { return acked() == 4*n }, 5*time.Minute, 100*time.Millisecond,
		"acknowledged %d of %d deliveries", acked(), 4*n)

	sa, sb := a.mw.Stats(), b.mw.Stats()
	t.Logf("instance a: %+v; instance b: %+v", sa, sb)
	for i := range n {
		require.Equal(t, int32(1), effects[i].Load(), "side effects of order-%d", i)
	}
	assert.Equal(t, uint64(n), sa.Completed+sb.Completed)
	assert.Equal(t, uint64(3*n), sa.Duplicates+sb.Duplicates)
	assert.Positive(t, sa.Completed, "instance a did work")
	assert.Positive(t, sb.Completed, "instance b did work")
	assert.Zero(t, sa.StoreErrors+sb.StoreErrors)
	var rows int
	require.NoError(t, a.store.DB().QueryRow(
		"SELECT COUNT(*) FROM "+table+" WHERE consumer = 'projection' AND status = 1").Scan(&rows))
	assert.Equal(t, n, rows)
}

// idemCrashingHandler blocks on the message with id crashID as a process that
// died mid-handler would: it never returns while the test runs, performs no
// side effect, and neither completes nor releases its claim. Unblocking it at
// the end lets its goroutine exit with an error (a dead process does nothing).
type idemCrashingHandler struct {
	crashID string
	claimed chan struct{}
	unblock chan struct{}
	once    sync.Once
}

func newIdemCrashingHandler(t *testing.T, id string) *idemCrashingHandler {
	c := &idemCrashingHandler{crashID: id, claimed: make(chan struct{}), unblock: make(chan struct{})}
	t.Cleanup(func() { close(c.unblock) })
	return c
}

func (c *idemCrashingHandler) handle(msg *message.Message) error {
	if msg.Metadata.Get(sourceflow.MetaMessageID) == c.crashID {
		c.once.Do(func() { close(c.claimed) })
		<-c.unblock
		return fmt.Errorf("process died")
	}
	return nil
}

// TestIdempotency_CrashedConsumerLeaseExpires: instance a claims a message and
// dies inside the handler; the redelivery reaches instance b, is refused
// while the lease lives, and is processed exactly once after it expires.
func TestIdempotency_CrashedConsumerLeaseExpires(t *testing.T) {
	const lease = 3 * time.Second
	table := idemTable()
	dropIdemTable(t, table)
	cfg := idempotency.MiddlewareConfig{Lease: lease}
	a := newIdemInstance(t, table, cfg)
	b := newIdemInstance(t, table, cfg)
	// One in-process channel per instance: closing the dead instance's
	// router closes its subscriber, and the redelivery reaches b.
	chanA := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	chanB := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	t.Cleanup(func() { _ = chanA.Close(); _ = chanB.Close() })

	crash := newIdemCrashingHandler(t, "crash-me")
	routerA := idemStartRouter(t, chanA, "to-a", a, crash.handle)
	effects := &idemEffects{m: map[string]int{}}
	idemStartRouter(t, chanB, "to-b", b, effects.record)

	require.NoError(t, chanA.Publish("to-a", idemMessage("crash-me")))
	<-crash.claimed
	require.ErrorContains(t, routerA.Close(), "close timeout",
		"the dead instance stops consuming; its handler never returns")
	assert.Equal(t, uint64(1), a.mw.Stats().Claims)

	// The transport redelivers the unacknowledged message to instance b,
	// alongside other traffic.
	require.NoError(t, chanB.Publish("to-b", idemMessage("crash-me"), idemMessage("other-1"), idemMessage("other-2")))
	require.Eventually(t, func() bool { return b.mw.Stats().Completed == 3 }, 30*time.Second, 20*time.Millisecond,
		"the crashed message was never processed")
	require.NoError(t, chanB.Publish("to-b", idemMessage("crash-me")), "a late duplicate")
	require.Eventually(t, func() bool { return b.mw.Stats().Duplicates == 1 }, 10*time.Second, 10*time.Millisecond)

	assert.Equal(t, map[string]int{"crash-me": 1, "other-1": 1, "other-2": 1}, effects.snapshot())
	sb := b.mw.Stats()
	assert.Positive(t, sb.InProgress, "the live lease refused the first redeliveries")
	assert.Equal(t, uint64(3), sb.Completed)
	res, err := b.store.Claim(context.Background(), idempotency.Key{Consumer: "projection", MessageID: "0::crash-me"}, "", lease)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Completed, res.Status)
}

// idemEffects counts side effects per message id.
type idemEffects struct {
	mu sync.Mutex
	m  map[string]int
}

func (e *idemEffects) record(msg *message.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m[msg.Metadata.Get(sourceflow.MetaMessageID)]++
	return nil
}

func (e *idemEffects) len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.m)
}

func (e *idemEffects) snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.m)
}
