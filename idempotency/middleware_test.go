package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

func newMiddleware(t *testing.T, s idempotency.Store, cfg idempotency.MiddlewareConfig) *idempotency.Middleware {
	t.Helper()
	m, err := idempotency.NewMiddleware(s, cfg)
	require.NoError(t, err)
	return m
}

func sfMessage(id, payload string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte(payload))
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	return msg
}

// recorder is a handler that counts runs per message id and fails on demand.
type recorder struct {
	mu   sync.Mutex
	runs map[string]int
	fail map[string]int // id → remaining failures
}

func newRecorder() *recorder { return &recorder{runs: map[string]int{}, fail: map[string]int{}} }

func (r *recorder) handle(msg *message.Message) ([]*message.Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := idempotency.MessageID(msg)
	if r.fail[id] > 0 {
		r.fail[id]--
		return nil, errors.New("handler failed")
	}
	r.runs[id]++
	return nil, nil
}

func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[id]
}

func TestMiddlewareOutcomes(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "projection"})
	rec := newRecorder()
	h := m.Middleware(rec.handle)

	first := sfMessage("a", "payload-a")
	_, err := h(first)
	require.NoError(t, err, "first delivery")
	assert.Empty(t, first.Metadata.Get(sourceflow.MetaDuplicate))
	dup := sfMessage("a", "payload-a")
	_, err = h(dup)
	require.NoError(t, err, "a duplicate is acknowledged")
	assert.Equal(t, "true", dup.Metadata.Get(sourceflow.MetaDuplicate), "marked for the metrics phase")

	_, err = h(sfMessage("a", "other payload"))
	require.ErrorIs(t, err, idempotency.ErrPayloadMismatch)
	assert.True(t, sourceflow.IsPermanent(err), "a mismatch is permanent")

	held, err := store.Claim(context.Background(), idempotency.Key{Consumer: "projection", MessageID: "0::b"}, "", time.Hour)
	require.NoError(t, err)
	require.Equal(t, idempotency.Acquired, held.Status)
	_, err = h(sfMessage("b", "payload-b"))
	require.ErrorIs(t, err, idempotency.ErrInProgress, "held elsewhere: not acknowledged")
	assert.False(t, sourceflow.IsPermanent(err), "in progress is retried")

	noID := message.NewMessage("", []byte("x"))
	_, err = h(noID)
	require.ErrorIs(t, err, idempotency.ErrMissingMessageID)
	assert.True(t, sourceflow.IsPermanent(err))

	_, err = h(sfMessage("c", "payload-c"))
	require.NoError(t, err, "messages after bad ones are still processed")

	assert.Equal(t, 1, rec.count("a"))
	assert.Equal(t, 0, rec.count("b"))
	assert.Equal(t, 1, rec.count("c"))
	assert.Equal(t, idempotency.Stats{
		Claims: 2, Duplicates: 1, InProgress: 1, Completed: 2, PayloadMismatches: 1,
	}, m.Stats())
}

func TestMiddlewareReleasesOnFailure(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "projection"})
	rec := newRecorder()
	rec.fail["a"] = 1
	h := m.Middleware(rec.handle)

	_, err := h(sfMessage("a", "p"))
	require.ErrorContains(t, err, "handler failed")
	_, err = h(sfMessage("a", "p"))
	require.NoError(t, err, "the redelivery runs at once: the claim was released")
	_, err = h(sfMessage("a", "p"))
	require.NoError(t, err)

	assert.Equal(t, 1, rec.count("a"))
	st := m.Stats()
	assert.Equal(t, uint64(1), st.Released)
	assert.Equal(t, uint64(2), st.Claims)
	assert.Equal(t, uint64(1), st.Duplicates)
}

// A handler that panics releases its claim on the way out, so the
// redelivery runs at once instead of waiting out the lease.
func TestMiddlewareReleasesWhenTheHandlerPanics(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "projection", Lease: time.Hour})
	panicked := false
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		if !panicked {
			panicked = true
			panic("bug")
		}
		return nil, nil
	})

	require.PanicsWithValue(t, "bug", func() { _, _ = h(sfMessage("a", "p")) })
	_, err := h(sfMessage("a", "p"))

	require.NoError(t, err, "the claim was released")
	assert.Equal(t, uint64(1), m.Stats().Released)
	assert.Equal(t, uint64(1), m.Stats().Completed)
}

