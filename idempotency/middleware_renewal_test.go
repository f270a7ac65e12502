package idempotency_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// renewStore records the token of the last acquired claim and fails the
// first failExtend Extend calls.
type renewStore struct {
	*idempotency.MemoryStore
	mu         sync.Mutex
	token      string
	failExtend int
}

func (s *renewStore) Claim(ctx context.Context, k idempotency.Key, hash string, lease time.Duration) (idempotency.ClaimResult, error) {
	res, err := s.MemoryStore.Claim(ctx, k, hash, lease)
	if err == nil && res.Status == idempotency.Acquired {
		s.mu.Lock()
		s.token = res.Token
		s.mu.Unlock()
	}
	return res, err
}

func (s *renewStore) Extend(ctx context.Context, k idempotency.Key, token string, lease time.Duration) error {
	s.mu.Lock()
	fail := s.failExtend > 0
	if fail {
		s.failExtend--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("connection reset")
	}
	return s.MemoryStore.Extend(ctx, k, token, lease)
}

func (s *renewStore) heldToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

const renewLease = time.Minute

// waitRenewals waits for two more renewals than counted now: the second
// one started after the first returned, so after anything done before the
// call (such as advancing the store clock).
func waitRenewals(t *testing.T, m *idempotency.Middleware) {
	t.Helper()
	from := m.Stats().Renewals
	require.Eventually(t, func() bool { return m.Stats().Renewals >= from+2 }, 10*time.Second, time.Millisecond)
}

// TestMiddlewareRenewsLease runs a handler for three leases of the store's
// clock and claims its key from a competing delivery at every half lease.
// With renewal the competitor always finds the claim in progress and the
// handler completes; without it the competitor takes the key over and the
// completion fails with ErrLeaseLost.
func TestMiddlewareRenewsLease(t *testing.T) {
	tests := []struct {
		name          string
		renewInterval time.Duration
		giveUp        bool // the transport gives the message up (its context ends)
		wantCompeting idempotency.ClaimStatus
		wantErr       error
	}{
		{"renewed every interval", time.Millisecond, false, idempotency.InProgress, nil},
		{"renewal disabled", -1, false, idempotency.Acquired, idempotency.ErrLeaseLost},
		{"message given up", time.Millisecond, true, idempotency.Acquired, idempotency.ErrLeaseLost},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			store := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{
				Consumer: "c", Lease: renewLease, RenewInterval: tc.renewInterval,
			})
			k := idempotency.Key{Consumer: "c", MessageID: "0::a"}
			competing, err := competeWhileHandling(t, m, store, clock, k, tc.renewInterval > 0, tc.giveUp)
			assert.Contains(t, competing, tc.wantCompeting)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				if tc.renewInterval < 0 {
					assert.Zero(t, m.Stats().Renewals)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []idempotency.ClaimStatus{
				idempotency.InProgress, idempotency.InProgress, idempotency.InProgress,
				idempotency.InProgress, idempotency.InProgress, idempotency.InProgress,
			}, competing, "the claim held for three leases")
			res, err := store.Claim(context.Background(), k, "", renewLease)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Completed, res.Status)
			st := m.Stats()
			assert.GreaterOrEqual(t, st.Renewals, uint64(12))
			assert.Equal(t, uint64(1), st.Completed)
			assert.Zero(t, st.LeasesLost)
		})
	}
}

// TestMiddlewareRenewalReportsLostLease takes the claim away while the
// handler runs: the renewal logs and counts the lost lease, the handler runs
// to its end, its completion fails with ErrLeaseLost and the new holder's
// claim is intact.
func TestMiddlewareRenewalReportsLostLease(t *testing.T) {
	store := &renewStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	logger := watermill.NewCaptureLogger()
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Lease: renewLease, RenewInterval: time.Millisecond, Logger: logger,
	})
	k := idempotency.Key{Consumer: "c", MessageID: "0::a"}
	finished := false
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		require.NoError(t, store.Release(context.Background(), k, store.heldToken()))
		res, err := store.Claim(context.Background(), k, "", renewLease)
		require.NoError(t, err)
		require.Equal(t, idempotency.Acquired, res.Status, "another delivery takes the key")
		require.Eventually(t, func() bool { return m.Stats().LeasesLost == 1 }, 10*time.Second, time.Millisecond)
		finished = true
		return nil, nil
	})
	_, err := h(sfMessage("a", "p"))
	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	assert.True(t, finished, "the handler kept running")
	logged := logger.Captured()[watermill.ErrorLogLevel]
	require.Len(t, logged, 1, "the lost lease is logged once")
	assert.ErrorIs(t, logged[0].Err, idempotency.ErrLeaseLost)
	assert.Equal(t, "c/0::a", logged[0].Fields["key"])
	assert.Equal(t, uint64(1), m.Stats().LeasesLost)
	res, err := store.Claim(context.Background(), k, "", renewLease)
	require.NoError(t, err)
	assert.Equal(t, idempotency.InProgress, res.Status, "the new holder's claim is intact")
}

