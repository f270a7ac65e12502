package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type retiringBump struct{}

type retiringGone struct{}

type retiringState struct {
	Count int `json:"count"`
}

// retiringHistory stores, for entity "e-1", a bump, a command of the type
// "retiring.Gone" that the current version no longer registers (retired
// with the destination it was sent to, which an older version listened
// to), and a bump again; the live saga state counts 12. It returns the
// current version's aggregate and saga, wired by wire before its Start.
func retiringHistory(t *testing.T, wire func(*cqrs.Service)) (*cqrs.Aggregate, *cqrs.Saga[retiringState]) {
	t.Helper()
	ctx := context.Background()
	cmds, docs := cqrs.NewMemoryCommandStore(), cqrs.NewMemoryStore()
	current := cqrstest.New(t, cqrs.ServiceConfig{Name: "v2", CommandStore: cmds, EntityStore: docs,
		Listen: []string{"orders"}, Transport: newTransport(t)})
	current.Must(cqrs.RegisterCommand[retiringBump](current.Service, "retiring.Bump", "orders"))
	state := cqrs.NewSaga[retiringState](current.Service, "order")
	current.Must(cqrs.Handle(state, func(_ context.Context, s *retiringState, _ retiringBump, _ cqrs.Envelope) ([]any, error) {
		s.Count++
		return nil, nil
	}))
	wire(current.Service)
	current.Start()
	old := cqrstest.New(t, cqrs.ServiceConfig{Name: "v1", CommandStore: cmds, EntityStore: docs,
		Listen: []string{"legacy"}, Transport: newTransport(t)})
	old.Must(cqrs.RegisterCommand[retiringGone](old.Service, "retiring.Gone", "legacy"))
	old.Must(cqrs.Handle(cqrs.NewSaga[retiringState](old.Service, "order"),
		func(_ context.Context, s *retiringState, _ retiringGone, _ cqrs.Envelope) ([]any, error) {
			s.Count += 10
			return nil, nil
		}))
	old.Start()
	agg := cqrs.NewAggregate(current.Service, "o")
	for _, send := range []func() error{
		func() error { _, err := agg.Send(ctx, "e-1", retiringBump{}); return err },
		func() error {
			_, err := cqrs.NewAggregate(old.Service, "o").Send(ctx, "e-1", retiringGone{})
			return err
		},
		func() error { _, err := agg.Send(ctx, "e-1", retiringBump{}); return err },
	} {
		require.NoError(t, send())
	}
	live, _, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	require.Equal(t, 12, live.Count)
	return agg, state
}

// A replay cannot rebuild the saga state whole without the retired
// command, so it refuses the entity, as it refuses one whose commands were
// evicted, rather than overwrite the stored state with one that lacks the
// retired command's effect.
func TestReplayRefusesAnEntityWithAStoredCommandOfATypeNoLongerRegistered(t *testing.T) {
	ctx := context.Background()
	agg, state := retiringHistory(t, func(*cqrs.Service) {})

	report, err := agg.Replay(ctx, "e-1")
	require.ErrorIs(t, err, cqrs.ErrUnknownType)
	assert.ErrorContains(t, err, `"retiring.Gone"`, "the error names the type")
	assert.ErrorContains(t, err, "cqrs.RetireType", "the error names the remedy")
	assert.Equal(t, cqrs.ReplayReport{Commands: 3}, report, "nothing ran")
	after, _, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, retiringState{Count: 12}, after, "the stored saga state is untouched")
}

// A type declared retired is one whose stored commands replay skips on
// purpose: the saga state is rebuilt without them, and the report counts
// them.
func TestReplaySkipsTheStoredCommandsOfARetiredType(t *testing.T) {
	ctx := context.Background()
	agg, state := retiringHistory(t, func(s *cqrs.Service) {
		require.NoError(t, cqrs.RetireType(s, "retiring.Gone"))
	})

	report, err := agg.Replay(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.ReplayReport{Commands: 3, Handled: 2, Retired: 1}, report)
	after, _, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, retiringState{Count: 2}, after, "rebuilt without the retired command, as declared")
}

func TestRetireTypeRefusesARegisteredOrEmptyName(t *testing.T) {
	svc := newService(t, newTransport(t), "web")
	require.NoError(t, cqrs.RegisterCommand[retiringBump](svc, "retiring.Bump", "orders"))

	assert.ErrorIs(t, cqrs.RetireType(svc, "retiring.Bump"), cqrs.ErrInvalidRegistration)
	assert.ErrorIs(t, cqrs.RetireType(svc, ""), cqrs.ErrInvalidRegistration)
	require.NoError(t, cqrs.RetireType(svc, "retiring.Gone"))
	assert.ErrorIs(t, cqrs.RegisterCommand[retiringGone](svc, "retiring.Gone", "orders"), cqrs.ErrInvalidRegistration,
		"a retired name cannot be registered as well")
}
