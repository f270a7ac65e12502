package cqrs_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// settlingSubscriber hands over one message and, once it is acked, settles
// the ack asynchronously, as watermill-aws deletes it: the message's context
// ends settle after the ack.
type settlingSubscriber struct {
	msg    *message.Message
	settle time.Duration
}

func (s *settlingSubscriber) Subscribe(ctx context.Context, _ string) (<-chan *message.Message, error) {
	out := make(chan *message.Message)
	mctx, settled := context.WithCancel(ctx)
	s.msg.SetContext(mctx)
	go func() {
		defer close(out)
		defer settled()
		select {
		case out <- s.msg:
		case <-ctx.Done():
			return
		}
		select {
		case <-s.msg.Acked():
			time.AfterFunc(s.settle, settled)
		case <-s.msg.Nacked():
		case <-ctx.Done():
			return
		}
		<-ctx.Done()
	}()
	return out, nil
}

func (s *settlingSubscriber) Close() error { return nil }

// A delivery acked while its subscription drains ends only once the
// Pub/Sub settled the ack (ended the message's context), so the inner
// subscription is not closed under a delete in progress.
func TestPubSubDrainWaitsForTheAckToSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const settle = 300 * time.Millisecond
		orig := message.NewMessage("m1", nil)
		sub := handOverTransport(t, newPubSubRig(t), &settlingSubscriber{msg: orig, settle: settle}, cqrs.PubSubConfig{})
		ctx, cancel := context.WithCancel(context.Background())
		out, err := sub.Subscribe(ctx, "cmds")
		require.NoError(t, err)
		m := <-out
		cancel()
		acked := time.Now()
		m.Ack()
		for range out {
		}
		assert.GreaterOrEqual(t, time.Since(acked), settle, "the delivery ended before the ack settled")
		require.NoError(t, sub.Close())
	})
}
