package cqrs_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// The two versions of one service that run side by side in a rolling
// deploy: the newer one's saga state and view model have a field more, and
// it declares so with StateVersion.

type evolveBump struct{}

type evolveBumped struct{}

type evolveStateV1 struct {
	Count int `json:"count"`
}

type evolveStateV2 struct {
	Count int    `json:"count"`
	Tier  string `json:"tier"`
}

// evolveSaga wires one version of the "order" saga over the shared stores
// of cfg, on its own transport; its handler raises evolveBumped.
func evolveSaga[S any](t *testing.T, name string, cfg cqrs.ServiceConfig, apply func(*S), opts ...cqrs.StateOption) (*cqrstest.Harness, *cqrs.Aggregate, *cqrs.Saga[S]) {
	t.Helper()
	cfg.Name, cfg.Listen, cfg.Transport = name, []string{"orders"}, newTransport(t)
	h := cqrstest.New(t, cfg)
	h.Must(cqrs.RegisterCommand[evolveBump](h.Service, "evolve.Bump", "orders"))
	h.Must(cqrs.RegisterEvent[evolveBumped](h.Service, "evolve.Bumped", "events"))
	saga := cqrs.NewSaga[S](h.Service, "order", opts...)
	h.Must(cqrs.Handle(saga, func(_ context.Context, s *S, _ evolveBump, _ cqrs.Envelope) ([]any, error) {
		apply(s)
		return []any{evolveBumped{}}, nil
	}))
	h.Start()
	return h, cqrs.NewAggregate(h.Service, "o"), saga
}

// evolveView wires one version of the "summary" view over views, on its
// own transport.
func evolveView[V any](t *testing.T, name string, views cqrs.ViewStore, apply func(*V), opts ...cqrs.StateOption) *cqrstest.Harness {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: name, ViewStore: views, Listen: []string{"events"}, Transport: newTransport(t)})
	h.Must(cqrs.RegisterEvent[evolveBumped](h.Service, "evolve.Bumped", "events"))
	h.Must(cqrs.Project(cqrs.NewView[V](h.Service, "summary", opts...),
		func(_ context.Context, m *V, _ evolveBumped, _ cqrs.Envelope) error { apply(m); return nil }))
	h.Start()
	return h
}

// assertRefusedAsNewer asserts that the only dead letter of tr is a message
// its service refused, on each of its deliveries, because what was stored
// by a newer version, and that the deliveries waited for the refusal's hint.
func assertRefusedAsNewer(t *testing.T, tr *cqrs.ChannelTransport, what string, began time.Time) {
	t.Helper()
	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, cqrs.DefaultMaxDeliveries, dead[0].Deliveries, "a refusal is retryable: another instance may take it")
	assert.Contains(t, dead[0].Reason, what+": stored state is version 1, newer than this instance's StateVersion 0")
	assert.GreaterOrEqual(t, time.Since(began), (cqrs.DefaultMaxDeliveries-1)*cqrs.NewerStateRetry,
		"each redelivery waits for the refusal's hint")
}

// The newer version stores a field the older one does not know; the older
// version then handles a command of the entity. It must not save the state
// it decoded without the field: it refuses the command, retryably, and the
// newer version goes on from the state it stored.
func TestEvolve_AnOlderVersionRefusesToSaveOverANewerSagaState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		docs := cqrs.NewMemoryStore()
		_, newer, state := evolveSaga(t, "v2", cqrs.ServiceConfig{EntityStore: docs},
			func(s *evolveStateV2) { s.Count++; s.Tier = "gold" }, cqrs.StateVersion(1))
		oldH, older, _ := evolveSaga(t, "v1", cqrs.ServiceConfig{EntityStore: docs}, func(s *evolveStateV1) { s.Count++ })

		_, err := newer.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
		began := time.Now()
		_, err = older.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err, "the sender is not hurt")

		assertRefusedAsNewer(t, oldH.Transport, `saga order "e-1"`, began)
		got, _, err := state.Load(ctx, "e-1")
		require.NoError(t, err)
		assert.Equal(t, evolveStateV2{Count: 1, Tier: "gold"}, got, "the older version saved over the newer state")

		_, err = newer.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
		got, _, err = state.Load(ctx, "e-1")
		require.NoError(t, err)
		assert.Equal(t, evolveStateV2{Count: 2, Tier: "gold"}, got)
	})
}

