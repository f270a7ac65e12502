package awsbustest_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// With NewQueueDelay a new queue answers QueueDoesNotExist, by URL and by
// name, until the delay has passed; CreateQueue returns its URL meanwhile.
// In the synctest bubble the clock jumps over the delay at once.
func TestSQSNewQueueDelayHidesANewQueueForAWhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := awsbustest.NewSQS(awsbustest.SQSConfig{NewQueueDelay: 2 * time.Second})
		url := createQueue(t, f, "fresh", nil)
		ctx := context.Background()
		calls := func() map[string]error {
			_, byName := f.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("fresh")})
			_, attrs := f.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url})
			_, sent := f.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("m")})
			_, got := f.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
			return map[string]error{"GetQueueUrl": byName, "GetQueueAttributes": attrs, "SendMessage": sent, "ReceiveMessage": got}
		}

		for op, err := range calls() {
			var missing *types.QueueDoesNotExist
			assert.ErrorAs(t, err, &missing, op)
		}
		assert.Equal(t, url, createQueue(t, f, "fresh", nil), "created again, same URL")
		assert.Equal(t, url, f.QueueURL("fresh"), "the test's own view is not delayed")

		time.Sleep(2 * time.Second)
		for op, err := range calls() {
			assert.NoError(t, err, op)
		}
		assert.Len(t, f.Messages(url), 1)

		other := createQueue(t, f, "later", nil)
		_, err := f.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &other})
		var missing *types.QueueDoesNotExist
		assert.ErrorAs(t, err, &missing, "every new queue is hidden for the delay")
	})
}

func TestSQSShowsANewQueueAtOnceByDefault(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	url := createQueue(t, f, "fresh", nil)
	_, err := f.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url})
	require.NoError(t, err)
}
