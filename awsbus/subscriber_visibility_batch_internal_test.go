package awsbus

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// stallFirstBatchSQS never answers the first ChangeMessageVisibilityBatch
// call made through it: that call returns only when its context ends, as
// against an endpoint that accepted the connection and went silent. The
// later calls reach the wrapped SQS.
type stallFirstBatchSQS struct {
	SQSAPI
	calls atomic.Int32
}

func (s *stallFirstBatchSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if s.calls.Add(1) == 1 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.SQSAPI.ChangeMessageVisibilityBatch(ctx, in, o...)
}

// returned reports whether done is closed.
func returned(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// A renewal call SQS does not answer holds up its own ten messages only:
// the other batches of the tick are renewed at once, not one call timeout
// later each (long enough for them to reappear and be delivered a second
// time). The tick still waits for the silent call, so the next one cannot
// renew its messages a second time meanwhile. In the synctest bubble the
// clock jumps over the call's timeout.
func TestHeartbeatRenewsTheOtherBatchesWhileOneCallHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sub, f := heldSubscription(t, 30, time.Minute)
		stall := &stallFirstBatchSQS{SQSAPI: f}
		sub.cfg.SQS = stall
		start := time.Now()
		done := make(chan struct{})

		go func() {
			defer close(done)
			sub.renewDue(time.Minute)
		}()
		synctest.Wait()

		assert.EqualValues(t, 3, stall.calls.Load(), "every batch's call made at once")
		assert.Equal(t, 20, renewedAt(sub, start), "the two batches SQS answers renewed at once")
		assert.False(t, returned(done), "the tick waits for the silent call")
		<-done
		assert.Equal(t, callTimeout, time.Since(start), "the silent call ends at its timeout")
		assert.Equal(t, 20, renewedAt(sub, start), "the silent call's messages are not marked renewed")
	})
}

// renewedAt counts the owned messages last renewed at at.
func renewedAt(sub *subscription, at time.Time) int {
	n := 0
	for _, e := range extendedAt(sub) {
		if e.Equal(at) {
			n++
		}
	}
	return n
}

// A release call SQS does not answer holds up its own ten messages only:
// the others are made visible at once, and their slots are freed as their
// own call ends, not when the silent one does. 21 held messages are two
// batch calls and one ChangeMessageVisibility.
func TestReleaseFreesTheOtherBatchesWhileOneCallHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 21
		sub, f := heldSubscription(t, n, time.Minute)
		sub.cfg.SQS = &stallFirstBatchSQS{SQSAPI: f}
		sub.slots = make(chan struct{}, n)
		var held []*delivery
		for d := range sub.owned {
			held = append(held, d)
			sub.slots <- struct{}{}
		}
		start := time.Now()
		done := make(chan struct{})

		go func() {
			defer close(done)
			sub.releaseAll(held)
		}()
		synctest.Wait()

		assert.Equal(t, n-10, visible(f, sub.ep.QueueURL), "the messages SQS answers for are visible again")
		assert.Len(t, sub.slots, 10, "their slots are free; the silent call's ten are not yet")
		assert.False(t, returned(done), "releaseAll waits for the silent call")
		<-done
		assert.Equal(t, callTimeout, time.Since(start), "the silent call ends at its timeout")
		assert.Empty(t, sub.slots, "every slot freed")
		assert.Equal(t, n-10, visible(f, sub.ep.QueueURL), "the silent call's messages return after their visibility timeout")
	})
}

// visible counts the messages of the queue at url that are not in flight.
func visible(f *awsbustest.SQS, url string) int {
	n := 0
	for _, m := range f.Messages(url) {
		if !m.InFlight {
			n++
		}
	}
	return n
}
