package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadPartitions answers the outbox's Queries with the dead letters of
// dead (partition: how many), a page at a time as DynamoDB does (at most
// the request's Limit, from its ExclusiveStartKey), counting in read the
// items it answers with; every other partition is empty.
func deadPartitions(t *testing.T, dead map[string]int, read *atomic.Int64) func(op, body string) (int, string) {
	return pages(t, func(in page) (int, string) {
		pk, from := in.pk, 0
		if sk := in.startSK; sk != "" {
			_, _ = fmt.Sscanf(sk, "%019d", &from)
			from++
		}
		end := min(dead[pk], from+in.limit)
		items := make([]string, 0, max(end-from, 0))
		for i := from; i < end; i++ {
			items = append(items, fmt.Sprintf(`{"pk":{"S":"%s"},"sk":{"S":"%019d"},"uuid":{"S":"%s-%d"},`+
				`"destination":{"S":"events"},"metadata":{"M":{}},"payload":{"B":"AA=="},"failure":{"S":"refused"}}`, pk, i, pk, i))
		}
		read.Add(int64(len(items)))
		last := ""
		if end < dead[pk] {
			last = fmt.Sprintf(`,"LastEvaluatedKey":{"pk":{"S":"%s"},"sk":{"S":"%019d"}}`, pk, end-1)
		}
		return http.StatusOK, `{"Items":[` + strings.Join(items, ",") + `]` + last + `}`
	})
}

// DeadLetters reads each shard's dead letters no further than the caller
// asks for: paging each dead-letter partition by what is left to read up
// to Max, not each shard whole.
func TestOutboxDeadLettersReadsNoMoreThanMax(t *testing.T) {
	for _, tc := range []struct{ max, read int }{{3, 3 + 3}, {252, 250 + 5}} {
		var read atomic.Int64
		f := &fakeDynamo{answer: deadPartitions(t, map[string]int{"svc#0#dead": 250, "svc#1#dead": 5}, &read)}
		_, o := fakeOutbox(t, f, &recordingTransport{})

		dead, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{Max: tc.max})
		require.NoError(t, err)
		require.Len(t, dead, tc.max)
		assert.Equal(t, "refused", dead[0].Reason)
		assert.Equal(t, int64(tc.read), read.Load(), "dead letters read for Max %d", tc.max)
	}
}

// A Max under 1 is refused, saying so, before any request.
func TestOutboxDeadLettersRefusesAMaxUnderOne(t *testing.T) {
	f := &fakeDynamo{}
	_, o := fakeOutbox(t, f, &recordingTransport{})
	_, err := o.DeadLetters(context.Background(), OutboxDeadLetterQuery{})
	require.ErrorContains(t, err, "OutboxDeadLetterQuery.Max is 0, must be at least 1")
	assert.Empty(t, f.ops("Query"))
}

// page is what a Query of one partition asks for.
type page struct {
	pk, startSK string // the partition, and the sort key it reads after
	limit       int
}

// pages answers the outbox's Queries with answer, given the page each
// asks for, and every other request with the fake's default.
func pages(t *testing.T, answer func(page) (int, string)) func(op, body string) (int, string) {
	return func(op, body string) (int, string) {
		if op != "Query" {
			return 0, ""
		}
		var in struct {
			Limit                     int
			ExclusiveStartKey         map[string]map[string]string
			ExpressionAttributeValues map[string]map[string]string
		}
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Error(err)
			return http.StatusBadRequest, "{}"
		}
		p := page{startSK: in.ExclusiveStartKey["sk"]["S"], limit: in.Limit}
		for _, v := range in.ExpressionAttributeValues { // the partition's key, the one value
			p.pk = v["S"]
		}
		return answer(p)
	}
}
