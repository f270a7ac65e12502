package dynamostore

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// A dead letter of a message an earlier version wrote within a few bytes
// of DynamoDB's item limit, which fits as a dead letter (its reason is
// short), is redriven: the message goes back as it was written, with the
// redrive counted only where it fits.
func TestOutboxRedriveReturnsAMessageWrittenCloseToTheItemLimit(t *testing.T) {
	big := strings.Replace(closeToLimit(t, 30), `{"pk":{"S":"svc#0"}`, `{"pk":{"S":"svc#0#dead"},"failure":{"S":"x"}`, 1)
	f := &fakeDynamo{answer: func(op, body string) (int, string) {
		switch op {
		case "Query":
			if !strings.Contains(body, `"svc#0#dead"`) {
				return http.StatusOK, `{"Items":[]}`
			}
			return http.StatusOK, `{"Items":[` + big + `]}`
		case "TransactWriteItems":
			if dynamo.ItemSize(transactPut(t, body)) > dynamo.MaxItemSize {
				return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
					`"message":"Transaction cancelled","CancellationReasons":[{"Code":"None"},` +
					`{"Code":"ValidationError","Message":"Item size has exceeded the maximum allowed size"}]}`
			}
		}
		return 0, ""
	}}
	_, o := fakeOutbox(t, f, &recordingTransport{})
	n, err := o.Redrive(context.Background())
	require.NoError(t, err, "redriving makes the item smaller than its dead letter")
	assert.Equal(t, 1, n)
}
