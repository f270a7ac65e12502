package dynamobackend_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
)

type reserveSeat struct {
	Seat string `json:"seat"`
}

type seatReserved struct {
	Seat string `json:"seat"`
}

type booking struct {
	Seats []string `json:"seats"`
}

type seatMap struct {
	Taken []string `json:"taken"`
}

// TestService_RunsOnTheBackendAlone wires a service on nothing but the
// Backend (its stores, its transactional idempotency middleware and its
// outbox) and checks that a command's state, its command log entry and the
// view of the event it raised, relayed by the outbox, are written.
func TestService_RunsOnTheBackendAlone(t *testing.T) {
	ctx := context.Background()
	b, _ := open(t, dynamobackend.Config{Outbox: true})
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	cfg := cqrs.ServiceConfig{Name: "booking", Transport: transport, Listen: []string{"bookings", "booking-events"}, Logger: watermill.NopLogger{}}
	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	stack := middleware.NewStack()
	require.NoError(t, errors.Join(b.Configure(ctx, &cfg), stack.Use(middleware.ConsumeIdempotency, "dynamodb", claims.Middleware)))
	cfg.HandlerMiddleware = stack.HandlerMiddlewares()
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	seats := registerBooking(t, svc)
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

	sent, err := cqrs.NewAggregate(svc, "booking").Send(ctx, "flight-7", reserveSeat{Seat: "12A"})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		m, found, err := seats.Get(ctx, "flight-7")
		assert.NoError(c, err)
		assert.True(c, found, "the view never saw the event the outbox relays")
		assert.Contains(c, m.Taken, "12A")
	}, 30*time.Second, 50*time.Millisecond)
	stored, err := b.Store().Commands().Load(ctx, "flight-7")
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.Equal(t, sent.MessageID, stored[0].Envelope.MessageID)
	assert.GreaterOrEqual(t, claims.Stats().Completed, uint64(2), "the command and the event were not both recorded as handled")
}

// registerBooking registers the booking types and handlers on svc and
// returns the view of seats.
func registerBooking(t *testing.T, svc *cqrs.Service) *cqrs.View[seatMap] {
	t.Helper()
	seats := cqrs.NewView[seatMap](svc, "seat-map")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[reserveSeat](svc, "booking.ReserveSeat", "bookings"),
		cqrs.RegisterEvent[seatReserved](svc, "booking.SeatReserved", "booking-events"),
		cqrs.Handle(cqrs.NewSaga[booking](svc, "booking"), func(_ context.Context, bk *booking, c reserveSeat, _ cqrs.Envelope) ([]any, error) {
			bk.Seats = append(bk.Seats, c.Seat)
			return []any{seatReserved(c)}, nil
		}),
		cqrs.Project(seats, func(_ context.Context, m *seatMap, e seatReserved, _ cqrs.Envelope) error {
			m.Taken = append(m.Taken, e.Seat)
			return nil
		}),
	))
	return seats
}
