package dynamostore

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// RedriveWith ResetHops returns each dead letter to its shard without its
// hop count, one in the dead-letter partition as one an earlier version
// kept in its shard; Redrive keeps the count.
func TestOutboxRedriveWithResetHopsTakesTheHopCountOut(t *testing.T) {
	for _, reset := range []bool{false, true} {
		_, o := emulatorOutbox(t, dynamotest.Client(t), flakyTransport(nil))
		for i, pk := range []string{"svc#0", "svc#0#dead"} { // kept in the shard, moved to the dead letters
			id := []string{"legacy", "dead"}[i]
			putItem(t, o, outboxItem{
				PK: pk, SK: digits(int64(i+1)) + "#000#" + id + "#events", UUID: id, Destination: "events",
				Metadata: map[string]string{"k": id, sourceflow.MetaHops: "64"}, Payload: []byte(id), Failure: "reason of " + id,
			})
		}

		back, err := o.RedriveWith(context.Background(), OutboxRedriveOptions{ResetHops: reset})
		require.NoError(t, err)
		assert.Equal(t, 2, back)
		var items []outboxItem
		require.NoError(t, attributevalue.UnmarshalListOfMaps(partitionItems(t, o, "svc#0"), &items))
		require.Len(t, items, 2)
		for _, it := range items {
			want := map[string]string{"k": it.UUID, sourceflow.MetaHops: "64", sourceflow.MetaRedrives: "1"}
			if reset {
				delete(want, sourceflow.MetaHops)
			}
			assert.NotEmpty(t, it.Metadata[sourceflow.MetaRedrivenAt], "%s: the redrive is counted", it.UUID)
			delete(it.Metadata, sourceflow.MetaRedrivenAt)
			assert.Equal(t, want, it.Metadata, "%s, reset %v", it.UUID, reset)
			assert.Empty(t, it.Failure)
		}
	}
}
