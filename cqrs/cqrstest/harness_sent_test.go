package cqrstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type parcelPacked struct{ Parcel string }
type shipParcel struct{ Parcel string }

// TestHarnessRecordsCommandsAReactionSendsToAnotherService expects a unit test
// of a reaction to see the command it sends to another service's destination
// (MassTransit's harness Sent, Wolverine's StubAllExternalTransports): Stub
// stands in for the service listening there, so the send succeeds (without
// it, "no listener for destination"), and Sent returns what was sent.
func TestHarnessRecordsCommandsAReactionSendsToAnotherService(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "packing"})
	h.Must(cqrs.RegisterEvent[parcelPacked](h.Service, "test.ParcelPacked", "packing-events"))
	h.Must(cqrs.RegisterCommand[shipParcel](h.Service, "test.ShipParcel", "shipping"))
	a := cqrs.NewAggregate(h.Service, "parcel")
	react := func(ctx context.Context, a *cqrs.Aggregate, e parcelPacked, env cqrs.Envelope) error {
		_, err := a.Send(ctx, env.EntityID, shipParcel(e))
		return err
	}
	h.Stub("shipping")
	h.Start()

	err := react(context.Background(), a, parcelPacked{Parcel: "p1"}, cqrs.Envelope{EntityID: "p1"})
	require.NoError(t, err, "a command to a destination another service listens to")
	sent := h.Sent("shipping")
	require.Len(t, sent, 1)
	env, err := cqrs.EnvelopeOf(sent[0])
	require.NoError(t, err)
	require.Equal(t, "test.ShipParcel", env.Type)
}
