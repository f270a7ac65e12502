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

// A message whose dead letter was refused, and which the Pub/Sub then took
// back from the delivery it got for that, is dead-lettered without another
// delivery with the reason of the refused dead letter and with where its
// handler failed (sourceflow.MetaFailedHost, MetaFailedVersion), as any
// dead letter a handler's failure causes, also after that dead letter was
// refused again.
func TestPastLastKeepsWhereTheHandlerFailed(t *testing.T) {
	var buried []*message.Message
	dlqDown := true
	r := redelivery{maxDeliveries: 1, counts: &deliveryCounts{},
		deadLetter: func(_ string, m *message.Message, _ string, _ int) error {
			buried = append(buried, m)
			if dlqDown {
				return errors.New("dead-letter topic unreachable")
			}
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no pause after a failed dead letter
	id := message.NewMessage("m", nil).UUID
	failed := freshCopy(message.NewMessage(id, nil))
	failed.Metadata.Set(sourceflow.MetaFailure, "permanent: unknown order")
	failedOrigin{host: "host-a", version: "v1.2.3"}.mark(failed)
	r.counts.handed(id, 1)
	r.nacked(ctx, nil, "dest", message.NewMessage(id, nil), failed, 1) // its dead letter is refused
	// the delivery it got for that, which the Pub/Sub took back:
	r.counts.handed(id, 2)
	require.True(t, r.pastLast(ctx, nil, "dest", message.NewMessage(id, nil), r.counts.prior(id)), "refused again")
	dlqDown = false
	require.True(t, r.pastLast(ctx, nil, "dest", message.NewMessage(id, nil), r.counts.prior(id)))
	require.Len(t, buried, 3)
	for i, dl := range buried {
		assert.Equal(t, "permanent: unknown order", dl.Metadata.Get(sourceflow.MetaFailure), i)
		assert.Equal(t, "host-a", dl.Metadata.Get(sourceflow.MetaFailedHost), i)
		assert.Equal(t, "v1.2.3", dl.Metadata.Get(sourceflow.MetaFailedVersion), i)
	}
}
