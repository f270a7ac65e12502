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

// loadFails is a command store that cannot load an entity's commands.
type loadFails struct{ *cqrs.MemoryCommandStore }

func (loadFails) Load(context.Context, string) ([]cqrs.StoredCommand, error) {
	return nil, errors.New("store unreachable")
}

// saveFails is a document store that cannot save.
type saveFails struct{ cqrs.DocumentStore }

func (saveFails) Save(context.Context, string, string, []byte, int64) error {
	return errors.New("store unreachable")
}

// A replay's errors name the entity bounded, as sourceflow.IDText shows it,
// and keep the cause after it: the entity id may be one a message's sender
// chose, stored with its commands.
func TestReplayErrorsBoundTheEntityID(t *testing.T) {
	long := strings.Repeat("e", 10_000)
	q := `"` + sourceflow.IDText(long) + `"`
	ctx := context.Background()
	stored := func(payload string) cqrs.StoredCommand {
		env := cqrs.Envelope{Type: "orders.CreateOrder", MessageID: "m-1", EntityID: long, Sequence: 1}
		return cqrs.StoredCommand{Envelope: env, Destination: "orders", Payload: []byte(payload)}
	}

	t.Run("commands that cannot be loaded", func(t *testing.T) {
		app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: loadFails{cqrs.NewMemoryCommandStore()}})
		app.start(t)

		_, err := app.agg.Replay(ctx, long)

		require.Error(t, err)
		assert.Equal(t, "cqrs: load commands of "+q+": store unreachable", err.Error())
	})
	t.Run("a command that fails", func(t *testing.T) {
		app := newOrderApp(t, cqrs.ServiceConfig{})
		app.start(t)
		require.NoError(t, app.store.Append(ctx, stored(`{"amount":"many"}`)))

		_, err := app.agg.Replay(ctx, long)

		require.ErrorIs(t, err, cqrs.ErrDecode)
		assert.True(t, strings.HasPrefix(err.Error(), "cqrs: replay orders.CreateOrder 1 of "+q+`: handler "order/orders.CreateOrder", `), err.Error())
	})
	t.Run("a rebuilt state that cannot be stored", func(t *testing.T) {
		app := newOrderApp(t, cqrs.ServiceConfig{EntityStore: saveFails{cqrs.NewMemoryStore()}})
		app.start(t)
		require.NoError(t, app.store.Append(ctx, stored(`{"customer":"ada","amount":5}`)))

		_, err := app.agg.Replay(ctx, long)

		require.Error(t, err)
		assert.Equal(t, "cqrs: store replayed order "+q+": cqrs: save order "+q+": store unreachable", err.Error())
	})
	t.Run("a rebuilt view model that cannot be stored", func(t *testing.T) {
		app := newOrderApp(t, cqrs.ServiceConfig{ViewStore: saveFails{cqrs.NewMemoryStore()}})
		app.start(t)
		require.NoError(t, app.store.Append(ctx, stored(`{"customer":"ada","amount":5}`)))
		pay := cqrs.Envelope{Type: "payments.ProcessPayment", MessageID: "m-2", EntityID: long, Sequence: 2}
		require.NoError(t, app.store.Append(ctx, cqrs.StoredCommand{Envelope: pay, Destination: "payments", Payload: []byte(`{"amount":5}`)}))

		_, err := app.agg.Replay(ctx, long)

		require.Error(t, err)
		assert.Equal(t, "cqrs: store replayed view order-summary "+q+": cqrs: save order-summary "+q+": store unreachable", err.Error())
	})
}
