package dynamostore

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request DynamoDB still throttles after the SDK's and the store's
// retries fails the handling; its error is what an operator reads in the
// log. It must name the table whose capacity ran out (a service's stores
// span four tables, and a transaction several) and what to do about it,
// not only the entity and DynamoDB's generic "the level of configured
// provisioned throughput for the table was exceeded".
func TestDynFaultThrottledErrorNamesTheTableAndTheRemedy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{answer: func(string, string) (int, string) {
			return awsFault("ProvisionedThroughputExceededException",
				"The level of configured provisioned throughput for the table was exceeded.")
		}}
		st, _ := fakeOutbox(t, f, &recordingTransport{})

		_, err := st.Commands().NextSequence(context.Background(), "e1")
		require.Error(t, err)
		assert.Equal(t, RetryStats{Throttled: 8, Exhausted: 1}, st.RetryStats())
		assert.Contains(t, err.Error(), "sourceflow_commands", "the error names no table")
		assert.Contains(t, err.Error(), "capacity", "the error says nothing of what to do")

		_, err = st.Entities().Load(context.Background(), "order", "d1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sourceflow_entities", "the error names no table")
	})
}
