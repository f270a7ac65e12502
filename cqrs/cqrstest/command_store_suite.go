package cqrstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// NewCommandStoreFunc returns a fresh, empty command store for one subtest.
type NewCommandStoreFunc func(t *testing.T) cqrs.CommandStore

// RunCommandStore runs the CommandStore conformance suite against the stores
// newStore returns.
func RunCommandStore(t *testing.T, newStore NewCommandStoreFunc) {
	t.Helper()
	runSuite(t, []suiteCase[cqrs.CommandStore]{
		{"SequenceStartsAtOnePerEntity", testSequenceStartsAtOne},
		{"ParallelNextSequenceIsGapless", testParallelNextSequence},
		{"AppendLoadInSequenceOrder", testAppendLoadOrder},
		{"LoadLongStreamInNumericOrder", testLoadLongStream},
		{"AppendRefusesDuplicates", testAppendDuplicates},
		{"FindByMessageID", testFind},
		{"LoadOfUnknownEntityIsEmpty", testLoadUnknown},
	}, func(t *testing.T, _ int) cqrs.CommandStore { return newStore(t) })
}

func testSequenceStartsAtOne(t *testing.T, s cqrs.CommandStore) {
	ctx := context.Background()
	for _, entity := range []string{"a", "b"} {
		for want := int64(1); want <= 3; want++ {
			got, err := s.NextSequence(ctx, entity)
			require.NoError(t, err)
			assert.Equal(t, want, got, "entity %s", entity)
		}
	}
}

// testParallelNextSequence: 8 goroutines × 100 calls on one entity yield
// exactly 1..800.
func testParallelNextSequence(t *testing.T, s cqrs.CommandStore) {
	const workers, each = 8, 100
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := s.NextSequence(context.Background(), "hot")
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	want := make([]int64, workers*each)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, got, "every number once, no gap")
}

// command returns a stored command of entity with the sequence and id.
func command(entity string, seq int64, id string) cqrs.StoredCommand {
	return cqrs.StoredCommand{
		Envelope: cqrs.Envelope{Type: "test.Command", MessageID: id, EntityID: entity, Sequence: seq,
			CorrelationID: "corr-" + id, CausationID: "cause-" + id, OccurredAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Hops: int(seq), PayloadVersion: int(seq) + 1},
		Destination: "commands",
		Payload:     []byte(`{"n":` + fmt.Sprint(seq) + `}`),
	}
}

func testAppendLoadOrder(t *testing.T, s cqrs.CommandStore) {
	ctx := context.Background()
	for _, seq := range []int64{3, 1, 2} {
		require.NoError(t, s.Append(ctx, command("e", seq, fmt.Sprintf("m-%d", seq))))
	}
	require.NoError(t, s.Append(ctx, command("other", 1, "m-other")))
	got, err := s.Load(ctx, "e")
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, c := range got {
		want := command("e", int64(i+1), fmt.Sprintf("m-%d", i+1))
		assert.Equal(t, want.Envelope.Sequence, c.Envelope.Sequence)
		assert.Equal(t, want.Envelope.MessageID, c.Envelope.MessageID)
		assert.Equal(t, want.Envelope.CorrelationID, c.Envelope.CorrelationID)
		assert.Equal(t, want.Envelope.CausationID, c.Envelope.CausationID)
		assert.Equal(t, want.Envelope.Hops, c.Envelope.Hops, "the hop count survives")
		assert.Equal(t, want.Envelope.PayloadVersion, c.Envelope.PayloadVersion, "the payload version survives")
		assert.True(t, want.Envelope.OccurredAt.Equal(c.Envelope.OccurredAt), "occurred-at survives")
		assert.Equal(t, want.Destination, c.Destination)
		assert.Equal(t, string(want.Payload), string(c.Payload))
	}
}

// testLoadLongStream: a stream of 120 commands of 10 KiB each, appended
// out of order, loads whole and in numeric sequence order (10 after 9, not
// after 1), across the pages a store reads it in (a DynamoDB Query page
// holds at most 1 MB).
func testLoadLongStream(t *testing.T, s cqrs.CommandStore) {
	const n = 120
	ctx := context.Background()
	pad := strings.Repeat("x", 10<<10)
	for k := range n {
		i := k * 7 % n // every number once, out of order (7 and 120 are coprime)
		c := command("long", int64(i+1), fmt.Sprintf("m-%d", i+1))
		c.Payload = []byte(`{"pad":"` + pad + `"}`)
		require.NoError(t, s.Append(ctx, c))
	}
	got, err := s.Load(ctx, "long")
	require.NoError(t, err)
	require.Len(t, got, n, "every page of the stream")
	for i, c := range got {
		assert.Equal(t, int64(i+1), c.Envelope.Sequence, "position %d", i)
	}
}

func testAppendDuplicates(t *testing.T, s cqrs.CommandStore) {
	ctx := context.Background()
	require.NoError(t, s.Append(ctx, command("e", 1, "m-1")))
	assert.ErrorIs(t, s.Append(ctx, command("e", 1, "m-2")), cqrs.ErrDuplicateCommand, "same sequence")
	assert.ErrorIs(t, s.Append(ctx, command("e", 2, "m-1")), cqrs.ErrDuplicateCommand, "same message id")
	got, err := s.Load(ctx, "e")
	require.NoError(t, err)
	require.Len(t, got, 1, "a refused append stores nothing")
	assert.Equal(t, "m-1", got[0].Envelope.MessageID)
}

func testFind(t *testing.T, s cqrs.CommandStore) {
	ctx := context.Background()
	require.NoError(t, s.Append(ctx, command("e", 1, "m-1")))
	require.NoError(t, s.Append(ctx, command("e", 2, "m-2")))
	got, err := s.Find(ctx, "e", "m-2")
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Envelope.Sequence)
	assert.Equal(t, `{"n":2}`, string(got.Payload))
	_, err = s.Find(ctx, "e", "m-3")
	assert.ErrorIs(t, err, cqrs.ErrNotFound)
	_, err = s.Find(ctx, "other", "m-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "ids are scoped by entity")
}

func testLoadUnknown(t *testing.T, s cqrs.CommandStore) {
	got, err := s.Load(context.Background(), "nobody")
	require.NoError(t, err)
	assert.Empty(t, got)
}
