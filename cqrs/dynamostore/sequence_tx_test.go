package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// send does what the CommandBus does with a Transactor command store:
// reserve a sequence and append the command in one transaction.
func send(ctx context.Context, commands cqrs.CommandStore, entity, id string) (int64, error) {
	var seq int64
	err := commands.(sourceflow.Transactor).WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if seq, err = commands.NextSequence(ctx, entity); err != nil {
			return err
		}
		return commands.Append(ctx, cqrs.StoredCommand{
			Envelope: cqrs.Envelope{Type: "t", MessageID: id, EntityID: entity, Sequence: seq}, Payload: []byte("{}"),
		})
	})
	return seq, err
}

func sequences(t *testing.T, commands cqrs.CommandStore, entity string) []int64 {
	t.Helper()
	cmds, err := commands.Load(context.Background(), entity)
	require.NoError(t, err)
	seqs := make([]int64, len(cmds))
	for i, c := range cmds {
		seqs[i] = c.Envelope.Sequence
	}
	return seqs
}

func TestConcurrentTransactionalSendsNumberOneToNWithoutGaps(t *testing.T) {
	commands := newStore(t).Commands()
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = send(context.Background(), commands, "e-1", fmt.Sprint("m-", i)) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, sequences(t, commands, "e-1"))
	next, err := commands.NextSequence(context.Background(), "e-1")
	require.NoError(t, err)
	assert.Equal(t, int64(n+1), next, "the atomic counter continues where the transactions left it")
}

func TestAFailedSendSpendsNoSequenceNumber(t *testing.T) {
	ctx := context.Background()
	commands := newStore(t).Commands()
	boom := errors.New("killed before commit")
	err := commands.(sourceflow.Transactor).WithinTx(ctx, func(ctx context.Context) error {
		seq, err := commands.NextSequence(ctx, "e-1")
		require.NoError(t, err)
		require.Equal(t, int64(1), seq)
		require.NoError(t, commands.Append(ctx, cqrs.StoredCommand{
			Envelope: cqrs.Envelope{Type: "t", MessageID: "m-lost", EntityID: "e-1", Sequence: seq}, Payload: []byte("{}"),
		}))
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, sequences(t, commands, "e-1"), "nothing was appended")
	seq, err := send(ctx, commands, "e-1", "m-1")
	require.NoError(t, err)
	assert.Equal(t, int64(1), seq, "the failed send spent no number")
}

func TestTwoCommandsForOneEntityInOneTransaction(t *testing.T) {
	ctx := context.Background()
	commands := newStore(t).Commands()
	err := commands.(sourceflow.Transactor).WithinTx(ctx, func(ctx context.Context) error {
		for _, id := range []string{"m-1", "m-2"} {
			if _, err := send(ctx, commands, "e-1", id); err != nil { // joins
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, sequences(t, commands, "e-1"))
	found, err := commands.Find(ctx, "e-1", "m-2")
	require.NoError(t, err)
	assert.Equal(t, int64(2), found.Envelope.Sequence)
}
