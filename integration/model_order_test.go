//go:build integration

package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestModelFIFOOrderPerEntityWithParallelEntities sends 20 commands to each
// of 10 entities through a FIFO queue to a worker's saga, which raises an
// event per command on a FIFO topic back to the sender's view. Both the saga
// and the view must see every entity's sequence numbers as 1..20 in order,
// while handlers of different entities run in parallel.
func TestModelFIFOOrderPerEntityWithParallelEntities(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	const entities, perEntity = 10, 20
	steps, done := uniqueName("m-steps", ".fifo"), uniqueName("m-done", ".fifo")
	worker, _ := modelService(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 10}}, cqrs.ServiceConfig{Name: "seq-worker", Listen: []string{steps}})
	sender, _ := modelService(t, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 10}}, cqrs.ServiceConfig{Name: "seq-sender", Listen: []string{done},
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}}) // SNS→SQS may deliver an event twice
	for _, svc := range []*cqrs.Service{worker, sender} {
		require.NoError(t, cqrs.RegisterCommand[Step](svc, "model.Step", steps))
		require.NoError(t, cqrs.RegisterEvent[StepDone](svc, "model.StepDone", done))
	}
	var g gauge
	saga := cqrs.NewSaga[Sequences](worker, "sequence")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Sequences, c Step, env cqrs.Envelope) ([]any, error) {
		g.enter(env.EntityID)
		defer g.leave(env.EntityID)
		time.Sleep(50 * time.Millisecond) // long enough for other entities' handlers to overlap
		s.Seen = append(s.Seen, env.Sequence)
		return []any{StepDone(c)}, nil
	}))
	view := cqrs.NewView[Sequences](sender, "sequence-view")
	require.NoError(t, cqrs.Project(view, func(_ context.Context, m *Sequences, _ StepDone, env cqrs.Envelope) error {
		m.Seen = append(m.Seen, env.Sequence)
		return nil
	}))
	startModel(t, worker, sender)

	sendSteps(t, cqrs.NewAggregate(sender, "sequence"), entities, perEntity)

	ctx := context.Background()
	want := oneTo(perEntity)
	require.Eventually(t, func() bool {
		for e := range entities {
			m, _, err := view.Get(ctx, fmt.Sprintf("e%02d", e))
			if err != nil || len(m.Seen) < perEntity {
				return false
			}
		}
		return true
	}, 90*time.Second, 200*time.Millisecond, "every entity's events reach the view")
	for e := range entities {
		id := fmt.Sprintf("e%02d", e)
		s, found, err := saga.Load(ctx, id)
		require.NoError(t, err)
		require.True(t, found, id)
		assert.Equal(t, want, s.Seen, "saga sees entity %s's commands in sequence order, each once", id)
		m, _, err := view.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, m.Seen, "view sees entity %s's events in sequence order, each once", id)
	}
	peak, violations := g.result()
	assert.Empty(t, violations, "one entity's commands are never handled at once")
	// How many overlap depends on the machine's load (4 or more when idle).
	t.Logf("peak concurrent handlers across entities: %d", peak)
	assert.GreaterOrEqual(t, peak, 2, "handlers of different entities run in parallel")
}

// sendSteps sends perEntity numbered Steps to each of entities entities, one
// sender per entity so that each entity's sends stay in order.
func sendSteps(t *testing.T, agg *cqrs.Aggregate, entities, perEntity int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, entities*perEntity)
	for e := range entities {
		wg.Go(func() {
			for n := 1; n <= perEntity; n++ {
				if _, err := agg.Send(context.Background(), fmt.Sprintf("e%02d", e), Step{N: n}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
