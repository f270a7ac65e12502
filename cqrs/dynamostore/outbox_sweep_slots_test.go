package dynamostore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
)

// A few slow destinations do not hold up the others: the outbox shards
// its messages by UUID, so a destination with a backlog has a lane in
// every shard, and a slow one's lanes must not take every one of the
// sweep's sweepLanes slots, leaving a healthy destination's message
// waiting for the slow publishes' bound (RelayAfter less its margin).
func TestOutboxSweepSlowDestinationsDoNotTakeEverySlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shards := map[int][]string{0: {"f-1@fast"}}
		for shard := 1; shard < outboxShards; shard++ {
			for d := range 3 {
				shards[shard] = append(shards[shard], fmt.Sprintf("s%d-%d@slow-%d", d, shard, d))
			}
		}
		table := newSweptOutbox(shards)
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			if op == "Query" && strings.Contains(body, `"svc#0"`) {
				time.Sleep(time.Second) // shard 0 answers after the others
			}
			return table.answer(op, body)
		}}
		start := time.Now()
		var sentAt time.Duration
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if strings.HasPrefix(m.UUID, "s") { // an endpoint that never answers
				<-m.Context().Done()
				return m.Context().Err()
			}
			sentAt = time.Since(start)
			return nil
		}}
		_, o := fakeOutboxRelayingAfter(t, f, inner, 30*time.Second)

		_, _ = o.Sweep(context.Background())
		assert.Equal(t, []string{"f-1"}, sentTo(inner, "f-"))
		assert.Less(t, sentAt, 5*time.Second,
			"f-1 waited for the slow destinations' publishes to end (3 destinations, 21 lanes, %d slots)", sweepLanes)
	})
}
