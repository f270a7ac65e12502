package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// kindMessage is a message whose context carries kind, as the cqrs package
// marks what it publishes.
func kindMessage(uuid string, kind sourceflow.Kind) *message.Message {
	msg := message.NewMessage(uuid, nil)
	msg.SetContext(sourceflow.ContextWithKind(context.Background(), kind))
	return msg
}

// One produce pipeline sends commands to SQS and events to SNS: each
// producer span names the system its message goes through, and consumer
// spans the system messages are received from.
func TestSpansNameTheSystemOfTheirMessage(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{
		MessagingSystem: tracing.SystemAWSSQS, EventMessagingSystem: tracing.SystemAWSSNS,
	})
	pub, err := tr.DecoratePublisher(&capturePublisher{})
	require.NoError(t, err)

	require.NoError(t, pub.Publish("orders.fifo", kindMessage("u-1", sourceflow.KindCommand)))
	require.NoError(t, pub.Publish("order-events", kindMessage("u-2", sourceflow.KindEvent)))
	require.NoError(t, pub.Publish("audit", message.NewMessage("u-3", nil)))
	_, err = tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(message.NewMessage("u-4", nil))
	require.NoError(t, err)

	for name, want := range map[string]string{
		"send orders.fifo":  tracing.SystemAWSSQS,
		"send order-events": tracing.SystemAWSSNS,
		"send audit":        tracing.SystemAWSSQS, // no kind: MessagingSystem
		"process":           tracing.SystemAWSSQS,
	} {
		assert.Equal(t, want, attrMap(spanNamed(t, rec, name).Attributes())["messaging.system"], name)
	}
}

// Without EventMessagingSystem, events' spans name MessagingSystem.
func TestEventMessagingSystemDefaultsToMessagingSystem(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{MessagingSystem: "postgresql"})
	pub, err := tr.DecoratePublisher(&capturePublisher{})
	require.NoError(t, err)

	require.NoError(t, pub.Publish("order-events", kindMessage("u-1", sourceflow.KindEvent)))

	assert.Equal(t, "postgresql", attrMap(spanNamed(t, rec, "send order-events").Attributes())["messaging.system"])
}

// sqlbus's spans name the database its messages travel through, per
// dialect; a dialect sqlbus does not run on has none.
func TestSQLBusSystemNamesTheDatabase(t *testing.T) {
	assert.Equal(t, tracing.SystemPostgreSQL, tracing.SQLBusSystem(sourceflow.Postgres))
	assert.Equal(t, tracing.SystemMySQL, tracing.SQLBusSystem(sourceflow.MySQL))
	assert.Empty(t, tracing.SQLBusSystem(sourceflow.SQLite))
}