// TestMiddlewareRenewalSurvivesStoreErrors: failed renewals are counted and
// retried at the next interval; the claim is kept and completed.
func TestMiddlewareRenewalSurvivesStoreErrors(t *testing.T) {
	clock := newClock()
	store := &renewStore{
		MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock}),
		failExtend:  3,
	}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Lease: renewLease, RenewInterval: time.Millisecond})
	k := idempotency.Key{Consumer: "c", MessageID: "0::a"}
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		clock.Advance(renewLease / 2)
		waitRenewals(t, m)
		clock.Advance(renewLease / 2)
		res, err := store.Claim(context.Background(), k, "", renewLease)
		require.NoError(t, err)
		assert.Equal(t, idempotency.InProgress, res.Status)
		return nil, nil
	})
	_, err := h(sfMessage("a", "p"))
	require.NoError(t, err)
	st := m.Stats()
	assert.Equal(t, uint64(3), st.StoreErrors)
	assert.Equal(t, uint64(1), st.Completed)
	assert.Zero(t, st.LeasesLost)
}

func TestNewMiddlewareValidatesRenewInterval(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	tests := []struct {
		name    string
		cfg     idempotency.MiddlewareConfig
		wantErr bool
	}{
		{"default", idempotency.MiddlewareConfig{}, false},
		{"disabled", idempotency.MiddlewareConfig{RenewInterval: -1}, false},
		{"half the lease", idempotency.MiddlewareConfig{Lease: time.Second, RenewInterval: 500 * time.Millisecond}, false},
		{"half the default lease", idempotency.MiddlewareConfig{RenewInterval: 15 * time.Second}, false},
		{"over half the lease", idempotency.MiddlewareConfig{Lease: time.Second, RenewInterval: 501 * time.Millisecond}, true},
		{"just under the lease", idempotency.MiddlewareConfig{Lease: time.Second, RenewInterval: 999 * time.Millisecond}, true},
		{"equal to lease", idempotency.MiddlewareConfig{Lease: time.Second, RenewInterval: time.Second}, true},
		{"longer than default lease", idempotency.MiddlewareConfig{RenewInterval: time.Minute}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := idempotency.NewMiddleware(store, tc.cfg)
			if tc.wantErr {
				assert.ErrorContains(t, err, "RenewInterval")
				assert.ErrorContains(t, err, "must be at most half of Lease")
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

// Transactional mode never renews, so its RenewInterval is not checked
// against the Lease.
func TestMiddlewareConfigTransactionalIgnoresRenewInterval(t *testing.T) {
	cfg := idempotency.MiddlewareConfig{Transactional: true, Lease: 10 * time.Second, RenewInterval: 6 * time.Second}
	assert.NoError(t, cfg.Validate())
	cfg.Transactional = false
	assert.ErrorContains(t, cfg.Validate(), "must be at most half of Lease")
}

// competeWhileHandling runs a message through m whose handler, six times,
// moves the clock half a lease on and tries to claim k as a competitor
// would; it stops at the first competing claim that is acquired. giveUp ends
// the message's context first, as a transport that gives the message up.
func competeWhileHandling(t *testing.T, m *idempotency.Middleware, store *idempotency.MemoryStore, clock *clocktest.Manual,
	k idempotency.Key, renews, giveUp bool) ([]idempotency.ClaimStatus, error) {
	t.Helper()
	var competing []idempotency.ClaimStatus
	msgCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		if giveUp {
			cancel()
		}
		for range 6 {
			clock.Advance(renewLease / 2)
			if renews && !giveUp {
				waitRenewals(t, m)
			}
			res, err := store.Claim(context.Background(), k, "", renewLease)
			require.NoError(t, err)
			competing = append(competing, res.Status)
			if res.Status == idempotency.Acquired {
				break
			}
		}
		return nil, nil
	})
	msg := sfMessage("a", "p")
	msg.SetContext(msgCtx)
	_, err := h(msg)
	return competing, err
}

// Handlers ending just before, as or just after their renewal starts: the
// renewal starting and the handler returning race for the renewal's state,
// and every handling must still complete (go test -race checks the rest).
func TestMiddlewareRenewalStartingAsTheHandlerReturnsCompletes(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{
		Consumer: "c", Lease: time.Minute, RenewInterval: time.Millisecond,
	})
	const runs = 200
	for i := range runs {
		// Not a wait for a condition: the handler's length walks across
		// the renewal interval to meet the timer at every point.
		length := time.Duration(i%20) * 100 * time.Microsecond
		h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
			for start := time.Now(); time.Since(start) < length; {
				runtime.Gosched()
			}
			return nil, nil
		})
		done := make(chan error, 1)
		go func() {
			_, err := h(sfMessage(strconv.Itoa(i), "p"))
			done <- err
		}()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("handling %d never ended: the renewal was not halted", i)
		}
	}
	assert.Equal(t, uint64(runs), m.Stats().Completed)
}
