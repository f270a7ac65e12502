package idempotency_test

import (
	"context"
	"errors"
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

	_, err := h(sfMessage("a", "payload-a"))
	require.NoError(t, err, "first delivery")
	_, err = h(sfMessage("a", "payload-a"))
	require.NoError(t, err, "a duplicate is acknowledged")

	_, err = h(sfMessage("a", "other payload"))
	require.ErrorIs(t, err, idempotency.ErrPayloadMismatch)
	assert.True(t, sourceflow.IsPermanent(err), "a mismatch is permanent")

	held, err := store.Claim(context.Background(), idempotency.Key{Consumer: "projection", MessageID: "b"}, "", time.Hour)
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
	assert.Equal(t, idempotency.Key{Consumer: "c", MessageID: "uuid-1"}, k)
	msg := sfMessage("sf-1", "")
	k, err = m.KeyOf(msg)
	require.NoError(t, err)
	assert.Equal(t, "sf-1", k.MessageID, "the SourceFlow id wins over the Watermill UUID")
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

// flakyStore fails the first failComplete Complete calls.
type flakyStore struct {
	*idempotency.MemoryStore
	mu           sync.Mutex
	failComplete int
}

func (s *flakyStore) Complete(ctx context.Context, k idempotency.Key, token string, ttl time.Duration) error {
	s.mu.Lock()
	fail := s.failComplete > 0
	if fail {
		s.failComplete--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("connection reset")
	}
	return s.MemoryStore.Complete(ctx, k, token, ttl)
}

func TestMiddlewareRetriesComplete(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantErr   bool
		wantState idempotency.ClaimStatus
	}{
		{"transient failure recorded on retry", 2, false, idempotency.Completed},
		{"persistent failure surfaces", 3, true, idempotency.InProgress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &flakyStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{}), failComplete: tc.failures}
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})
			rec := newRecorder()
			_, err := m.Middleware(rec.handle)(sfMessage("a", "p"))
			if tc.wantErr {
				require.ErrorContains(t, err, "connection reset")
				assert.Equal(t, uint64(1), m.Stats().StoreErrors)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, rec.count("a"))
			res, err := store.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "a"}, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tc.wantState, res.Status)
		})
	}
}
