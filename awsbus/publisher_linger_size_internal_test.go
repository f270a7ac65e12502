package awsbus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PublisherConfig.Linger: a lingering call leaves "with all of them (up to
// 10, or the service's size limit, which leave at once)". Two publishes
// that together exceed the SQS batch size cannot share a call, so the first
// one's call must leave at once instead of lingering.
func TestPublishLingerSendsAtOnceWhenTheSizeLimitIsReached(t *testing.T) {
	r := lingerRig(t) // Linger = 1h: only a full batch or Close ends it
	big := func(id string) string { return id + "-" + strings.Repeat("x", 600<<10) }
	results := make(chan error, 2)
	for _, id := range []string{"a", "b"} {
		go func() {
			msg := laneCommand(context.Background(), id)
			msg.Payload = []byte(big(id)) // 600 KiB: two exceed the 1 MiB of one SendMessageBatch
			results <- r.pub.Publish("orders", msg)
		}()
	}
	sent := assert.Eventually(t, func() bool { return len(r.fake.Messages(r.ep.QueueURL)) > 0 },
		10*time.Second, 10*time.Millisecond,
		"1.2 MiB waits in the lane, over the 1 MiB one call carries: the first call should leave at once")
	require.NoError(t, r.pub.Close()) // ends the linger
	for range 2 {
		require.NoError(t, <-results)
	}
	if !sent {
		t.FailNow()
	}
}
