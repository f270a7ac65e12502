package cqrstest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Size of the order scenario.
const (
	orderedEntities  = 5
	commandsInStream = 20
)

// testEntityOrder: on an ordered destination, five entities each send
// twenty commands one after another, the entities concurrently. Each
// entity's commands are first received in the order of their per-entity
// sequence numbers, 1..20. It runs only for a transport that claims order.
func testEntityOrder(t *testing.T, r *transportRun) {
	if !r.h.Ordered {
		t.Skip("the transport does not claim per-entity order")
	}
	var order firstReceipts
	record := func(ctx context.Context, s *appliedState, c suiteCmd, env cqrs.Envelope) ([]any, error) {
		order.add(env.EntityID, env.Sequence)
		return apply(ctx, s, c, env)
	}
	setup := r.listenAndSend(t, true, r.h.Instances, record)

	entities := r.entities(orderedEntities)
	sent := r.sendEach(t, setup.sender, entities, commandsInStream, func(i int) any { return suiteCmd{N: i} })
	r.waitApplied(t, setup.listener, sent)

	want := make([]int64, commandsInStream)
	for i := range want {
		want[i] = int64(i + 1)
	}
	for _, entity := range entities {
		assert.Equal(t, want, order.of(entity), "first receipt order of %s", entity)
	}
}

// firstReceipts records, per entity, each sequence number the first time a
// handler receives it, in the order received. It is safe for concurrent
// use.
type firstReceipts struct {
	mu   sync.Mutex
	seqs map[string][]int64
}

func (f *firstReceipts) add(entity string, seq int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seqs == nil {
		f.seqs = map[string][]int64{}
	}
	if !slices.Contains(f.seqs[entity], seq) {
		f.seqs[entity] = append(f.seqs[entity], seq)
	}
}

func (f *firstReceipts) of(entity string) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seqs[entity])
}
