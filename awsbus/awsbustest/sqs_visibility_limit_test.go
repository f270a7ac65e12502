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

// SQS refuses a visibility timeout that would end more than 12 hours after
// the message was received, counted from that receive, not from the
// change. In the synctest bubble the clock jumps over the hours at once.
func TestSQSVisibilityEndsWithin12HoursOfTheReceive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := awsbustest.NewSQS(awsbustest.SQSConfig{})
		url := createQueue(t, f, "held", nil)
		send(t, f, url, "m", "")
		ctx := context.Background()
		handle := receiveHeld(t, f, url)
		change := func(seconds int32) error {
			_, err := f.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: &url, ReceiptHandle: handle, VisibilityTimeout: seconds,
			})
			return err
		}
		batchChange := func(seconds int32) *types.BatchResultErrorEntry {
			out, err := f.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
				QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
					{Id: aws.String("0"), ReceiptHandle: handle, VisibilityTimeout: seconds},
				},
			})
			require.NoError(t, err)
			if len(out.Failed) == 0 {
				return nil
			}
			return &out.Failed[0]
		}

		time.Sleep(12*time.Hour - time.Minute)
		assert.Equal(t, "InvalidParameterValue", code(change(61)), "would end a second past the limit")
		failed := batchChange(61)
		require.NotNil(t, failed, "a batch entry is refused alike")
		assert.Equal(t, "InvalidParameterValue", aws.ToString(failed.Code))
		assert.True(t, failed.SenderFault)
		require.NoError(t, change(60), "ends right at the limit")
		assert.Nil(t, batchChange(30))
		assert.True(t, f.Messages(url)[0].InFlight, "a refused change left the message in flight")

		require.NoError(t, change(0))
		handle = receiveHeld(t, f, url)
		time.Sleep(time.Hour)
		assert.NoError(t, change(43200-3600), "the limit counts from the latest receive")
		assert.Equal(t, "InvalidParameterValue", code(change(43200-3599)))
	})
}

// receiveHeld receives the one message of url for 12 hours and returns its
// receipt handle.
func receiveHeld(t *testing.T, f *awsbustest.SQS, url string) *string {
	t.Helper()
	out, err := f.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 43200})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	return out.Messages[0].ReceiptHandle
}
