package cqrs_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// BenchmarkOrderFlowLogger is BenchmarkOrderFlow with the service's and
// its ChannelTransport's Logger set to watermill.NopLogger (nop) and left
// at their default (default), slog.Default() writing text at its default
// level (Info), as in a program that logs: Watermill's router and gochannel
// log at Trace and Debug for every message, which that level drops, so the
// default should cost what the NopLogger costs.
//
//	go test -run '^$' -bench BenchmarkOrderFlowLogger -benchmem -count 5 ./cqrs
func BenchmarkOrderFlowLogger(b *testing.B) {
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	b.Cleanup(func() { slog.SetDefault(previous) })
	for _, v := range []struct {
		name   string
		logger watermill.LoggerAdapter
	}{{"nop", watermill.NopLogger{}}, {"default", nil}} {
		b.Run(v.name, func(b *testing.B) {
			tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: time.Millisecond, Logger: v.logger})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = tr.Close() })
			app := newOrderApp(b, cqrs.ServiceConfig{Transport: tr, Logger: v.logger})
			if err := app.svc.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = app.svc.Close() })
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := app.agg.Send(ctx, "o-"+strconv.Itoa(i), CreateOrder{Amount: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/msg")
		})
	}
}
