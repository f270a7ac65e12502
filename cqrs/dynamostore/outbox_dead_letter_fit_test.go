package dynamostore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// A message an earlier version wrote within a few bytes of DynamoDB's item
// limit (it kept no room for the sweep), which the inner transport refuses
// for good, is dead-lettered with a reason cut to the room its item has
// left, its message whole, rather than skipped at every sweep because its
// dead letter, with the reason and the dead-letter partition's longer key,
// no longer fits. The shard's later messages go out.
func TestOutboxSweepDeadLettersAMessageWrittenCloseToTheItemLimit(t *testing.T) {
	for _, room := range []int{30, 100, 300} {
		big := closeToLimit(t, room)
		var mu sync.Mutex
		var dead map[string]types.AttributeValue
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			switch op {
			case "Query":
				if !strings.Contains(body, `"svc#0"`) {
					return http.StatusOK, `{"Items":[]}`
				}
				return http.StatusOK, `{"Items":[` + big + `,` + smallItem + `]}`
			case "TransactWriteItems":
				put := transactPut(t, body)
				if dynamo.ItemSize(put) > dynamo.MaxItemSize {
					return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
						`"message":"Transaction cancelled","CancellationReasons":[{"Code":"None"},` +
						`{"Code":"ValidationError","Message":"Item size has exceeded the maximum allowed size"}]}`
				}
				mu.Lock()
				dead = put
				mu.Unlock()
			}
			return 0, ""
		}}
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if m.UUID == "big" {
				return sourceflow.Permanent(errors.New("the destination refuses messages over 256 KiB"))
			}
			return nil
		}}
		_, o := fakeOutbox(t, f, inner)

		n, err := o.Sweep(context.Background())
		require.NoError(t, err, "room %d", room)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"small"}, inner.uuids())
		assert.Zero(t, o.SkippedMessages(), "room %d", room)
		assert.Equal(t, map[string]int64{"events": 1}, o.DeadLettersByDestination(), "room %d", room)
		mu.Lock()
		var it outboxItem
		require.NoError(t, attributevalue.UnmarshalMap(dead, &it))
		mu.Unlock()
		assert.Equal(t, "svc#0#dead", it.PK)
		assert.NotEmpty(t, it.Failure, "the dead letter keeps a reason")
		const cause = "the destination refuses messages over 256 KiB"
		assert.True(t, it.Failure == `publish to "events": `+cause || strings.HasPrefix(cause, it.Failure),
			"room %d: the reason, whole or cut, names the cause: %q", room, it.Failure)
		assert.LessOrEqual(t, len(it.Failure), len(`publish to "events": the destination refuses messages over 256 KiB`))
		assert.Len(t, it.Payload, bigPayload(t, room), "the message is kept whole")
	}
}

// smallItem is an outbox item of shard svc#0 written after closeToLimit's.
const smallItem = `{"pk":{"S":"svc#0"},"sk":{"S":"0000000000000000002#000#small#events"},` +
	`"uuid":{"S":"small"},"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="}}`

// closeToLimit returns, as DynamoDB's JSON, the outbox item "big" of shard
// svc#0, room bytes under dynamo.MaxItemSize.
func closeToLimit(t *testing.T, room int) string {
	t.Helper()
	return `{"pk":{"S":"svc#0"},"sk":{"S":"0000000000000000001#000#big#events"},"uuid":{"S":"big"},` +
		`"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"` +
		base64.StdEncoding.EncodeToString(make([]byte, bigPayload(t, room))) + `"}}`
}

// bigPayload is the payload size of closeToLimit's item.
func bigPayload(t *testing.T, room int) int {
	t.Helper()
	av, err := attributevalue.MarshalMap(outboxItem{PK: "svc#0", SK: "0000000000000000001#000#big#events",
		UUID: "big", Destination: "events", Metadata: map[string]string{}, Payload: []byte{}})
	require.NoError(t, err)
	return dynamo.MaxItemSize - room - dynamo.ItemSize(av)
}

// transactPut returns the item a TransactWriteItems request puts.
func transactPut(t *testing.T, body string) map[string]types.AttributeValue {
	t.Helper()
	var in struct {
		TransactItems []struct {
			Put *struct{ Item map[string]json.RawMessage }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &in))
	for _, ti := range in.TransactItems {
		if ti.Put != nil {
			return attributes(t, ti.Put.Item)
		}
	}
	return nil
}

// attributes decodes the attribute values of DynamoDB's JSON an outbox
// item holds.
func attributes(t *testing.T, raw map[string]json.RawMessage) map[string]types.AttributeValue {
	t.Helper()
	out := make(map[string]types.AttributeValue, len(raw))
	for name, r := range raw {
		var v struct {
			S, N *string
			B    []byte
			M    map[string]json.RawMessage
		}
		require.NoError(t, json.Unmarshal(r, &v))
		switch {
		case v.S != nil:
			out[name] = &types.AttributeValueMemberS{Value: *v.S}
		case v.N != nil:
			out[name] = &types.AttributeValueMemberN{Value: *v.N}
		case v.M != nil:
			out[name] = &types.AttributeValueMemberM{Value: attributes(t, v.M)}
		default:
			out[name] = &types.AttributeValueMemberB{Value: v.B}
		}
	}
	return out
}
