package sqlstore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// TestARowOverMaxAllowedPacketIsRefusedByNameAndTheStoreGoesOn: on MySQL a
// command or document larger than the server's max_allowed_packet is
// refused before it is sent, with ErrTooLarge, permanent, naming the
// entity and the limit (the server would refuse it on every try, at times
// with nothing but "driver: bad connection"); the transaction it was in
// rolls back, and the commands and documents around it are stored.
func TestARowOverMaxAllowedPacketIsRefusedByNameAndTheStoreGoesOn(t *testing.T) {
	d := dialect{sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"}
	ctx := context.Background()
	store := d.open(t, sqlstore.Config{})
	var packet int
	require.NoError(t, store.DB().QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	big := bytes.Repeat([]byte("x"), packet+1)
	command := func(entity, id string, seq int64, payload []byte) cqrs.StoredCommand {
		return cqrs.StoredCommand{Envelope: cqrs.Envelope{EntityID: entity, MessageID: id, Type: "orders.Note", Sequence: seq},
			Destination: "orders", Payload: payload}
	}

	err := store.WithinTx(ctx, func(ctx context.Context) error {
		seq, err := store.Commands().NextSequence(ctx, "big-1")
		if err != nil {
			return err
		}
		return store.Commands().Append(ctx, command("big-1", "m-big", seq, big))
	})
	require.ErrorIs(t, err, sqlstore.ErrTooLarge)
	assert.True(t, sourceflow.IsPermanent(err), "no retry stores it: %v", err)
	assert.ErrorContains(t, err, `"big-1"`)
	assert.ErrorContains(t, err, "max_allowed_packet")

	err = store.Entities().Save(ctx, "order", "big-1", big, 0)
	require.ErrorIs(t, err, sqlstore.ErrTooLarge)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.ErrorContains(t, err, `"big-1"`)

	fits := bytes.Repeat([]byte("y"), 1<<20)
	require.NoError(t, store.WithinTx(ctx, func(ctx context.Context) error {
		seq, err := store.Commands().NextSequence(ctx, "big-1")
		if err != nil {
			return err
		}
		return store.Commands().Append(ctx, command("big-1", "m-fits", seq, fits))
	}))
	require.NoError(t, store.Entities().Save(ctx, "order", "big-1", fits, 0))

	got, err := store.Commands().Load(ctx, "big-1")
	require.NoError(t, err)
	require.Len(t, got, 1, "the refused command's transaction rolled back")
	assert.Equal(t, "m-fits", got[0].Envelope.MessageID)
	assert.Equal(t, fits, got[0].Payload)
	doc, err := store.Entities().Load(ctx, "order", "big-1")
	require.NoError(t, err)
	assert.Equal(t, fits, doc.Data)
}
