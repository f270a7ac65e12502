package dynamostore

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A redrive DynamoDB applied but whose answer was lost, sent again, fails
// its condition (an emulator ignores the ClientRequestToken that makes
// DynamoDB answer it as applied): the dead letter gone and the message back
// in its shard show it redriven, so it is counted. A dead letter gone whose
// message is not in its shard (another instance redrove it, and a sweep
// relayed it since) is not.
func TestOutboxRedriveCountsAMoveItAppliedBefore(t *testing.T) {
	item := func(pk, id string) string {
		return `{"pk":{"S":"` + pk + `"},"sk":{"S":"0000000000000000001#000#` + id + `#events"},"uuid":{"S":"` + id + `"},` +
			`"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="}`
	}
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch {
		case op == "Query" && strings.Contains(body, `"svc#0#dead"`):
			return http.StatusOK, `{"Items":[` + item("svc#0#dead", "resent") + `,"failure":{"S":"no publisher"}},` +
				item("svc#0#dead", "relayed") + `,"failure":{"S":"no publisher"}}]}`
		case op == "Query":
			return http.StatusOK, `{"Items":[]}`
		case op == "TransactWriteItems":
			return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"message":"Transaction cancelled","CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"}]}`
		case op == "GetItem" && strings.Contains(body, `"svc#0"`) && strings.Contains(body, "#resent#"):
			return http.StatusOK, `{"Item":` + item("svc#0", "resent") + `}}`
		}
		return 0, ""
	}}
	_, o := fakeOutbox(t, f, &recordingTransport{})

	n, err := o.Redrive(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the redrive applied before is counted, the one of another instance's message gone is not")
	for _, c := range f.ops("GetItem") {
		assert.Contains(t, c.body, `"ConsistentRead":true`)
	}
}
