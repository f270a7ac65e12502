package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

type svBump struct{}

type svBumped struct{}

type svStateV1 struct {
	Count int `json:"count"`
}

type svStateV2 struct {
	Count int    `json:"count"`
	Tier  string `json:"tier"`
}

// svInstance is an instance of one version of a service over st: its
// "order" saga raises svBumped, which its "summary" view projects, both
// of type S and declared with opts. Its transport delivers a message once.
type svInstance[S any] struct {
	tr      *cqrs.ChannelTransport
	svc     *cqrs.Service
	agg     *cqrs.Aggregate
	saga    *cqrs.Saga[S]
	summary *cqrs.View[S]
}

func newSVInstance[S any](t *testing.T, st *sqlstore.Store, apply func(*S), opts ...cqrs.StateOption) *svInstance[S] {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 1})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tr.Close()) })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders", "order-events"},
		CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: st.Views()})
	require.NoError(t, err)
	in := &svInstance[S]{tr: tr, svc: svc, agg: cqrs.NewAggregate(svc, "order"),
		saga: cqrs.NewSaga[S](svc, "order", opts...), summary: cqrs.NewView[S](svc, "summary", opts...)}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[svBump](svc, "sv.Bump", "orders"),
		cqrs.RegisterEvent[svBumped](svc, "sv.Bumped", "order-events"),
		cqrs.Handle(in.saga, func(_ context.Context, s *S, _ svBump, _ cqrs.Envelope) ([]any, error) {
			apply(s)
			return []any{svBumped{}}, nil
		}),
		cqrs.Project(in.summary, func(_ context.Context, m *S, _ svBumped, _ cqrs.Envelope) error { apply(m); return nil }),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	return in
}

// storedDocs returns the stored saga state and view model of entity id.
func storedDocs(t *testing.T, st *sqlstore.Store, id string) (saga, view []byte) {
	t.Helper()
	s, err := st.Entities().Load(context.Background(), "order", id)
	require.NoError(t, err)
	v, err := st.Views().Load(context.Background(), "summary", id)
	require.NoError(t, err)
	return s.Data, v.Data
}

// In a rolling deploy over one database, the newer version's saga state
// and view model keep their stamp through the store; an instance of the
// older version refuses to apply a message to them or to replay over them,
// and saves nothing; the newer version goes on from what it stored.
func TestStateVersionGuardsTheStoredDocuments(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		st := d.open(t, sqlstore.Config{})
		newer := newSVInstance(t, st, func(s *svStateV2) { s.Count++; s.Tier = "gold" }, cqrs.StateVersion(1))
		older := newSVInstance(t, st, func(s *svStateV1) { s.Count++ })
		_, err := newer.agg.Send(ctx, "e-1", svBump{})
		require.NoError(t, err)
		sagaDoc, viewDoc := storedDocs(t, st, "e-1")
		for _, data := range [][]byte{sagaDoc, viewDoc} {
			assert.Contains(t, string(data), "\x00sf-state-version:1\n", "the stamp is stored")
		}

		_, err = older.agg.Send(ctx, "e-1", svBump{})
		require.NoError(t, err)
		dead := older.tr.DeadLetters()
		require.Len(t, dead, 1, "the command reached the older saga; its event never left")
		assert.Contains(t, dead[0].Reason, `saga order "e-1": stored state is version 1, newer than this instance's StateVersion 0`)
		_, err = older.svc.EventQueue().Raise(ctx, "e-1", svBumped{})
		require.NoError(t, err)
		dead = older.tr.DeadLetters()
		require.Len(t, dead, 2)
		assert.Contains(t, dead[1].Reason, `view summary "e-1": stored state is version 1, newer than this instance's StateVersion 0`)
		_, err = older.svc.Replay(ctx, "e-1")
		require.ErrorIs(t, err, cqrs.ErrNewerState)
		sagaAfter, viewAfter := storedDocs(t, st, "e-1")
		assert.Equal(t, sagaDoc, sagaAfter, "the older version saved over the newer saga state")
		assert.Equal(t, viewDoc, viewAfter, "the older version saved over the newer view model")

		_, err = newer.svc.Replay(ctx, "e-1") // the older version's command, stored, counts too
		require.NoError(t, err)
		state, _, err := newer.saga.Load(ctx, "e-1")
		require.NoError(t, err)
		assert.Equal(t, svStateV2{Count: 2, Tier: "gold"}, state)
		model, _, err := older.summary.Get(ctx, "e-1")
		require.NoError(t, err)
		assert.Equal(t, svStateV1{Count: 2}, model, "the older version reads the newer model")
	})
}
