//go:build integration

package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A subscriber whose ShutdownTimeout (5s) is shorter than its WaitTime
// (20s), closed while its long poll waits on an empty queue: the poll ends
// before the shutdown deadline, so Close cuts none, and a message sent once
// Close returned reaches a subscriber started after it within seconds,
// instead of SQS handing it to a poll the closed subscriber gave up and
// keeping it invisible (on FIFO, its group with it) for the 120s
// visibility timeout.
func TestAWSBusCloseWithShutdownTimeoutBelowWaitTimeLosesNoMessage(t *testing.T) {
	for _, suffix := range []string{"", ".fifo"} {
		t.Run("queue"+suffix, func(t *testing.T) {
			t.Parallel()
			const shutdown = 5 * time.Second
			r := newClosePollRig(t, uniqueName("close-wait", suffix),
				awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: shutdown})
			began := time.Now()
			require.NoError(t, r.first.Close())
			took := time.Since(began)
			t.Logf("Close took %v", took.Round(time.Millisecond))
			assert.Less(t, took, shutdown, "the poll under way ends before the shutdown deadline")
			require.NoError(t, r.pub.Publish(r.ep.Name, flowCommand("after-close", "e-1")))
			r.requireReceivedOnRestart(t)
		})
	}
}
