package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// valPlacer starts one version of a service whose "order" saga handles
// command "val.Place" of type C, recording each quantity it handles in
// seen.
func valPlacer[C interface{ quantity() int }](t *testing.T, name string, st evolveStores, seen *recorder[int]) *cqrs.Aggregate {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: name, CommandStore: st.cmds, EntityStore: st.docs, ViewStore: st.views,
		Listen: []string{"val-places"}, Transport: newTransport(t)})
	h.Must(cqrs.RegisterCommand[C](h.Service, "val.Place", "val-places"))
	h.Must(cqrs.Handle(cqrs.NewSaga[valPlace](h.Service, "order"),
		func(_ context.Context, s *valPlace, c C, _ cqrs.Envelope) ([]any, error) {
			seen.add(c.quantity())
			s.Qty += c.quantity()
			return nil, nil
		}))
	h.Start()
	return cqrs.NewAggregate(h.Service, "client")
}

func (c valPlace) quantity() int          { return c.Qty }
func (c valPlaceUnchecked) quantity() int { return c.Qty }

// A stored command that a Validate added later refuses is replayed all the
// same: the store's history is fact, and Validate gates only new sends and
// receipts.
func TestReplayRunsStoredCommandsANewerValidateRefuses(t *testing.T) {
	ctx := context.Background()
	st := newEvolveStores()
	var live, replayed recorder[int]
	older := valPlacer[valPlaceUnchecked](t, "v1", st, &live)
	for _, qty := range []int{0, 3} {
		_, err := older.Send(ctx, "o-1", valPlaceUnchecked{Qty: qty})
		require.NoError(t, err, "the older version does not check")
	}
	require.Equal(t, []int{0, 3}, live.all())
	newer := valPlacer[valPlace](t, "v2", st, &replayed)

	report, err := newer.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, 2, report.Handled)
	assert.Equal(t, []int{0, 3}, replayed.all(), "every stored command replayed, the one Validate refuses included")
	_, err = newer.Send(ctx, "o-1", valPlace{Qty: 0})
	require.ErrorIs(t, err, cqrs.ErrInvalidMessage, "a new send is still checked")
}
