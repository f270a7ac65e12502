package cqrstest_test

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type PackParcel struct {
	Parcel string `json:"parcel"`
}

type ParcelPacked struct {
	Parcel string `json:"parcel"`
}

type ShipParcel struct {
	Parcel string `json:"parcel"`
}

type packing struct{ Packed bool }

// A test waits for a flow on an asynchronous transport to finish (a
// command, the event its saga raises, the reaction to it) and sees the
// command the reaction sends to another service, which is stubbed.
func ExampleHarness_WaitIdle() {
	tr, _ := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
	defer tr.Close()
	h := cqrstest.New(exampleT, cqrs.ServiceConfig{Name: "packing", Transport: tr, Listen: []string{"packing", "packing-events"}})
	h.Must(cqrs.RegisterCommand[PackParcel](h.Service, "packing.PackParcel", "packing"))
	h.Must(cqrs.RegisterEvent[ParcelPacked](h.Service, "packing.ParcelPacked", "packing-events"))
	h.Must(cqrs.RegisterCommand[ShipParcel](h.Service, "shipping.ShipParcel", "shipping"))
	h.Must(cqrs.Handle(cqrs.NewSaga[packing](h.Service, "parcel"), func(_ context.Context, p *packing, c PackParcel, _ cqrs.Envelope) ([]any, error) {
		p.Packed = true
		return []any{ParcelPacked(c)}, nil
	}))
	h.Must(cqrs.React(cqrs.NewAggregate(h.Service, "shipper"), func(ctx context.Context, a *cqrs.Aggregate, e ParcelPacked, env cqrs.Envelope) error {
		_, err := a.Send(ctx, env.EntityID, ShipParcel(e))
		return err
	}))
	h.Stub("shipping")
	h.Start()
	defer h.Service.Close()

	_, err := cqrs.NewAggregate(h.Service, "parcel").Send(context.Background(), "p7", PackParcel{Parcel: "p7"})
	h.Must(err)
	h.Must(h.WaitIdle(context.Background()))
	for _, m := range h.Sent("shipping") {
		env, _ := cqrs.EnvelopeOf(m)
		fmt.Println(env.Type, env.EntityID, string(m.Payload))
	}
	// Output: shipping.ShipParcel p7 {"parcel":"p7"}
}