// The same for a view model: an older version projecting an event of the
// model must not erase the field a newer version projected into it.
func TestEvolve_AnOlderVersionRefusesToProjectIntoANewerViewModel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		views := cqrs.NewMemoryStore()
		newer := evolveView(t, "v2", views, func(m *evolveStateV2) { m.Count++; m.Tier = "gold" }, cqrs.StateVersion(1))
		older := evolveView(t, "v1", views, func(m *evolveStateV1) { m.Count++ })

		_, err := newer.Service.EventQueue().Raise(ctx, "e-1", evolveBumped{})
		require.NoError(t, err)
		began := time.Now()
		_, err = older.Service.EventQueue().Raise(ctx, "e-1", evolveBumped{})
		require.NoError(t, err)

		assertRefusedAsNewer(t, older.Transport, `view summary "e-1"`, began)
		got, found, err := cqrs.NewView[evolveStateV2](newer.Service, "summary").Get(ctx, "e-1")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, evolveStateV2{Count: 1, Tier: "gold"}, got, "the older version's projection dropped the field only the newer version knows")
	})
}

// An older version still reads what a newer one stored: only applying a
// message to it is refused.
func TestEvolve_AnOlderVersionReadsANewerState(t *testing.T) {
	ctx := context.Background()
	docs, views := cqrs.NewMemoryStore(), cqrs.NewMemoryStore()
	_, newer, _ := evolveSaga(t, "v2", cqrs.ServiceConfig{EntityStore: docs},
		func(s *evolveStateV2) { s.Count = 7; s.Tier = "gold" }, cqrs.StateVersion(1))
	newerView := evolveView(t, "v2v", views, func(m *evolveStateV2) { m.Count = 7; m.Tier = "gold" }, cqrs.StateVersion(1))
	_, _, older := evolveSaga(t, "v1", cqrs.ServiceConfig{EntityStore: docs}, func(*evolveStateV1) {})
	olderView := evolveView(t, "v1v", views, func(*evolveStateV1) {})
	_, err := newer.Send(ctx, "e-1", evolveBump{})
	require.NoError(t, err)
	_, err = newerView.Service.EventQueue().Raise(ctx, "e-1", evolveBumped{})
	require.NoError(t, err)

	got, found, err := older.Load(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, evolveStateV1{Count: 7}, got)
	model, found, err := cqrs.NewView[evolveStateV1](olderView.Service, "summary").Get(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, evolveStateV1{Count: 7}, model)
}

// A newer version takes over what an older one stored, unstamped (version
// 0, as every document stored before StateVersion), and stamps its save;
// an instance of the same version applies to it as before.
func TestEvolve_TheStampRoundTrips(t *testing.T) {
	ctx := context.Background()
	docs := cqrs.NewMemoryStore()
	_, older, _ := evolveSaga(t, "v1", cqrs.ServiceConfig{EntityStore: docs}, func(s *evolveStateV1) { s.Count++ })
	_, newer, state := evolveSaga(t, "v2", cqrs.ServiceConfig{EntityStore: docs},
		func(s *evolveStateV2) { s.Count++; s.Tier = "gold" }, cqrs.StateVersion(1))

	_, err := older.Send(ctx, "e-1", evolveBump{})
	require.NoError(t, err)
	raw, err := docs.Load(ctx, "order", "e-1")
	require.NoError(t, err)
	assert.Equal(t, byte('{'), raw.Data[0], "version 0 stores the document as before: %q", raw.Data)
	for range 2 {
		_, err = newer.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
	}
	raw, err = docs.Load(ctx, "order", "e-1")
	require.NoError(t, err)
	assert.Contains(t, string(raw.Data), "\x00sf-state-version:1\n{", "stamped with the saver's version")
	got, _, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, evolveStateV2{Count: 3, Tier: "gold"}, got)
}

