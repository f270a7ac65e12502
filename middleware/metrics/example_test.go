package metrics_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// Example counts commands sent through a decorated gochannel publisher and
// reads the queue depth reported by a depth source.
//
// It is one piece so that the documentation shows the whole wiring.
func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	polled := make(chan struct{}, 1)
	depths := metrics.DepthFunc(func(context.Context) ([]metrics.QueueDepth, error) {
		select {
		case polled <- struct{}{}:
		default:
		}
		return []metrics.QueueDepth{{Queue: "orders", Visible: 42}}, nil
	})
	m, err := metrics.New(metrics.Config{MeterProvider: mp, Depth: depths, DepthInterval: time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer m.Close()

	pubSub := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	defer pubSub.Close()
	commands, err := m.DecoratePublisherAs(sourceflow.KindCommand)(pubSub)
	if err != nil {
		panic(err)
	}
	for range 3 {
		msg := message.NewMessage(watermill.NewUUID(), []byte(`{}`))
		msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
		if err := commands.Publish("orders", msg); err != nil {
			panic(err)
		}
	}
	<-polled
	<-polled // a second poll has started, so the first answer is stored

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, inst := range sm.Metrics {
			switch data := inst.Data.(type) {
			case metricdata.Sum[int64]:
				fmt.Println(inst.Name, data.DataPoints[0].Value)
			case metricdata.Gauge[int64]:
				for _, p := range data.DataPoints {
					if state, _ := p.Attributes.Value(metrics.AttrMessageState); state.AsString() == "visible" {
						fmt.Println(inst.Name, p.Value)
					}
				}
			}
		}
	}
	// Output:
	// sourceflow.aws.command.dispatched 3
	// sourceflow.aws.queue.depth 42
}