// A handler returning messages is warned about once: the router publishes
// them after completion, and a failed publish would lose them.
func TestMiddlewareWarnsOnceOfReturnedMessages(t *testing.T) {
	log := watermill.NewCaptureLogger()
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c", Logger: log})
	h := m.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		return []*message.Message{message.NewMessage("out-"+msg.UUID, nil)}, nil
	})

	for _, id := range []string{"a", "b"} {
		out, err := h(sfMessage(id, "p"))
		require.NoError(t, err)
		assert.Len(t, out, 1, "the messages still reach the router")
	}

	assert.True(t, log.HasError(idempotency.ErrOutputAfterCompletion))
	assert.Len(t, log.Captured()[watermill.ErrorLogLevel], 1, "once")
}

func TestMiddlewareMissingConsumer(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(sfMessage("a", "p"))
	require.ErrorIs(t, err, idempotency.ErrMissingConsumer)
	assert.False(t, sourceflow.IsPermanent(err), "a wiring error must not dead-letter messages")
	assert.Equal(t, 0, rec.count("a"))
}

func TestMiddlewareKeyFallsBackToUUID(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c"})
	k, err := m.KeyOf(message.NewMessage("uuid-1", nil))
	require.NoError(t, err)
	assert.Equal(t, idempotency.Key{Consumer: "c", MessageID: "0::uuid-1"}, k)
	msg := sfMessage("sf-1", "")
	k, err = m.KeyOf(msg)
	require.NoError(t, err)
	assert.Equal(t, "0::sf-1", k.MessageID, "the SourceFlow id wins over the Watermill UUID")
}

func TestDefaultHash(t *testing.T) {
	a, b := sfMessage("1", "x"), sfMessage("2", "y")
	assert.NotEqual(t, idempotency.DefaultHash(a), idempotency.DefaultHash(b))
	assert.Equal(t, idempotency.DefaultHash(a), idempotency.DefaultHash(sfMessage("3", "x")))
	b.Metadata.Set(sourceflow.MetaEncryption, "v1")
	assert.Empty(t, idempotency.DefaultHash(b), "encrypted payloads are not hashed")
}

func TestNewMiddlewareValidates(t *testing.T) {
	_, err := idempotency.NewMiddleware(nil, idempotency.MiddlewareConfig{Lease: -1, TTL: -1, ReleaseTimeout: -1})
	require.Error(t, err)
	for _, field := range []string{"store", "Lease", "TTL", "ReleaseTimeout"} {
		assert.ErrorContains(t, err, field)
	}
	_, err = idempotency.NewMiddleware(newMemoryStore(t, idempotency.MemoryStoreConfig{}),
		idempotency.MiddlewareConfig{Transactional: true})
	assert.ErrorContains(t, err, "Transactor")
}

// TestMiddlewareInRouter delivers every message three times through a real
// router and checks each handler (keyed by its router name) ran once.
func TestMiddlewareInRouter(t *testing.T) {
	logger := watermill.NopLogger{}
	pubsub := gochannel.NewGoChannel(gochannel.Config{}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{})
	router.AddMiddleware(m.Middleware)
	views := map[string]*recorder{"view-a": newRecorder(), "view-b": newRecorder()}
	for name, rec := range views {
		router.AddConsumerHandler(name, "events", pubsub, func(msg *message.Message) error {
			_, err := rec.handle(msg)
			return err
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = router.Run(ctx) }()
	<-router.Running()

	ids := []string{"e1", "e2", "e3"}
	for range 3 {
		for _, id := range ids {
			require.NoError(t, pubsub.Publish("events", sfMessage(id, "body-"+id)))
		}
	}
	require.Eventually(t, func() bool { return m.Stats().Duplicates == 12 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, router.Close())
	for name, rec := range views {
		for _, id := range ids {
			assert.Equal(t, 1, rec.count(id), "%s ran %s", name, id)
		}
	}
	assert.Equal(t, uint64(6), m.Stats().Claims)
}

func TestMiddlewareReleasesAfterContextCancelled(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})
	msg := sfMessage("a", "p")
	ctx, cancel := context.WithCancel(context.Background())
	msg.SetContext(ctx)
	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		cancel() // shutdown while the handler runs
		return nil, context.Canceled
	})(msg)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, uint64(1), m.Stats().Released)
	res, err := store.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "0::a"}, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status, "released despite the cancelled context")
}

