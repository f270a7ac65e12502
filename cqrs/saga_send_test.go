package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	startTrip  struct{ N int }
	bookHotel  struct{ N int }
	tripState  struct{ Started int }
	hotelState struct{ Booked int }
)

// A saga handler that sends a command on the synchronous ChannelTransport
// holds its entity's lock until the receiving saga has handled the command;
// the receiver's lock must never be the sender's, whatever the keys.
func TestASagaSendingToAnotherSagaOnTheSynchronousTransportNeverWaitsOnItself(t *testing.T) {
	ctx := context.Background()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "travel", Listen: []string{"trips", "hotels"}})
	require.NoError(t, err)
	agg := cqrs.NewAggregate(svc, "trip")
	hotels := cqrs.NewSaga[hotelState](svc, "hotel")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[startTrip](svc, "travel.StartTrip", "trips"),
		cqrs.RegisterCommand[bookHotel](svc, "travel.BookHotel", "hotels"),
		cqrs.Handle(cqrs.NewSaga[tripState](svc, "trip"), func(ctx context.Context, s *tripState, c startTrip, _ cqrs.Envelope) ([]any, error) {
			s.Started++
			_, err := agg.Send(ctx, fmt.Sprintf("h-%d", c.N), bookHotel(c))
			return nil, err
		}),
		cqrs.Handle(hotels, func(_ context.Context, s *hotelState, _ bookHotel, _ cqrs.Envelope) ([]any, error) {
			s.Booked++
			return nil, nil
		}),
	))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { _ = svc.Close() })

	const trips = 1000 // with 256 shared lock stripes, some pair of keys would collide
	sent := make(chan error)
	go func() {
		for i := range trips {
			_, err := agg.Send(ctx, fmt.Sprintf("t-%d", i), startTrip{N: i})
			sent <- err
		}
	}()
	for i := range trips {
		select {
		case err := <-sent:
			require.NoError(t, err, "trip %d", i)
		case <-time.After(30 * time.Second):
			t.Fatalf("trip %d: Send never returned: the hotel saga waits on the trip saga's lock", i)
		}
	}
	for _, i := range []int{0, trips / 2, trips - 1} {
		h, found, err := hotels.Load(ctx, fmt.Sprintf("h-%d", i))
		require.NoError(t, err)
		require.True(t, found, "hotel %d", i)
		require.GreaterOrEqual(t, h.Booked, 1, "hotel %d", i)
	}
}
