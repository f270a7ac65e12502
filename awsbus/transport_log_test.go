package awsbus_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// The transport's publisher logs with the bound service's name, so a
// process running several services on one logger can tell whose publish
// failed.
func TestTransportLogsNameTheBoundService(t *testing.T) {
	sq, sn := newFakes()
	logs := watermill.NewCaptureLogger()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	pub, err := tr.Publisher("order-events")
	require.NoError(t, err)
	sn.FailNextEntries("PublishBatch", 2)

	msgs := []*message.Message{message.NewMessage("m-1", []byte(`{}`)), message.NewMessage("m-2", []byte(`{}`))}
	for _, m := range msgs {
		m.Metadata.Set("sf_type", "orders.OrderCreated")
	}
	require.Error(t, pub.Publish("order-events", msgs...))

	var found bool
	for _, m := range logs.Captured()[watermill.ErrorLogLevel] {
		if m.Msg == "Messages not published" {
			found = true
			assert.Equal(t, "orders", m.Fields["service"])
		}
	}
	assert.True(t, found, "the failed publish is logged: %v", logs.Captured())
}