// A negative StateVersion is a registration mistake, refused with the
// saga's or view's name.
func TestEvolve_ANegativeStateVersionIsRefused(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "v", Listen: []string{"orders", "events"}})
	h.Must(cqrs.RegisterCommand[evolveBump](h.Service, "evolve.Bump", "orders"))
	h.Must(cqrs.RegisterEvent[evolveBumped](h.Service, "evolve.Bumped", "events"))
	err := cqrs.Handle(cqrs.NewSaga[evolveStateV1](h.Service, "order", cqrs.StateVersion(-1)),
		func(context.Context, *evolveStateV1, evolveBump, cqrs.Envelope) ([]any, error) { return nil, nil })
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.ErrorContains(t, err, `saga "order": StateVersion -1 is negative`)
	err = cqrs.Project(cqrs.NewView[evolveStateV1](h.Service, "summary", cqrs.StateVersion(-2)),
		func(context.Context, *evolveStateV1, evolveBumped, cqrs.Envelope) error { return nil })
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.ErrorContains(t, err, `view "summary": StateVersion -2 is negative`)
}

// A document that begins like a stamp but carries no version is corrupt: a
// permanent failure for its readers, never read as version 0.
func TestEvolve_AMalformedStampIsAPermanentFailure(t *testing.T) {
	ctx := context.Background()
	docs, views := cqrs.NewMemoryStore(), cqrs.NewMemoryStore()
	_, _, state := evolveSaga(t, "v1", cqrs.ServiceConfig{EntityStore: docs}, func(*evolveStateV1) {})
	v := evolveView(t, "v1v", views, func(*evolveStateV1) {})
	for _, bad := range []string{"\x00sf-state-version:x\n{}", "\x00sf-state-version:0\n{}", "\x00sf-state-version:1"} {
		require.NoError(t, docs.Save(ctx, "order", bad, []byte(bad), 0))
		require.NoError(t, views.Save(ctx, "summary", bad, []byte(bad), 0))
		_, _, err := state.Load(ctx, bad)
		assert.True(t, sourceflow.IsPermanent(err), "%q: %v", bad, err)
		assert.ErrorContains(t, err, "the state version header is malformed")
		_, _, err = cqrs.NewView[evolveStateV1](v.Service, "summary").Get(ctx, bad)
		assert.True(t, sourceflow.IsPermanent(err), "%q: %v", bad, err)
	}
}

// evolveStateRetyped is a newer state in which a field changed type: the
// older type cannot decode it at all.
type evolveStateRetyped struct {
	Count string `json:"count"`
}

// A newer state the older type cannot even decode is refused as newer,
// retryably, not dead-lettered at once as a state that does not decode:
// an instance of the newer version can apply the message.
func TestEvolve_ANewerStateOfAnotherShapeIsRefusedAsNewer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		docs, views := cqrs.NewMemoryStore(), cqrs.NewMemoryStore()
		_, newer, _ := evolveSaga(t, "v2", cqrs.ServiceConfig{EntityStore: docs},
			func(s *evolveStateRetyped) { s.Count = "one" }, cqrs.StateVersion(1))
		newerView := evolveView(t, "v2v", views, func(m *evolveStateRetyped) { m.Count = "one" }, cqrs.StateVersion(1))
		oldH, older, _ := evolveSaga(t, "v1", cqrs.ServiceConfig{EntityStore: docs}, func(s *evolveStateV1) { s.Count++ })
		olderView := evolveView(t, "v1v", views, func(m *evolveStateV1) { m.Count++ })
		_, err := newer.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
		_, err = newerView.Service.EventQueue().Raise(ctx, "e-1", evolveBumped{})
		require.NoError(t, err)

		began := time.Now()
		_, err = older.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
		assertRefusedAsNewer(t, oldH.Transport, `saga order "e-1"`, began)
		began = time.Now()
		_, err = olderView.Service.EventQueue().Raise(ctx, "e-1", evolveBumped{})
		require.NoError(t, err)
		assertRefusedAsNewer(t, olderView.Transport, `view summary "e-1"`, began)
	})
}
