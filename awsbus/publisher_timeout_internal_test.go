package awsbus

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
)

// A handler publishes on its message's context, which awsbus gives no
// deadline, often inside its handling transaction (transactional
// idempotency, no outbox): an endpoint that accepts the connection and
// never answers (a frozen or partitioned AWS endpoint) held the publish,
// and the transaction, until it answered again. PublisherConfig.Timeout
// bounds every Publish, its wait for a call slot included.
func TestPublishWithoutDeadlineEndsAtTheTimeout(t *testing.T) {
	for _, n := range []int{1, maxCallsPerDestination + 2, 3} {
		r := newLaneRig(t)
		r.pub.cfg.SQS = hangingSQS{r.fake}
		r.pub.cfg.Timeout = 200 * time.Millisecond
		done := make(chan error, n)
		if n == 3 { // one Publish of several messages: batch calls
			msgs := []*message.Message{laneCommand(context.Background(), "a"), laneCommand(context.Background(), "b"), laneCommand(context.Background(), "c")}
			go func() { done <- r.pub.Publish("orders", msgs...) }()
			n = 1
		} else {
			for i := range n {
				go func() { done <- r.pub.Publish("orders", laneCommand(context.Background(), string(rune('a'+i)))) }()
			}
		}
		for range n {
			select {
			case err := <-done:
				require.ErrorContains(t, err, "Config.CallTimeout")
			case <-time.After(10 * time.Second):
				t.Fatal("a Publish without a deadline to an endpoint that never answers still blocked after 10s; Timeout is 200ms")
			}
		}
	}
}
