package dynamostore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// Depths counts, per shard, the messages waiting with the oldest's write
// time, and the dead letters, those an earlier version kept in the shard
// among them; DeadLetters gives each dead letter's write time.
func TestOutboxDepthsCountsWaitingMessagesAndDeadLettersPerShard(t *testing.T) {
	_, o := emulatorOutbox(t, dynamotest.Client(t), &recordingTransport{})
	item := func(pk string, written int64, id, failure string) outboxItem {
		return outboxItem{PK: pk, SK: digits(written) + "#000#" + id + "#events", UUID: id, Destination: "events",
			Metadata: map[string]string{"k": id}, Payload: []byte(id), Failure: failure}
	}
	putItem(t, o, item("svc#0", 2000, "w-2", ""))
	putItem(t, o, item("svc#0", 1000, "w-1", ""))
	putItem(t, o, item("svc#0", 1500, "old-dead", "kept in place"))
	putItem(t, o, item("svc#3#dead", 3000, "d-1", "refused"))
	putItem(t, o, item("svc#3#dead", 4000, "d-2", "refused"))

	depths, err := o.Depths(context.Background())
	require.NoError(t, err)
	require.Len(t, depths, outboxShards)
	assert.Equal(t, OutboxShardDepth{Shard: 0, Waiting: 2, Oldest: time.Unix(0, 1000), DeadLetters: 1}, depths[0])
	assert.Equal(t, OutboxShardDepth{Shard: 3, DeadLetters: 2}, depths[3])
	assert.Equal(t, OutboxShardDepth{Shard: 5}, depths[5])

	dead, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: 10})
	require.NoError(t, err)
	require.Len(t, dead, 3)
	assert.Equal(t, []time.Time{time.Unix(0, 1500), time.Unix(0, 3000), time.Unix(0, 4000)},
		[]time.Time{dead[0].Written, dead[1].Written, dead[2].Written})
}