// BenchmarkMiddlewareMemoryStore runs the same messages through the
// memory store's own claim+complete and through the middleware on that
// store, alternating rounds of 1,000 in one run, and reports each per
// message and overhead_ns/msg, what the middleware adds to the store (key,
// payload hash, lease renewal, counters). Messages are built outside the
// timed rounds.
func BenchmarkMiddlewareMemoryStore(b *testing.B) {
	newStore := func() *idempotency.MemoryStore {
		s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{MaxEntries: 1 << 20})
		require.NoError(b, err)
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	bare, wrapped := newStore(), newStore()
	m, err := idempotency.NewMiddleware(wrapped, idempotency.MiddlewareConfig{Consumer: "bench"})
	require.NoError(b, err)
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	payload := make([]byte, 512)
	ctx := context.Background()
	var storeT, mwT time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(1000, b.N-done)
		b.StopTimer()
		keys := make([]idempotency.Key, n)
		msgs := make([]*message.Message, n)
		for j := range n {
			id := strconv.Itoa(done + j)
			keys[j] = idempotency.Key{Consumer: "bench", MessageID: id}
			msgs[j] = message.NewMessage("", payload)
			msgs[j].Metadata.Set(sourceflow.MetaMessageID, id)
		}
		b.StartTimer()
		start := time.Now()
		for _, k := range keys {
			res, err := bare.Claim(ctx, k, "hash", time.Minute)
			if err != nil || res.Status != idempotency.Acquired {
				b.Fatalf("claim %v: %v %v", k, res.Status, err)
			}
			if err := bare.Complete(ctx, k, res.Token, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		mid := time.Now()
		for _, msg := range msgs {
			if _, err := h(msg); err != nil {
				b.Fatal(err)
			}
		}
		storeT, mwT = storeT+mid.Sub(start), mwT+time.Since(mid)
		done += n
	}
	b.ReportMetric(float64(storeT.Nanoseconds())/float64(b.N), "store_ns/msg")
	b.ReportMetric(float64(mwT.Nanoseconds())/float64(b.N), "middleware_ns/msg")
	b.ReportMetric(float64((mwT-storeT).Nanoseconds())/float64(b.N), "overhead_ns/msg")
}

// hungComplete is a store whose Complete does not answer until its
// context ends.
type hungComplete struct{ idempotency.Store }

func (hungComplete) Complete(ctx context.Context, _ idempotency.Key, _ string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

// A handler that finished after its message context was cancelled (a
// shutdown) has its completion recorded on a detached context; a store that
// does not answer then fails it after ReleaseTimeout instead of holding the
// handler for good.
func TestACompleteAfterTheContextEndedIsBoundedByReleaseTimeout(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, hungComplete{store}, idempotency.MiddlewareConfig{Consumer: "c", ReleaseTimeout: 20 * time.Millisecond})
	msg := sfMessage("a", "p")
	ctx, cancel := context.WithCancel(context.Background())
	msg.SetContext(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
			cancel() // shutdown while the handler runs; its work is done
			return nil, nil
		})(msg)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.DeadlineExceeded, "the completion failed for want of an answer")
	case <-time.After(30 * time.Second):
		t.Fatal("the middleware still waits for a store that does not answer")
	}
	assert.Equal(t, uint64(1), m.Stats().StoreErrors)
}

// takenOver is a store whose claims are taken over by another delivery
// before they are released.
type takenOver struct{ idempotency.Store }

func (takenOver) Release(_ context.Context, key idempotency.Key, _ string) error {
	return fmt.Errorf("%w: %s", idempotency.ErrLeaseLost, key)
}

// A handler that failed after its lease ran out and another delivery
// claimed the key has nothing to release: the failure is the handler's
// alone, not a store error.
func TestAReleaseAfterTheClaimWasTakenOverIsNoStoreError(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, takenOver{store}, idempotency.MiddlewareConfig{Consumer: "c"})
	failed := errors.New("handler failed")
	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, failed })(sfMessage("a", "p"))
	require.ErrorIs(t, err, failed)
	assert.NotErrorIs(t, err, idempotency.ErrLeaseLost, "the taken-over claim is not reported as the handling's error")
	assert.Zero(t, m.Stats().StoreErrors)
}
