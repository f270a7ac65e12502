package awsbus_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// TestPublisherFIFOKeepsGroupOrderOnEntryFailure fails the first entry of
// a batch whose later entry has the same group, then retries the whole
// Publish as Watermill does: the group must still land in publish order.
func TestPublisherFIFOKeepsGroupOrderOnEntryFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target func(t *testing.T) batchTarget
	}{
		{"FIFO queue", func(t *testing.T) batchTarget { return sqsTarget(t, "orders.fifo") }},
		{"FIFO topic", func(t *testing.T) batchTarget { return snsTarget(t, "order-events") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target(t)
			msgs := []*message.Message{command("a1", "a"), command("a2", "a"), command("b1", "b"), command("a3", "a")}
			tg.faults.FailNextEntries(tg.op, 1) // a1, on AWS's side
			var pe *awsbus.PublishError
			require.ErrorAs(t, tg.pub.Publish(tg.dest, msgs...), &pe)
			require.NotEmpty(t, pe.Failed)
			assert.Equal(t, "uuid-a1", pe.Failed[0].UUID)

			require.NoError(t, tg.pub.Publish(tg.dest, msgs...), "the retry of the whole call")
			var groupA []string
			for _, m := range tg.landed() {
				if m.GroupID == "a" {
					groupA = append(groupA, m.DeduplicationID)
				}
			}
			assert.Equal(t, []string{"a1", "a2", "a3"}, groupA, "group a in publish order")
			assert.Len(t, tg.landed(), 4, "every message once")
		})
	}
}

// TestPublisherFIFOBatchesDistinctGroups checks that a FIFO batch call
// carries at most one message of each group, and that messages of
// different groups still share calls.
func TestPublisherFIFOBatchesDistinctGroups(t *testing.T) {
	tg := sqsTarget(t, "orders.fifo")
	var msgs []*message.Message
	for _, id := range []string{"a1", "b1", "a2", "c1", "b2", "a3"} {
		msgs = append(msgs, command(id, id[:1]))
	}
	require.NoError(t, tg.pub.Publish(tg.dest, msgs...))
	assert.Equal(t, 3, tg.faults.Calls(tg.op), "[a1 b1 c1] [a2 b2] [a3]")
	var order []string
	for _, m := range tg.landed() {
		order = append(order, m.DeduplicationID)
	}
	assert.Equal(t, []string{"a1", "b1", "c1", "a2", "b2", "a3"}, order)
}
