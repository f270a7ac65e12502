package cqrs

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A copy acked just as the Pub/Sub took its message back acks the message:
// it is settled, so its count is forgotten, and a later message with its
// id (a publisher's duplicate) starts counting from one.
func TestAbandonedAckForgetsTheCount(t *testing.T) {
	r := redelivery{maxDeliveries: 3, counts: &deliveryCounts{}}
	orig := message.NewMessage("m", nil)
	r.counts.handed(orig.UUID, 4)
	m := freshCopy(orig)
	m.Ack()
	r.abandoned(context.Background(), nil, "dest", orig, m, nil, 4, true)
	select {
	case <-orig.Acked():
	default:
		t.Fatal("the message was not acked")
	}
	assert.Zero(t, r.counts.prior(orig.UUID), "an acked message keeps its count")
}

// A dead letter that could not be published leaves the message with the
// Pub/Sub and its count past MaxDeliveries; when it comes back it is
// delivered again, however often its dead letter was refused. Only when
// the Pub/Sub took it back from that delivery too is it dead-lettered
// without running the handler again, with the reason of the dead letter
// that failed, not an ack deadline that never passed.
func TestPastLastDeliversAgainAMessageWhoseDeadLetterFailed(t *testing.T) {
	var reasons []string
	dlqDown := true
	r := redelivery{maxDeliveries: 1, counts: &deliveryCounts{},
		deadLetter: func(_ string, m *message.Message, reason string, _ int) error {
			reasons = append(reasons, m.Metadata.Get(sourceflow.MetaFailure))
			if dlqDown {
				return errors.New("dead-letter topic unreachable")
			}
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no pause after a failed dead letter
	for range 3 {
		orig := message.NewMessage("m", nil)
		n := r.counts.prior(orig.UUID)
		require.False(t, r.pastLast(ctx, nil, "dest", orig, n), "a message nacked back after its dead letter failed is buried without a delivery")
		failed := freshCopy(orig)
		failed.Metadata.Set(sourceflow.MetaFailure, "permanent: unknown order")
		r.counts.handed(orig.UUID, n+1)
		r.nacked(ctx, nil, "dest", orig, failed, n+1)
		select {
		case <-orig.Nacked():
		default:
			t.Fatal("a message whose dead letter failed was not nacked")
		}
	}
	dlqDown = false
	orig := message.NewMessage("m", nil)
	r.counts.handed(orig.UUID, r.counts.prior(orig.UUID)+1) // a delivery the Pub/Sub took back
	require.True(t, r.pastLast(ctx, nil, "dest", orig, r.counts.prior(orig.UUID)), "the message is past its last delivery")
	assert.Equal(t, "permanent: unknown order", reasons[len(reasons)-1])
	assert.Len(t, reasons, 4)
	assert.Zero(t, r.counts.prior(orig.UUID), "a dead-lettered message keeps its count")
}

// The delivery a message whose dead letter failed gets when it comes back
// is still due when it was not made (its context ended before the consumer
// took it), and spent once it was made: the Pub/Sub taking the message back
// from it then dead-letters it without another.
func TestPastLastKeepsTheDeliveryDueUntilItIsMade(t *testing.T) {
	var buried []int
	r := redelivery{maxDeliveries: 2, counts: &deliveryCounts{},
		deadLetter: func(_ string, _ *message.Message, _ string, deliveries int) error {
			buried = append(buried, deliveries)
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	orig := message.NewMessage("m", nil)
	r.counts.handed(orig.UUID, 3)
	r.counts.refusedDeadLetter(orig.UUID, "failed 3 deliveries", failedOrigin{}, 3)
	r.counts.handed(orig.UUID, 4)
	r.counts.unhanded(orig.UUID, 4) // not taken by the consumer
	require.False(t, r.pastLast(ctx, nil, "dest", orig, r.counts.prior(orig.UUID)), "the due delivery was not made")
	r.counts.handed(orig.UUID, 4)
	require.True(t, r.pastLast(ctx, nil, "dest", orig, r.counts.prior(orig.UUID)), "the due delivery was made and taken back")
	assert.Equal(t, []int{4}, buried)
}

// A message whose dead letter was refused gets one delivery more; when the
// Pub/Sub takes it back from that one too (a handler outlasting the ack
// deadline), its dead letter is tried at each later arrival, without
// another delivery, also while that dead letter is refused: a handler that
// always outlasts the deadline is not run again every other arrival for as
// long as the dead-letter topic is down.
func TestPastLastDoesNotDeliverAgainAfterARefusedDeadLetterOfItsOwn(t *testing.T) {
	var buried []string
	dlqDown := true
	r := redelivery{maxDeliveries: 2, counts: &deliveryCounts{},
		deadLetter: func(_ string, _ *message.Message, reason string, _ int) error {
			buried = append(buried, reason)
			if dlqDown {
				return errors.New("dead-letter topic unreachable")
			}
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no pause after a failed dead letter
	id := message.NewMessage("m", nil).UUID
	r.counts.handed(id, 3)
	r.counts.refusedDeadLetter(id, "failed 3 deliveries", failedOrigin{}, 3)
	r.counts.handed(id, 4) // the delivery it got for that, which the Pub/Sub took back
	for range 3 {
		orig := message.NewMessage(id, nil)
		require.True(t, r.pastLast(ctx, nil, "dest", orig, r.counts.prior(id)), "delivered again though it was taken back from its last delivery")
		select {
		case <-orig.Nacked():
		default:
			t.Fatal("a message whose dead letter was refused is not nacked back")
		}
	}
	dlqDown = false
	orig := message.NewMessage(id, nil)
	require.True(t, r.pastLast(ctx, nil, "dest", orig, r.counts.prior(id)))
	assert.Equal(t, []string{"failed 3 deliveries", "failed 3 deliveries", "failed 3 deliveries", "failed 3 deliveries"}, buried)
	assert.Zero(t, r.counts.prior(id), "a dead-lettered message keeps its count")
}
