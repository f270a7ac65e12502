package cqrstest_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type parcelPacked struct{ Parcel string }
type shipParcel struct{ Parcel string }

// sentRecorder is the harness API this test expects: Stub(destination) stands
// in for the service that listens to destination elsewhere (MassTransit's
// harness Sent, Wolverine's StubAllExternalTransports), so that a reaction's
// send to it succeeds and Sent(destination) returns what was sent there, in
// order.
type sentRecorder interface {
	Stub(destination string)
	Sent(destination string) []*message.Message
}

// TestHarnessRecordsCommandsAReactionSendsToAnotherService expects a unit test
// of a reaction to see the command it sends to another service's destination.
// It fails because the harness offers no stub: without a listener in the
// process the send fails ("no listener for destination"), so a test must
// register a saga of its own on that destination to capture the command.
func TestHarnessRecordsCommandsAReactionSendsToAnotherService(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "packing"})
	h.Must(cqrs.RegisterEvent[parcelPacked](h.Service, "test.ParcelPacked", "packing-events"))
	h.Must(cqrs.RegisterCommand[shipParcel](h.Service, "test.ShipParcel", "shipping"))
	a := cqrs.NewAggregate(h.Service, "parcel")
	react := func(ctx context.Context, a *cqrs.Aggregate, e parcelPacked, env cqrs.Envelope) error {
		_, err := a.Send(ctx, env.EntityID, shipParcel(e))
		return err
	}
	s, ok := any(h).(sentRecorder)
	if ok {
		s.Stub("shipping")
	}
	h.Start()

	err := react(context.Background(), a, parcelPacked{Parcel: "p1"}, cqrs.Envelope{EntityID: "p1"})
	require.NoError(t, err, "a command to a destination another service listens to")
	require.True(t, ok, "cqrstest.Harness has no Stub/Sent: the commands a reaction sends cannot be seen")
	sent := s.Sent("shipping")
	require.Len(t, sent, 1)
	env, err := cqrs.EnvelopeOf(sent[0])
	require.NoError(t, err)
	require.Equal(t, "test.ShipParcel", env.Type)
}
