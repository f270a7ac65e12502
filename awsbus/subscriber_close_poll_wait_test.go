package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A subscriber whose ShutdownTimeout (5s) is shorter than its WaitTime
// (20s), closed while idle, on a fake that, as SQS, goes on with a poll its
// caller gave up: its long polls are short enough to end before the
// shutdown deadline, so Close cuts none, and a message sent once Close
// returned reaches a subscriber started after it at once, instead of
// staying invisible for the 120s visibility timeout, taken by a poll the
// closed subscriber gave up. In the synctest bubble the clock jumps over
// the waits.
func TestSubscriberCloseWithShutdownTimeoutBelowWaitTimeCutsNoPoll(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const shutdown = 5 * time.Second
				consumer := awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: shutdown}
				w := newWireOn(t, awsbustest.NewSQS(awsbustest.SQSConfig{KeepCanceledPolls: true}), name, 5,
					awsbus.SubscriberConfig{ConsumerConfig: consumer})
				logs := watermill.NewCaptureLogger()
				first := subscriberOn(t, w, awsbus.SubscriberConfig{Logger: logs, ConsumerConfig: consumer}, func(*topology.Endpoint) {})
				_, err := first.Subscribe(context.Background(), name)
				require.NoError(t, err)
				synctest.Wait()

				began := time.Now()
				require.NoError(t, first.Close())
				assert.Less(t, time.Since(began), shutdown, "the poll under way ends before the shutdown deadline")
				for _, m := range logs.Captured()[watermill.InfoLogLevel] {
					assert.NotContains(t, m.Msg, "Long poll cut")
				}
				require.NoError(t, w.pub.Publish(name, command("after-close", "e")))
				synctest.Wait() // a poll still waiting at SQS would take it now
				requireReceivedOnRestart(t, w, name, consumer)
			})
		})
	}
}
