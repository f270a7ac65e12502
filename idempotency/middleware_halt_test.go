package idempotency_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

func TestDefaultHashIsTheHexSHA256OfThePayload(t *testing.T) {
	// Recorded hashes are compared across versions: the format must not change.
	assert.Equal(t, "2bfd14f43d17fc7cea24e0917a8879b4b2f880b8baeec1b9d90fbaad655e71bd",
		idempotency.DefaultHash(sfMessage("a", `{"n":1}`)))
}

// slowExtendStore holds every Extend until release is closed and logs the
// order of Extend and Complete.
type slowExtendStore struct {
	idempotency.Store
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	log     []string
}

func (s *slowExtendStore) record(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, e)
}

func (s *slowExtendStore) events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *slowExtendStore) Extend(ctx context.Context, key idempotency.Key, token string, lease time.Duration) error {
	s.record("extend")
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	err := s.Store.Extend(ctx, key, token, lease)
	s.record("extended")
	return err
}

func (s *slowExtendStore) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	s.record("complete")
	return s.Store.Complete(ctx, key, token, ttl)
}

func TestMiddlewareCompletesOnlyAfterTheRenewalInFlightReturned(t *testing.T) {
	store := &slowExtendStore{Store: newMemoryStore(t, idempotency.MemoryStoreConfig{}),
		entered: make(chan struct{}, 1), release: make(chan struct{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Lease: time.Minute, RenewInterval: time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
			<-store.entered // a renewal is in flight as the handler returns
			return nil, nil
		})(sfMessage("a", "p"))
		done <- err
	}()
	assert.Never(t, func() bool { return len(done) > 0 }, 100*time.Millisecond, 5*time.Millisecond,
		"the middleware waits for the renewal in flight")
	close(store.release)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the middleware did not return")
	}
	events := store.events()
	require.Contains(t, events, "complete")
	last := events[len(events)-1]
	assert.Equal(t, "complete", last, "nothing after the completion: %v", events)
	assert.Less(t, slices.Index(events, "extended"), slices.Index(events, "complete"), "completion after the renewal returned: %v", events)
}
