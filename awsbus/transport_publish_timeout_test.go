package awsbus_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// freezableSQS stops answering sends once frozen: a call then returns only
// when its context ends, as a frozen endpoint's (the connection accepted,
// no answer).
type freezableSQS struct {
	awsbus.SQSAPI
	frozen atomic.Bool
}

func (f *freezableSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if f.frozen.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.SQSAPI.SendMessage(ctx, in, opts...)
}

// A handler's publish runs on its message's context, which has no
// deadline, inside its handling transaction when the service has no
// outbox: Config.CallTimeout ends it when the endpoint stops answering.
func TestTransport_CallTimeoutEndsAPublishToAFrozenEndpoint(t *testing.T) {
	sq, sn := newFakes()
	frozen := &freezableSQS{SQSAPI: sq}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: frozen, SNS: sn}, awsbus.Config{CallTimeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	frozen.frozen.Store(true)

	m := message.NewMessage("11111111-1111-4111-8111-111111111111", []byte(`{"id":"o-1"}`))
	m.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	m.Metadata.Set(sourceflow.MetaEntityID, "o-1")
	m.Metadata.Set(sourceflow.MetaMessageID, m.UUID)
	done := make(chan error, 1)
	go func() { done <- pub.Publish("orders.fifo", m) }() // its context: none, no deadline
	select {
	case err := <-done:
		require.ErrorIs(t, err, awsbus.ErrPublishFailed)
		assert.Contains(t, err.Error(), "did not answer within 1s (the publish timeout: Config.CallTimeout)")
	case <-time.After(30 * time.Second):
		t.Fatal("a publish to an endpoint that never answers still blocked after 30s; CallTimeout is 1s")
	}
}
