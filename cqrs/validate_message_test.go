package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// valPlace is a command that checks its own payload.
type valPlace struct{ Qty int }

func (c valPlace) Validate() error {
	if c.Qty <= 0 {
		return errors.New("quantity must be positive")
	}
	return nil
}

// valPlaced is an event that checks its own payload, through its pointer.
type valPlaced struct{ Qty int }

func (e *valPlaced) Validate() error {
	if e.Qty > 10 {
		return errors.New("quantity over 10")
	}
	return nil
}

// valPlaceUnchecked is the same command as a sender that does not check it
// (an older version, another service) has it.
type valPlaceUnchecked struct{ Qty int }

// A command or an event that fails its Validate is refused by Send and
// Raise, with ErrInvalidMessage and its reason, and nothing is stored or
// sent.
func TestInvalidMessagesAreRefusedOnSend(t *testing.T) {
	ctx := context.Background()
	store := cqrs.NewMemoryCommandStore()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "shop", CommandStore: store, Transport: newTransport(t)})
	h.Must(cqrs.RegisterCommand[valPlace](h.Service, "val.Place", "val-places"))
	h.Must(cqrs.RegisterEvent[valPlaced](h.Service, "val.Placed", "val-placed"))
	h.Start()

	_, err := cqrs.NewAggregate(h.Service, "shop").Send(ctx, "o-1", valPlace{Qty: 0})
	require.ErrorIs(t, err, cqrs.ErrInvalidMessage)
	assert.Contains(t, err.Error(), `"val.Place": quantity must be positive`)
	stored, err := store.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Empty(t, stored, "a refused command is not stored")

	_, err = h.Service.EventQueue().Raise(ctx, "o-1", valPlaced{Qty: 11})
	require.ErrorIs(t, err, cqrs.ErrInvalidMessage)
	assert.Contains(t, err.Error(), `"val.Placed": quantity over 10`)
}

// A received command that fails its Validate (its sender did not check it)
// is dead-lettered at once with the reason, its handler not run, and the
// next command is handled.
func TestInvalidMessagesAreDeadLetteredOnReceive(t *testing.T) {
	ctx := context.Background()
	tr := newTransport(t)
	consumer := cqrstest.New(t, cqrs.ServiceConfig{Name: "shop", Transport: tr, Listen: []string{"val-places"}})
	consumer.Must(cqrs.RegisterCommand[valPlace](consumer.Service, "val.Place", "val-places"))
	var handled recorder[int]
	consumer.Must(cqrs.Handle(cqrs.NewSaga[valPlace](consumer.Service, "order"),
		func(_ context.Context, _ *valPlace, c valPlace, _ cqrs.Envelope) ([]any, error) {
			handled.add(c.Qty)
			return nil, nil
		}))
	consumer.Start()
	sender := cqrstest.New(t, cqrs.ServiceConfig{Name: "front", Transport: tr})
	sender.Must(cqrs.RegisterCommand[valPlaceUnchecked](sender.Service, "val.Place", "val-places"))
	sender.Start()

	orders := cqrs.NewAggregate(sender.Service, "front")
	_, err := orders.Send(ctx, "o-1", valPlaceUnchecked{Qty: 0})
	require.NoError(t, err, "the sender does not check")
	_, err = orders.Send(ctx, "o-1", valPlaceUnchecked{Qty: 3})
	require.NoError(t, err)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Len(c, handled.all(), 1)
		assert.Len(c, tr.DeadLetters(), 1)
	}, 10*time.Second, 5*time.Millisecond, "the valid command handled, the invalid one dead-lettered")
	assert.Equal(t, []int{3}, handled.all())
	dead := tr.DeadLetters()[0]
	assert.Equal(t, 1, dead.Deliveries, "an invalid payload is a permanent failure")
	assert.Contains(t, dead.Reason, "cqrs: invalid message")
	assert.Contains(t, dead.Reason, "quantity must be positive")
}

// A nil pointer to a command or an event is sent as null, which its
// consumer decodes as the zero value and validates: Send and Raise
// validate that zero value, so one its Validate refuses is refused before
// anything is stored or sent rather than dead-lettered on receipt.
func TestANilPointerIsValidatedAsTheZeroValueItIsReceivedAs(t *testing.T) {
	ctx := context.Background()
	store := cqrs.NewMemoryCommandStore()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "shop", CommandStore: store, Transport: newTransport(t)})
	h.Must(cqrs.RegisterCommand[valPlace](h.Service, "val.Place", "val-places"))
	h.Start()

	_, err := cqrs.NewAggregate(h.Service, "shop").Send(ctx, "o-1", (*valPlace)(nil))
	require.ErrorIs(t, err, cqrs.ErrInvalidMessage)
	assert.Contains(t, err.Error(), `"val.Place": quantity must be positive`)
	stored, err := store.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Empty(t, stored, "a refused command is not stored")
}
