package cqrs

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A message of a type no handler takes is retried (a newer instance may
// take it during a rolling deploy) until its last delivery, whose failure
// is permanent with the same reason; a replay never retries.
func TestAnUnknownTypeIsRetriedUntilItsLastDelivery(t *testing.T) {
	d := &dispatcher{service: "v1", destination: "orders", kind: sourceflow.KindCommand,
		handlers: map[string][]boundHandler{"orders.Place": {{name: "saga/orders.Place"}}}, registry: newRegistry()}
	unknown := func(ctx context.Context, md map[string]string) error {
		msg := message.NewMessage("m-1", []byte(`{}`))
		for k, v := range md {
			msg.Metadata.Set(k, v)
		}
		msg.SetContext(ctx)
		Envelope{Type: "orders.Tiered", MessageID: "m-1", EntityID: "o-1"}.WriteTo(msg)
		_, err := d.handle(msg)
		return err
	}
	replay := context.WithValue(context.Background(), replayKey{}, &replayScope{})
	lastByContext := sourceflow.ContextWithLastDelivery(context.Background(), func() bool { return true })
	tests := map[string]struct {
		ctx       context.Context
		md        map[string]string
		permanent bool
	}{
		"an earlier delivery":                  {context.Background(), nil, false},
		"the last delivery":                    {context.Background(), map[string]string{sourceflow.MetaLastDelivery: sourceflow.LastDelivery}, true},
		"the last delivery unless in progress": {context.Background(), map[string]string{sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress}, true},
		"a delivery that became the last":      {lastByContext, nil, true},
		"a replay":                             {replay, nil, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := unknown(tt.ctx, tt.md)
			assert.ErrorIs(t, err, ErrUnknownType)
			assert.Equal(t, tt.permanent, sourceflow.IsPermanent(err))
			assert.EqualError(t, err, `cqrs: unknown message type: "orders.Tiered" on destination "orders" (message "m-1"); types handled there: "orders.Place"`)
		})
	}
}
