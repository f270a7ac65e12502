package awsbus_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// shortAnswerSQS is the SQS fake whose SendMessageBatch answer leaves out
// the last successful entry, as a garbled or truncated response would.
type shortAnswerSQS struct {
	*awsbustest.SQS
}

func (s shortAnswerSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	out, err := s.SQS.SendMessageBatch(ctx, in, opts...)
	if err == nil && len(out.Successful) > 0 {
		out.Successful = out.Successful[:len(out.Successful)-1]
	}
	return out, err
}

// TestPublisherCountsOnlyConfirmedEntries checks that a batch entry AWS's
// answer lists neither as successful nor as failed is reported as not
// confirmed, never taken as sent.
func TestPublisherCountsOnlyConfirmedEntries(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "orders")
	ep := topology.Endpoint{Name: "orders", Kind: sourceflow.KindCommand, QueueURL: url}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: shortAnswerSQS{f},
		Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
	require.NoError(t, err)

	err = pub.Publish("orders", command("a", "e"), command("b", "e"), command("c", "e"))
	var pe *awsbus.PublishError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Failed, 1)
	assert.Equal(t, "uuid-c", pe.Failed[0].UUID)
	assert.Contains(t, pe.Failed[0].Reason, "not confirmed")
}
