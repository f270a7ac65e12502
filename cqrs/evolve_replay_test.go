package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// evolveStores are the stores every version of the service shares.
type evolveStores struct {
	cmds        *cqrs.MemoryCommandStore
	docs, views *cqrs.MemoryStore
}

func newEvolveStores() evolveStores {
	return evolveStores{cmds: cqrs.NewMemoryCommandStore(), docs: cqrs.NewMemoryStore(), views: cqrs.NewMemoryStore()}
}

// evolveReplayable wires one version of a service whose "order" saga
// raises evolveBumped, which its "summary" view projects, both of type S
// and declared with opts.
func evolveReplayable[S any](t *testing.T, name string, st evolveStores, apply func(*S), opts ...cqrs.StateOption) *cqrs.Aggregate {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: name, CommandStore: st.cmds, EntityStore: st.docs, ViewStore: st.views,
		Listen: []string{"orders", "events"}, Transport: newTransport(t)})
	h.Must(cqrs.RegisterCommand[evolveBump](h.Service, "evolve.Bump", "orders"))
	h.Must(cqrs.RegisterEvent[evolveBumped](h.Service, "evolve.Bumped", "events"))
	h.Must(cqrs.Handle(cqrs.NewSaga[S](h.Service, "order", opts...),
		func(_ context.Context, s *S, _ evolveBump, _ cqrs.Envelope) ([]any, error) {
			apply(s)
			return []any{evolveBumped{}}, nil
		}))
	h.Must(cqrs.Project(cqrs.NewView[S](h.Service, "summary", opts...),
		func(_ context.Context, m *S, _ evolveBumped, _ cqrs.Envelope) error { apply(m); return nil }))
	h.Start()
	return cqrs.NewAggregate(h.Service, "o")
}

// storedBytes returns the stored saga state and view model of entity id.
func (st evolveStores) storedBytes(t *testing.T, id string) (saga, view []byte) {
	t.Helper()
	s, err := st.docs.Load(context.Background(), "order", id)
	require.NoError(t, err)
	v, err := st.views.Load(context.Background(), "summary", id)
	require.NoError(t, err)
	return s.Data, v.Data
}

// A replay by an older version would rebuild the entity's saga state and
// view model without the fields only the newer version knows: it refuses,
// and both stay as stored. A replay by the newer version rebuilds them,
// stamped with its version.
func TestEvolve_ReplayRefusesToReplaceANewerState(t *testing.T) {
	ctx := context.Background()
	st := newEvolveStores()
	newer := evolveReplayable(t, "v2", st, func(s *evolveStateV2) { s.Count++; s.Tier = "gold" }, cqrs.StateVersion(1))
	older := evolveReplayable(t, "v1", st, func(s *evolveStateV1) { s.Count++ })
	for range 2 {
		_, err := newer.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
	}
	sagaBefore, viewBefore := st.storedBytes(t, "e-1")

	_, err := older.Replay(ctx, "e-1")
	require.ErrorIs(t, err, cqrs.ErrNewerState)
	assert.ErrorContains(t, err, `store replayed order "e-1": stored state is version 1, newer than this instance's StateVersion 0`)
	sagaAfter, viewAfter := st.storedBytes(t, "e-1")
	assert.Equal(t, sagaBefore, sagaAfter, "the older replay replaced the newer saga state")
	assert.Equal(t, viewBefore, viewAfter, "the older replay replaced the newer view model")

	report, err := newer.Replay(ctx, "e-1")
	require.NoError(t, err)
	assert.Nil(t, report.ViewsKept)
	sagaAfter, viewAfter = st.storedBytes(t, "e-1")
	for _, data := range [][]byte{sagaAfter, viewAfter} {
		assert.Contains(t, string(data), "\x00sf-state-version:1\n")
	}
	assert.Contains(t, string(viewAfter), `{"count":2,"tier":"gold"}`)
}

// A replay by the newer version replaces what an older one stored, and a
// replay of the same version replaces a document whose stamp is
// malformed, as it replaces any corrupt document.
func TestEvolve_ReplayReplacesAnOlderOrCorruptState(t *testing.T) {
	ctx := context.Background()
	st := newEvolveStores()
	older := evolveReplayable(t, "v1", st, func(s *evolveStateV1) { s.Count++ })
	newer := evolveReplayable(t, "v2", st, func(s *evolveStateV2) { s.Count++; s.Tier = "gold" }, cqrs.StateVersion(1))
	_, err := older.Send(ctx, "e-1", evolveBump{})
	require.NoError(t, err)
	_, err = newer.Replay(ctx, "e-1")
	require.NoError(t, err)
	_, view := st.storedBytes(t, "e-1")
	assert.Equal(t, "\x00sf-state-version:1\n"+`{"count":1,"tier":"gold"}`, string(view))

	stored, err := st.views.Load(ctx, "summary", "e-1")
	require.NoError(t, err)
	require.NoError(t, st.views.Save(ctx, "summary", "e-1", []byte("\x00sf-state-version:"), stored.Version))
	_, err = newer.Replay(ctx, "e-1")
	require.NoError(t, err)
	_, view = st.storedBytes(t, "e-1")
	assert.Equal(t, "\x00sf-state-version:1\n"+`{"count":1,"tier":"gold"}`, string(view))
}
