package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

func command(entity string, seq int64, id string) cqrs.StoredCommand {
	return cqrs.StoredCommand{
		Envelope: cqrs.Envelope{
			Type: "orders.CreateOrder", MessageID: id, EntityID: entity, Sequence: seq,
			CorrelationID: "corr-" + id, CausationID: "cause-" + id,
			OccurredAt: time.Date(2025, 3, 4, 5, 6, 7, 891011121, time.UTC),
		},
		Destination: "orders.fifo",
		Payload:     []byte(`{"id":"` + id + `"}`),
	}
}

// TestAppendFindLoad stores commands out of order and reads them back in
// sequence order with every envelope field intact.
func TestAppendFindLoad(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		store := d.open(t, sqlstore.Config{}).Commands()
		third, first, second := command("o1", 3, "m3"), command("o1", 1, "m1"), command("o1", 2, "m2")
		second.Payload = nil
		second.Envelope.Replay = true
		for _, c := range []cqrs.StoredCommand{third, first, second, command("o2", 1, "m1")} {
			require.NoError(t, store.Append(ctx, c))
		}
		got, err := store.Load(ctx, "o1")
		require.NoError(t, err)
		assert.Equal(t, []cqrs.StoredCommand{first, second, third}, got)

		found, err := store.Find(ctx, "o1", "m2")
		require.NoError(t, err)
		assert.Equal(t, second, found)

		_, err = store.Find(ctx, "o1", "m9")
		require.ErrorIs(t, err, cqrs.ErrNotFound)
		assert.Contains(t, err.Error(), `"o1"`)
		assert.Contains(t, err.Error(), `"m9"`)
		none, err := store.Load(ctx, "o3")
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestAppendDuplicates refuses a second command with the entity's message id
// or sequence, also inside a transaction, which stays usable (PostgreSQL
// would otherwise abort it).
func TestAppendDuplicates(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		store := s.Commands()
		require.NoError(t, store.Append(ctx, command("o1", 1, "m1")))

		err := store.Append(ctx, command("o1", 2, "m1"))
		require.ErrorIs(t, err, cqrs.ErrDuplicateCommand, "same message id")
		assert.Contains(t, err.Error(), `"o1"`)
		require.ErrorIs(t, store.Append(ctx, command("o1", 1, "m2")), cqrs.ErrDuplicateCommand, "same sequence")
		require.NoError(t, store.Append(ctx, command("o2", 1, "m1")), "another entity may reuse both")

		tx, ok := store.(sourceflow.Transactor)
		require.True(t, ok, "the command store is a sourceflow.Transactor")
		err = tx.WithinTx(ctx, func(ctx context.Context) error {
			if err := store.Append(ctx, command("o1", 2, "m1")); !errors.Is(err, cqrs.ErrDuplicateCommand) {
				return fmt.Errorf("want a duplicate, got %v", err)
			}
			return store.Append(ctx, command("o1", 2, "m2"))
		})
		require.NoError(t, err)
		got, err := store.Load(ctx, "o1")
		require.NoError(t, err)
		assert.Len(t, got, 2)
	})
}

// TestCommandsRollBackWithTheTransaction reserves a sequence and appends in
// a transaction that fails: neither is kept.
func TestCommandsRollBackWithTheTransaction(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{})
		store := s.Commands()
		boom := errors.New("boom")
		err := s.WithinTx(ctx, func(ctx context.Context) error {
			seq, err := store.NextSequence(ctx, "o1")
			if err != nil {
				return err
			}
			if err := store.Append(ctx, command("o1", seq, "m1")); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, err = store.Find(ctx, "o1", "m1")
		require.ErrorIs(t, err, cqrs.ErrNotFound)
		seq, err := store.NextSequence(ctx, "o1")
		require.NoError(t, err)
		assert.Equal(t, int64(1), seq)
	})
}

// TestCommandKeysAreChecked refuses ids the key columns cannot hold, naming
// the offending key.
func TestCommandKeysAreChecked(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		store := d.open(t, sqlstore.Config{}).Commands()
		long := strings.Repeat("x", sqlstore.MaxKeyLength+1)
		_, err := store.NextSequence(ctx, long)
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
		assert.Contains(t, err.Error(), "entity id is 192 bytes")
		err = store.Append(ctx, command("o1", 1, long))
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
		assert.Contains(t, err.Error(), "message id")
		_, err = store.Find(ctx, "o1", "bad\xff")
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)
		_, err = store.Load(ctx, "nul\x00")
		require.ErrorIs(t, err, sqlstore.ErrInvalidKey)

		longest := strings.Repeat("é", sqlstore.MaxKeyLength/2)
		require.NoError(t, store.Append(ctx, command(longest, 1, longest)), "a key of %d bytes fits", len(longest))
		_, err = store.Find(ctx, longest, longest)
		require.NoError(t, err)
	})
}
