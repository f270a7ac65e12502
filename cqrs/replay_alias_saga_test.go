package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// aliasCounter starts one version of a service whose "counter" saga adds
// step to its count for each command of name, registered with opts; the
// handler first reads the saga's stored state (Saga.Load) and records the
// count it finds in seen.
func aliasCounter(t *testing.T, name string, st evolveStores, cmd string, step int, seen *recorder[int], opts ...cqrs.RegisterOption) *cqrs.Aggregate {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: name, CommandStore: st.cmds, EntityStore: st.docs, ViewStore: st.views,
		Listen: []string{"counts"}, Transport: newTransport(t)})
	h.Must(cqrs.RegisterCommand[evolveBump](h.Service, cmd, "counts", opts...))
	counter := cqrs.NewSaga[evolveStateV1](h.Service, "counter")
	h.Must(cqrs.Handle(counter, func(ctx context.Context, s *evolveStateV1, _ evolveBump, env cqrs.Envelope) ([]any, error) {
		stored, _, err := counter.Load(ctx, env.EntityID)
		if err != nil {
			return nil, err
		}
		seen.add(stored.Count)
		s.Count += step
		return nil, nil
	}))
	h.Start()
	return cqrs.NewAggregate(h.Service, "client")
}

// Commands stored under a type's older name (Aliases) are replayed by the
// newer version as commands stored under its name are: a handler reading
// the replayed saga's state during the replay reads the state the replay
// rebuilds, not the live one.
func TestReplayOfCommandsStoredUnderAnAliasReadsTheRebuiltSagaState(t *testing.T) {
	ctx := context.Background()
	st := newEvolveStores()
	var live, replayed recorder[int]
	older := aliasCounter(t, "v1", st, "count.OldBump", 1, &live)
	for range 2 {
		_, err := older.Send(ctx, "e-1", evolveBump{})
		require.NoError(t, err)
	}
	require.Equal(t, []int{0, 1}, live.all())
	newer := aliasCounter(t, "v2", st, "count.Bump", 10, &replayed, cqrs.Aliases("count.OldBump"))

	report, err := newer.Replay(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, 2, report.Handled)
	assert.Equal(t, []int{0, 10}, replayed.all(), "the state the replay rebuilds, before each command")
}
