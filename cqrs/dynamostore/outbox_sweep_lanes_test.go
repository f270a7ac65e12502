package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sweptOutbox is the outbox table a fakeDynamo answers the sweep from: the
// messages of each shard of "svc", in order, written long ago. A message
// a BatchWriteItem deletes leaves it.
type sweptOutbox struct {
	mu     sync.Mutex
	shards map[int][]graceItem
}

// newSweptOutbox returns an outbox of the messages "id@destination" of
// each shard.
func newSweptOutbox(shards map[int][]string) *sweptOutbox {
	written := time.Now().Add(-time.Hour)
	s := &sweptOutbox{shards: map[int][]graceItem{}}
	for shard, msgs := range shards {
		for _, m := range msgs {
			id, dest, _ := strings.Cut(m, "@")
			s.shards[shard] = append(s.shards[shard], graceItem{id, dest, written})
		}
	}
	return s
}

// answer answers the sweep's Queries and deletes.
func (s *sweptOutbox) answer(op, body string) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "Query":
		for shard, items := range s.shards {
			if strings.Contains(body, fmt.Sprintf(`"svc#%d"`, shard)) {
				return shardItemsWritten(`"svc#0"`, items...)
			}
		}
		return http.StatusOK, `{"Items":[]}`
	case "BatchWriteItem":
		for shard, items := range s.shards {
			var kept []graceItem
			for _, it := range items {
				if !strings.Contains(body, "#"+it.id+"#") {
					kept = append(kept, it)
				}
			}
			s.shards[shard] = kept
		}
	}
	return 0, ""
}

// sentTo returns the ids of what inner sent to destination, in order:
// recordingTransport records no destinations, so ids start with theirs.
func sentTo(inner *recordingTransport, prefix string) []string {
	var out []string
	for _, id := range inner.uuids() {
		if strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	return out
}

// A slow destination holds up only its own messages: the sweep relays the
// shard's messages for another destination beside it, and each
// destination's messages in the order they were written.
func TestOutboxSweepRelaysOtherDestinationsBesideASlowOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := newSweptOutbox(map[int][]string{0: {
			"s-1@slow", "f-1@fast", "s-2@slow", "f-2@fast", "s-3@slow", "f-3@fast",
		}})
		inner := &recordingTransport{publish: func(m *message.Message) error {
			if strings.HasPrefix(m.UUID, "s-") {
				time.Sleep(5 * time.Second) // a broker answering slowly
			}
			return nil
		}}
		_, o := fakeOutboxRelayingAfter(t, &fakeDynamo{answer: table.answer}, inner, 30*time.Second)

		start := time.Now()
		n, err := o.Sweep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 6, n)
		assert.Equal(t, []string{"f-1", "f-2", "f-3", "s-1", "s-2", "s-3"}, inner.uuids(),
			"the fast destination's messages go out while the slow one's first publish runs, each in order")
		assert.Equal(t, 15*time.Second, time.Since(start), "the sweep lasts as long as its slowest destination")
	})
}

// A sweep relays at most sweepLanes messages at once, across its shards.
func TestOutboxSweepRelaysABoundedNumberOfMessagesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shards := map[int][]string{}
		for i := range 2 * sweepLanes {
			shards[i%outboxShards] = append(shards[i%outboxShards], fmt.Sprintf("m-%d@d-%d", i, i))
		}
		table := newSweptOutbox(shards)
		gate := make(chan struct{})
		var mu sync.Mutex
		running := 0
		inner := &recordingTransport{publish: func(*message.Message) error {
			mu.Lock()
			running++
			mu.Unlock()
			<-gate
			return nil
		}}
		_, o := fakeOutboxRelayingAfter(t, &fakeDynamo{answer: table.answer}, inner, 30*time.Second)

		done := make(chan int)
		go func() {
			n, _ := o.Sweep(context.Background())
			done <- n
		}()
		synctest.Wait() // every lane publishes or waits for a slot
		mu.Lock()
		assert.Equal(t, sweepLanes, running)
		mu.Unlock()
		close(gate)
		assert.Equal(t, 2*sweepLanes, <-done)
	})
}

// A destination whose queue of messages read ahead stays full for laneWait
// does not hold up the shard's read: its later messages wait for a later
// sweep, and the messages behind them for another destination go out.
func TestOutboxSweepReadsOnPastADestinationThatLags(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ids, msgs []string
		for i := range laneQueue + 50 {
			ids = append(ids, fmt.Sprintf("s-%03d", i))
			msgs = append(msgs, ids[i]+"@slow")
		}
		table := newSweptOutbox(map[int][]string{0: append(msgs, "f-1@fast")})
		fastSent := make(chan struct{})
		inner := &recordingTransport{publish: func(m *message.Message) error {
			switch {
			case m.UUID == "f-1":
				close(fastSent)
			case m.UUID == "s-000":
				select { // the slow destination's first publish waits for f-1
				case <-fastSent:
				case <-m.Context().Done():
					return m.Context().Err()
				case <-time.After(time.Minute):
					return errors.New("f-1 did not go out")
				}
			}
			return nil
		}}
		_, o := fakeOutboxRelayingAfter(t, &fakeDynamo{answer: table.answer}, inner, 30*time.Second)

		n, err := o.Sweep(context.Background())
		require.NoError(t, err, "a lagging destination is no failure")
		assert.Equal(t, 2+laneQueue, n, "f-1, and the slow message publishing with those queued behind it")
		assert.Equal(t, ids[:1+laneQueue], sentTo(inner, "s-"), "in order")
		n, err = o.Sweep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 49, n, "the next sweep relays the rest")
		assert.Equal(t, ids, sentTo(inner, "s-"), "in order")
		assert.Equal(t, []string{"f-1"}, sentTo(inner, "f-"))
	})
}
