package awsbustest_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// A long poll whose caller gave up takes nothing by default; with
// KeepCanceledPolls it goes on as SQS's does, taking a message that
// arrives before its wait ends, which stays invisible for its visibility
// timeout. In the synctest bubble the clock jumps over the waits.
func TestSQSCanceledLongPoll(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(map[bool]string{false: "ends", true: "kept"}[keep], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := awsbustest.NewSQS(awsbustest.SQSConfig{KeepCanceledPolls: keep})
				url := createQueue(t, f, "polled", nil)
				ctx, cancel := context.WithCancel(context.Background())
				polled := make(chan error, 1)
				go func() {
					_, err := f.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20, VisibilityTimeout: 120})
					polled <- err
				}()
				synctest.Wait()
				cancel()
				require.ErrorIs(t, <-polled, context.Canceled)
				send(t, f, url, "m", "")
				synctest.Wait()

				msgs := f.Messages(url)
				require.Len(t, msgs, 1)
				assert.Equal(t, keep, msgs[0].InFlight, "taken by the given-up poll")
				time.Sleep(20 * time.Second) // the given-up poll's wait ends
			})
		})
	}
}
