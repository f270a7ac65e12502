package dynamostore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

var errViewSave = errors.New("view save refused")

// refusingViews refuses every save once armed.
type refusingViews struct {
	cqrs.ViewStore
	armed *atomic.Bool
}

func (v refusingViews) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if v.armed.Load() {
		return errViewSave
	}
	return v.ViewStore.Save(ctx, kind, id, data, version)
}

type (
	replayAdd   struct{ N int }
	replayAdded struct{ N int }
	replayTotal struct{ N int }
)

// A replay whose view model cannot be stored leaves the saga state as it
// was: the saga state and the view models of one Store are stored in one
// transaction (one TransactWriteItems), which the failure abandons. Once
// the view store takes saves again, the replay stores both.
func TestAReplayThatFailsToStoreAViewLeavesTheSagaAsItWas(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	armed := &atomic.Bool{}
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: tr, Listen: []string{"orders", "events"},
		CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: refusingViews{st.Views(), armed},
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, svc.Close()); assert.NoError(t, tr.Close()) })
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[replayAdd](svc, "orders.Add", "orders"),
		cqrs.RegisterEvent[replayAdded](svc, "orders.Added", "events"),
		cqrs.Handle(cqrs.NewSaga[replayTotal](svc, "order"), func(_ context.Context, s *replayTotal, c replayAdd, _ cqrs.Envelope) ([]any, error) {
			s.N += c.N
			return []any{replayAdded(c)}, nil
		}),
		cqrs.Project(cqrs.NewView[replayTotal](svc, "total"), func(_ context.Context, s *replayTotal, e replayAdded, _ cqrs.Envelope) error {
			s.N += e.N
			return nil
		}),
	))
	require.NoError(t, svc.Start(ctx))
	for range 2 {
		_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "e-1", replayAdd{N: 5})
		require.NoError(t, err)
	}
	sagaBefore, err := st.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	viewBefore, err := st.Views().Load(ctx, "total", "e-1")
	require.NoError(t, err)

	armed.Store(true)
	_, err = svc.Replay(ctx, "e-1")

	require.ErrorIs(t, err, errViewSave)
	sagaAfter, err := st.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	viewAfter, err := st.Views().Load(ctx, "total", "e-1")
	require.NoError(t, err)
	assert.Equal(t, sagaBefore, sagaAfter, "the saga state was not stored")
	assert.Equal(t, viewBefore, viewAfter)

	armed.Store(false)
	_, err = svc.Replay(ctx, "e-1")

	require.NoError(t, err)
	sagaAfter, err = st.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	viewAfter, err = st.Views().Load(ctx, "total", "e-1")
	require.NoError(t, err)
	assert.Equal(t, sagaBefore.Version+1, sagaAfter.Version, "the saga state was stored")
	assert.Equal(t, viewBefore.Version+1, viewAfter.Version, "the view model was stored")
	assert.JSONEq(t, string(viewBefore.Data), string(viewAfter.Data))
}
