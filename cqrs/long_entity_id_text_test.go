package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// appendFails is a command store that cannot store a command.
type appendFails struct{ *cqrs.MemoryCommandStore }

func (appendFails) Append(context.Context, cqrs.StoredCommand) error {
	return errors.New("store unreachable")
}

// A send whose command cannot be stored names the entity bounded, as
// sourceflow.IDText shows it: a handler may send about an entity whose id
// the sender of the message it handles chose, and the error may reach a
// dead-letter reason, which a 10 KB id would fill before the cause.
func TestSendThatCannotStoreBoundsTheEntityID(t *testing.T) {
	long := strings.Repeat("e", 10_000)
	app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: appendFails{cqrs.NewMemoryCommandStore()}})
	app.start(t)

	_, err := app.agg.Send(context.Background(), long, ProcessPayment{Amount: 1})

	require.Error(t, err)
	assert.Equal(t, `cqrs: store "payments.ProcessPayment" for "`+sourceflow.IDText(long)+`": store unreachable`, err.Error())
}

// The memory stores' errors about a stored command or document name the
// entity bounded.
func TestMemoryStoreErrorsBoundTheEntityID(t *testing.T) {
	long := strings.Repeat("e", 10_000)
	q := `"` + sourceflow.IDText(long) + `"`
	ctx := context.Background()
	commands := cqrs.NewMemoryCommandStore()
	cmd := cqrs.StoredCommand{Envelope: cqrs.Envelope{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: long, Sequence: 1}}
	require.NoError(t, commands.Append(ctx, cmd))

	dupID := commands.Append(ctx, cmd)
	cmd.Envelope.MessageID = "m-2"
	dupSeq := commands.Append(ctx, cmd)
	conflict := cqrs.NewMemoryStore().Save(ctx, "order", long, []byte("{}"), 7)
	_, noDoc := cqrs.NewMemoryStore().Load(ctx, "order", long)
	_, noCmd := commands.Find(ctx, long, "m-3")

	require.ErrorIs(t, dupID, cqrs.ErrDuplicateCommand)
	assert.Equal(t, cqrs.ErrDuplicateCommand.Error()+": entity "+q+" already has message m-1", dupID.Error())
	require.ErrorIs(t, dupSeq, cqrs.ErrDuplicateCommand)
	assert.Equal(t, cqrs.ErrDuplicateCommand.Error()+": entity "+q+" already has sequence 1", dupSeq.Error())
	require.ErrorIs(t, conflict, cqrs.ErrConflict)
	assert.Equal(t, cqrs.ErrConflict.Error()+": order "+q+" is at version 0, not 7", conflict.Error())
	require.ErrorIs(t, noDoc, cqrs.ErrNotFound)
	assert.Equal(t, cqrs.ErrNotFound.Error()+": order "+q, noDoc.Error())
	require.ErrorIs(t, noCmd, cqrs.ErrNotFound)
	assert.Equal(t, cqrs.ErrNotFound.Error()+": command m-3 of "+q, noCmd.Error())
}
