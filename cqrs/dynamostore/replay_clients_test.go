package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// newReplayService returns a started service whose "order" saga adds each
// replayAdd to its total and raises replayAdded, which the "total" view
// sums, on the given stores; extra registers more before Start.
func newReplayService(t *testing.T, commands cqrs.CommandStore, entities cqrs.EntityStore, views cqrs.ViewStore, extra ...func(*cqrs.Service)) *cqrs.Service {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: tr, Listen: []string{"orders", "events"},
		CommandStore: commands, EntityStore: entities, ViewStore: views,
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
	for _, register := range extra {
		register(svc)
	}
	require.NoError(t, svc.Start(context.Background()))
	return svc
}

// A service may take its saga states and its view models from Stores on
// two DynamoDB clients: their saves cannot share a transaction, and a
// replay stores each apart (the view models in a transaction of their own)
// rather than failing because the view store was asked to join a
// transaction of the other client.
func TestAReplayStoresSagaAndViewOfStoresOnTwoClients(t *testing.T) {
	sagas, views := newStore(t), newStore(t)
	ctx := context.Background()
	svc := newReplayService(t, sagas.Commands(), sagas.Entities(), views.Views())
	for range 2 {
		_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "e-1", replayAdd{N: 5})
		require.NoError(t, err)
	}
	sagaBefore, err := sagas.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	viewBefore, err := views.Views().Load(ctx, "total", "e-1")
	require.NoError(t, err)

	_, err = svc.Replay(ctx, "e-1")

	require.NoError(t, err)
	sagaAfter, err := sagas.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	viewAfter, err := views.Views().Load(ctx, "total", "e-1")
	require.NoError(t, err)
	assert.Equal(t, sagaBefore.Version+1, sagaAfter.Version, "the saga state was stored")
	assert.Equal(t, viewBefore.Version+1, viewAfter.Version, "the view model was stored")
	assert.JSONEq(t, `{"N":10}`, string(viewAfter.Data))
}

// A replay stores its documents in one TransactWriteItems: one that would
// store more than the 100 writes of a transaction fails with the
// permanent ErrTxTooLarge and stores nothing (see the package doc's
// Limits).
func TestAReplayOfMoreDocumentsThanATransactionTakesStoresNothing(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	svc := newReplayService(t, st.Commands(), st.Entities(), st.Views(), func(svc *cqrs.Service) {
		for i := range dynamo.MaxTxItems {
			require.NoError(t, cqrs.Project(cqrs.NewView[replayTotal](svc, fmt.Sprintf("total-%d", i)), func(_ context.Context, s *replayTotal, e replayAdded, _ cqrs.Envelope) error {
				s.N += e.N
				return nil
			}))
		}
	})
	_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "e-1", replayAdd{N: 5})
	require.NoError(t, err)
	sagaBefore, err := st.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)

	_, err = svc.Replay(ctx, "e-1")

	require.ErrorIs(t, err, dynamo.ErrTxTooLarge)
	assert.True(t, sourceflow.IsPermanent(err))
	sagaAfter, err := st.Entities().Load(ctx, "order", "e-1")
	require.NoError(t, err)
	assert.Equal(t, sagaBefore, sagaAfter, "the saga state was not stored")
}
