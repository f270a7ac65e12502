package cqrs_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// Version 0 of "up.Shipped" carried Qty; version 1 carries Units.
type (
	upShip      struct{ Qty int }
	upShippedV0 struct{ Qty int }
	upShipped   struct{ Units int }
	upShipState struct{ Ships int }
)

// upShipper starts one version of the "ship" saga over the shared stores,
// on its own transport, raising shipped for each command.
func upShipper(t *testing.T, name string, cfg cqrs.ServiceConfig, shipped func(upShip) any, opts ...cqrs.RegisterOption) *cqrstest.Harness {
	t.Helper()
	cfg.Name, cfg.Transport = name, newTransport(t)
	h := cqrstest.New(t, cfg)
	h.Must(cqrs.RegisterCommand[upShip](h.Service, "up.Ship", "up-ships"))
	ev := shipped(upShip{})
	switch ev.(type) {
	case upShippedV0:
		h.Must(cqrs.RegisterEvent[upShippedV0](h.Service, "up.Shipped", "up-shipped", opts...))
	default:
		h.Must(cqrs.RegisterEvent[upShipped](h.Service, "up.Shipped", "up-shipped", opts...))
	}
	h.Must(cqrs.Handle(cqrs.NewSaga[upShipState](h.Service, "ship"), func(_ context.Context, s *upShipState, c upShip, _ cqrs.Envelope) ([]any, error) {
		s.Ships++
		return []any{shipped(c)}, nil
	}))
	return h
}

// A saga of the older version remembers the event it raised at payload
// version 0; the command is sent again (with its idempotency key) to the
// newer version, whose saga raises the remembered event again rather than
// run its handler: the event goes out at the version it was remembered
// with, so the newer version's consumers upcast it.
func TestRememberedEventsAreRaisedAgainAtTheirVersionAndUpcast(t *testing.T) {
	shared := cqrs.ServiceConfig{CommandStore: cqrs.NewMemoryCommandStore(), EntityStore: cqrs.NewMemoryStore(), Listen: []string{"up-ships"}}
	older := upShipper(t, "ship-v0", shared, func(c upShip) any { return upShippedV0(c) })
	older.Start()
	newer := shared
	newer.Listen = []string{"up-ships", "up-shipped"}
	h := upShipper(t, "ship-v1", newer, func(c upShip) any { return upShipped{Units: c.Qty} },
		cqrs.PayloadVersion(1), cqrs.Upcast(0, func(raw []byte) ([]byte, error) {
			var v0 upShippedV0
			if err := json.Unmarshal(raw, &v0); err != nil {
				return nil, err
			}
			return json.Marshal(upShipped{Units: v0.Qty})
		}))
	var got recorder[upShipped]
	h.Must(cqrs.Project(cqrs.NewView[upShipState](h.Service, "shipped"), func(_ context.Context, _ *upShipState, e upShipped, _ cqrs.Envelope) error {
		got.add(e)
		return nil
	}))
	h.Start()

	ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "ship-1")
	_, err := cqrs.NewAggregate(older.Service, "ship").Send(ctx, "s-1", upShip{Qty: 3})
	require.NoError(t, err)
	_, err = cqrs.NewAggregate(h.Service, "ship").Send(ctx, "s-1", upShip{Qty: 3})
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, []upShipped{{Units: 3}}, got.all())
	}, 10*time.Second, 5*time.Millisecond, "the remembered event, raised again, upcast from version 0")
	state, _, err := cqrs.NewSaga[upShipState](h.Service, "ship").Load(context.Background(), "s-1")
	require.NoError(t, err)
	assert.Equal(t, 1, state.Ships, "the newer version raised the remembered event rather than run its handler")
}
