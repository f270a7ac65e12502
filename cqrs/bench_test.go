package cqrs_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// BenchmarkOrderFlow measures one whole in-process flow per operation:
// CreateOrder → saga → OrderCreated → reaction sends ProcessPayment → saga →
// PaymentProcessed → view, i.e. four messages sent, handled and stored.
func BenchmarkOrderFlow(b *testing.B) {
	app := newOrderApp(b, cqrs.ServiceConfig{})
	if err := app.svc.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer app.svc.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := app.agg.Send(ctx, "o-"+strconv.Itoa(i), CreateOrder{Amount: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/msg")
}

// BenchmarkOrderFlowOneEntity is BenchmarkOrderFlow for one order: its
// saga document carries the commands it applied most recently with the
// events each raised (32 once warm), as a long-lived entity's does.
func BenchmarkOrderFlowOneEntity(b *testing.B) {
	app := newOrderApp(b, cqrs.ServiceConfig{})
	if err := app.svc.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer app.svc.Close()
	ctx := context.Background()
	for range 16 { // warm: 32 commands applied
		if _, err := app.agg.Send(ctx, "o-1", CreateOrder{Amount: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := app.agg.Send(ctx, "o-1", CreateOrder{Amount: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/msg")
}
