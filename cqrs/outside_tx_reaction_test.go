package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// A reaction that keeps no state (Start does not warn of a service of
// reactions alone) has no store outside a transactional idempotency
// middleware's transaction to be warned of (the saga beside it is). Async:
// a synchronous ChannelTransport refuses the saga's raise in the handling
// transaction (cqrs.ErrPublishInTransaction).
func TestHandling_DoesNotWarnOfAStatelessReactionInTheTransaction(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "hotel", Logger: logs, Listen: []string{"bookings", "booking-events"},
		Transport: tr, HandlerMiddleware: []message.HandlerMiddleware{inHandlingTx}})
	require.NoError(t, err)
	var seen cqrstest.Recorder[roomBooked]
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[bookRoom](svc, "hotel.BookRoom", "bookings"),
		cqrs.RegisterEvent[roomBooked](svc, "hotel.RoomBooked", "booking-events"),
		cqrs.Handle(cqrs.NewSaga[stay](svc, "stay"), func(_ context.Context, s *stay, c bookRoom, _ cqrs.Envelope) ([]any, error) {
			s.Rooms = append(s.Rooms, c.Room)
			return []any{roomBooked(c)}, nil
		}),
		cqrs.React(cqrs.NewAggregate(svc, "mailer"), seen.Reaction()),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	_, err = cqrs.NewAggregate(svc, "stay").Send(context.Background(), "stay-1", bookRoom{Room: "101"})
	require.NoError(t, err)
	waitCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = seen.Wait(waitCtx, 1)
	require.NoError(t, err)
	for _, w := range outsideTxWarnings(logs) {
		assert.NotEqual(t, "mailer/hotel.RoomBooked", w["handler"], "a reaction that keeps no state is warned of")
	}
}
