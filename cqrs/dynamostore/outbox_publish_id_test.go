package dynamostore

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// The errors of a message the outbox refuses or could not write name its
// UUID as sourceflow.IDText shows it: a handler may publish again a message
// it received, whose UUID its sender chose, long (one that still fits a
// sort key) or holding a newline.
func TestOutboxPublishErrorsBoundTheMessagesUUID(t *testing.T) {
	long := "m\n" + strings.Repeat("u", 900)
	want := "message " + sourceflow.IDText(long) + ` for "events"`

	t.Run("too large", func(t *testing.T) {
		st, o := fakeOutbox(t, &fakeDynamo{}, &recordingTransport{})

		err := publishInTx(t, st, o, long, make([]byte, dynamo.MaxItemSize))

		require.ErrorIs(t, err, ErrTooLarge)
		assert.Contains(t, err.Error(), want+": ")
	})
	t.Run("in a transaction of another client", func(t *testing.T) {
		_, o := fakeOutbox(t, &fakeDynamo{}, &recordingTransport{})
		other, _ := fakeOutbox(t, &fakeDynamo{}, &recordingTransport{})

		err := other.WithinTx(context.Background(), func(ctx context.Context) error { return publishID(ctx, t, o, long) })

		require.ErrorIs(t, err, sourceflow.ErrPermanent)
		assert.Contains(t, err.Error(), want+": ")
	})
	t.Run("not written", func(t *testing.T) {
		st, o := fakeOutbox(t, &fakeDynamo{answer: func(op, _ string) (int, string) {
			if op == "PutItem" {
				return awsFault("ConditionalCheckFailedException", "the condition failed")
			}
			return 0, ""
		}}, &recordingTransport{})

		err := st.WithinTx(context.Background(), func(ctx context.Context) error { return publishID(ctx, t, o, long) })

		require.Error(t, err)
		assert.Contains(t, err.Error(), want+" was not written")
	})
}

// publishID publishes a message of id to "events" through o, with ctx.
func publishID(ctx context.Context, t *testing.T, o *Outbox, id string) error {
	t.Helper()
	pub, err := o.Publisher("events")
	require.NoError(t, err)
	m := message.NewMessage(id, []byte("{}"))
	m.SetContext(ctx)
	return pub.Publish("events", m)
}
