package dynamostore

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The outbox's sweep, its dead letters and the views name their table and
// the remedy too when DynamoDB still throttles them after every retry.
func TestDynFaultThrottledOutboxAndViewsNameTheTableAndTheRemedy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{answer: func(string, string) (int, string) {
			return awsFault("ProvisionedThroughputExceededException",
				"The level of configured provisioned throughput for the table was exceeded.")
		}}
		st, o := fakeOutbox(t, f, &recordingTransport{})

		_, err := o.Sweep(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sourceflow_outbox", "the error names no table")
		assert.Contains(t, err.Error(), "capacity", "the error says nothing of what to do")

		_, err = o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: 1000})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sourceflow_outbox", "the error names no table")
		assert.Contains(t, err.Error(), "capacity", "the error says nothing of what to do")

		err = st.Views().Save(context.Background(), "order", "v1", []byte("{}"), 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sourceflow_views", "the error names no table")
		assert.Contains(t, err.Error(), "capacity", "the error says nothing of what to do")
	})
}
