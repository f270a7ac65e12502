package dynamostore

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A dead-lettering DynamoDB refuses for the dead letter's size cancels the
// move's transaction with a ValidationError reason (as DynamoDB cancels a
// TransactWriteItems whose item grows past 400 KB): the message is skipped
// and counted as a refused UpdateItem is, and the shard's later messages go
// out, rather than the shard's sweep ending there at every sweep.
func TestOutboxSweepSkipsAMessageWhoseDeadLetterIsTooLarge(t *testing.T) {
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch op {
		case "Query":
			return shardItems(body, "poison", "small")
		case "TransactWriteItems":
			return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]",` +
				`"CancellationReasons":[{"Code":"None"},{"Code":"ValidationError","Message":"Item size has exceeded the maximum allowed size"}]}`
		}
		return 0, ""
	}}
	inner := &recordingTransport{publish: func(m *message.Message) error {
		if m.UUID == "poison" {
			return sourceflow.Permanent(errors.New("poison refused"))
		}
		return nil
	}}
	_, o := fakeOutbox(t, f, inner)

	n, err := o.Sweep(context.Background())
	require.Error(t, err, "a sweep that skipped a message does not report success")
	assert.Contains(t, err.Error(), `message poison for "events" skipped`)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"small"}, inner.uuids(), "the shard's later message went out")
	assert.Equal(t, int64(1), o.SkippedMessages())
	assert.Empty(t, o.DeadLettersByDestination(), "nothing was kept")
}
