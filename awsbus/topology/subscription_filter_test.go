package topology_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that only consumes a topic, handling one of the types its
// producer raises there, receives that type only: a type it does not handle
// (another consumer's, or one the producer adds later) is filtered out by
// SNS instead of reaching its queue and being dead-lettered as unknown.
func TestTopology_AConsumerReceivesOnlyTheTypesItHandles(t *testing.T) {
	sq, sn := newFakes()
	shipping := sourceflow.Binding{
		Service: "shipping",
		Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}},
		},
	}
	eps, _ := createFor(t, sq, sn, topology.Options{}, shipping)
	ep := eps["order-events"]
	for _, typ := range []string{"orders.OrderCancelled", "orders.OrderPlaced"} {
		_, err := sn.Publish(context.Background(), &sns.PublishInput{
			TopicArn: aws.String(ep.TopicARN), Message: aws.String(`{"type":"` + typ + `"}`),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String(typ)},
			},
		})
		require.NoError(t, err)
	}
	got := sq.Messages(ep.QueueURL)
	require.Len(t, got, 1, "only the handled type reaches the queue")
	assert.Equal(t, "orders.OrderPlaced", got[0].Attributes[sourceflow.MetaType])
	assert.Empty(t, sq.Messages(ep.DLQURL))
}
