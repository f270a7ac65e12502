package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// RedriveWith with Where returns only the dead letters it selects, each with one
// more redrive counted, which the sweep relays with it; the others stay
// dead letters, and a selection that matches none returns nothing.
func TestOutboxRedriveWithWhereReturnsOnlyTheSelectedDeadLettersCountingTheRedrive(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	inner := &innerTransport{unknown: map[string]bool{"gone": true, "moved": true}}
	o := newOutbox(t, st, inner)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		return publishIn(ctx, t, o, "gone", "m-stays")
	}))
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error {
		return publishIn(ctx, t, o, "moved", "m-back")
	}))
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := o.Sweep(ctx)
		assert.NoError(c, err)
		dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 10})
		assert.NoError(c, err)
		assert.Len(c, dead, 2)
	}, 20*time.Second, 100*time.Millisecond)

	n, err := o.RedriveWith(ctx, dynamostore.OutboxRedriveOptions{Where: func(dynamostore.OutboxDeadLetter) bool { return false }})
	require.NoError(t, err)
	assert.Zero(t, n, "a selection that matches none returns nothing")

	inner.mu.Lock()
	inner.unknown = map[string]bool{}
	inner.mu.Unlock()
	n, err = o.RedriveWith(ctx, dynamostore.OutboxRedriveOptions{Where: func(dl dynamostore.OutboxDeadLetter) bool {
		return dl.Destination == "moved" && !dl.Written.IsZero()
	}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	relayed, err := o.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, relayed)
	require.Equal(t, []string{"m-back"}, inner.uuids("moved"))
	assert.Equal(t, "1", sentTo(inner, "moved")[0].Metadata.Get(sourceflow.MetaRedrives), "the redrive is counted on the relayed message")
	assert.NotEmpty(t, sentTo(inner, "moved")[0].Metadata.Get(sourceflow.MetaRedrivenAt))

	dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 10})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "m-stays", dead[0].Message.UUID, "what was not selected stays a dead letter")
	assert.Empty(t, dead[0].Message.Metadata.Get(sourceflow.MetaRedrives))
}

// sentTo returns the messages inner relayed to destination.
func sentTo(inner *innerTransport, destination string) []*message.Message {
	inner.mu.Lock()
	defer inner.mu.Unlock()
	var out []*message.Message
	for i, m := range inner.sent {
		if inner.dests[i] == destination {
			out = append(out, m)
		}
	}
	return out
}
