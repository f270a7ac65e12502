package cqrstest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type Shipped struct {
	Parcel string `json:"parcel"`
}

// exampleT stands in for the *testing.T a real test gets.
var exampleT = &testing.T{}

// A test records the events a service raises.
func ExampleRecorder() {
	h := cqrstest.New(exampleT, cqrs.ServiceConfig{Name: "shipping", Listen: []string{"shipping-events"}})
	var shipped cqrstest.Recorder[Shipped]
	h.Must(cqrs.RegisterEvent[Shipped](h.Service, "shipping.Shipped", "shipping-events"))
	h.Must(cqrs.React(cqrs.NewAggregate(h.Service, "watcher"), shipped.Reaction()))
	h.Start()
	defer h.Service.Close()

	_, err := h.Service.EventQueue().Raise(context.Background(), "parcel-7", Shipped{Parcel: "p7"})
	h.Must(err)
	for _, r := range shipped.Records() {
		fmt.Println(r.Envelope.Type, r.Envelope.EntityID, r.Message.Parcel)
	}
	// Output: shipping.Shipped parcel-7 p7
}
