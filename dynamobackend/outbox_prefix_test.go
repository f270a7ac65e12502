package dynamobackend_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// failingTransport has a publisher for every destination whose publishes
// fail, so that the outbox's relay after commit leaves its messages in the
// table.
type failingTransport struct{}

func (failingTransport) Bind(context.Context, sourceflow.Binding) error { return nil }
func (failingTransport) Subscriber(string) (message.Subscriber, error) {
	return nil, errors.New("no subscriber")
}
func (failingTransport) Close() error                                  { return nil }
func (f failingTransport) Publisher(string) (message.Publisher, error) { return f, nil }
func (failingTransport) Publish(string, ...*message.Message) error {
	return errors.New("relay failed")
}

// With OutboxPrefix, a service's outbox is named <OutboxPrefix><service>,
// so that deployments sharing one TablePrefix, each with its own
// OutboxPrefix, keep their outbox messages apart (each sweep relays only
// its own outbox's).
func TestConfigure_NamesTheOutboxWithOutboxPrefix(t *testing.T) {
	ctx := context.Background()
	b, client := open(t, dynamobackend.Config{Outbox: true, OutboxPrefix: "blue-"})
	cfg := cqrs.ServiceConfig{Name: "orders", Transport: failingTransport{}}
	require.NoError(t, b.Configure(ctx, &cfg))
	require.NoError(t, b.Store().WithinTx(ctx, func(ctx context.Context) error {
		pub, err := cfg.Transport.Publisher("payments")
		if err != nil {
			return err
		}
		m := message.NewMessage("m-1", []byte("{}"))
		m.SetContext(ctx)
		return pub.Publish("payments", m)
	}))

	table := strings.TrimSuffix(b.Store().Tables()[0].Name, "commands") + "outbox"
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	require.Len(t, out.Items, 1, "the failed relay left the message in the outbox")
	var it struct {
		PK string `dynamodbav:"pk"`
	}
	require.NoError(t, attributevalue.UnmarshalMap(out.Items[0], &it))
	assert.True(t, strings.HasPrefix(it.PK, "blue-orders#"), it.PK)
}
