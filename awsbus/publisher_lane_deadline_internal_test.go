package awsbus

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
)

// hangingSQS never answers a send: a call returns only when its context
// ends, as an endpoint that accepts the connection and never responds.
type hangingSQS struct{ SQSAPI }

func (h hangingSQS) SendMessage(ctx context.Context, _ *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (h hangingSQS) SendMessageBatch(ctx context.Context, _ *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// Publish: "Its context ending before AWS answered returns an error ...;
// one caller's short deadline fails no other's message". A publish that
// finds a call slot free runs the lane's call itself; when another
// publish, without a deadline, joined the lane between the two (here it is
// put there first, the state that interleaving leaves), the call carries no
// deadline, and the first publish stays blocked in it past its own.
func TestPublishOneThatRunsTheCallHonoursItsDeadline(t *testing.T) {
	r := newLaneRig(t)
	r.pub.cfg.SQS = hangingSQS{r.fake}
	o, err := r.pub.prepare(r.ep, []*message.Message{laneCommand(context.Background(), "other")})
	require.NoError(t, err)
	l := r.pub.lane(r.ep)
	l.mu.Lock()
	l.waiting = append(l.waiting, &waiter{o: o[0], done: make(chan []FailedMessage, 1)})
	l.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.pub.Publish("orders", laneCommand(ctx, "mine")) }()
	select {
	case err := <-done:
		require.Error(t, err, "AWS never answered")
	case <-time.After(10 * time.Second):
		t.Fatal("Publish with a 200ms deadline still blocked after 10s: it runs a call without its deadline")
	}
}
