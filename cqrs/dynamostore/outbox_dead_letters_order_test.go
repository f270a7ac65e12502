package dynamostore

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writtenAt answers the outbox's Queries with the dead letters of dead
// (partition: the times their messages were written, oldest first), a page
// at a time as DynamoDB does; every other partition is empty.
func writtenAt(t *testing.T, dead map[string][]int64) func(op, body string) (int, string) {
	return pages(t, func(in page) (int, string) {
		pk, from := in.pk, 0
		sks, ids := make([]string, len(dead[pk])), make([]string, len(dead[pk]))
		for i, at := range dead[pk] {
			ids[i] = fmt.Sprintf("%s-%d", pk, at)
			sks[i] = digits(at) + "#000#" + ids[i] + "#events"
		}
		for from < len(sks) && in.startSK != "" && sks[from] <= in.startSK {
			from++
		}
		end := min(len(sks), from+in.limit)
		items := make([]string, 0, max(end-from, 0))
		for i := from; i < end; i++ {
			items = append(items, fmt.Sprintf(`{"pk":{"S":"%s"},"sk":{"S":"%s"},"uuid":{"S":"%s"},`+
				`"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="},"failure":{"S":"refused"}}`, pk, sks[i], ids[i]))
		}
		last := ""
		if end < len(sks) {
			last = fmt.Sprintf(`,"LastEvaluatedKey":{"pk":{"S":"%s"},"sk":{"S":"%s"}}`, pk, sks[end-1])
		}
		return http.StatusOK, `{"Items":[` + strings.Join(items, ",") + `]` + last + `}`
	})
}

// DeadLetters lists the oldest Max dead letters of the whole outbox, by
// when their messages were written, not the first shards' whatever their
// age: a shard's dead letters are not hidden behind older shards' many.
func TestOutboxDeadLettersListsTheOldestMaxAcrossShards(t *testing.T) {
	f := &fakeDynamo{answer: writtenAt(t, map[string][]int64{
		"svc#0#dead": {5, 6, 7, 8}, "svc#3#dead": {2, 9}, "svc#7#dead": {1},
	})}
	_, o := fakeOutbox(t, f, &recordingTransport{})
	for max, want := range map[int][]string{
		1: {"svc#7#dead-1"},
		3: {"svc#7#dead-1", "svc#3#dead-2", "svc#0#dead-5"},
		9: {"svc#7#dead-1", "svc#3#dead-2", "svc#0#dead-5", "svc#0#dead-6", "svc#0#dead-7", "svc#0#dead-8", "svc#3#dead-9"},
	} {
		dead, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: max})
		require.NoError(t, err)
		var got []string
		for _, d := range dead {
			got = append(got, d.Message.UUID)
		}
		assert.Equal(t, want, got, "Max %d", max)
	}
}
