package dynamostore

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// DeadLetters lists the first Max dead letters, oldest first, those an
// earlier version kept in the shard among them, and reads no more of the
// dead-letter partition than that: with 150 dead letters it reads 5 of
// them, and the shard's 2 kept in place.
func TestOutboxDeadLettersListsTheFirstMaxAndReadsNoFurther(t *testing.T) {
	var scanned scannedItems
	_, o := emulatorOutbox(t, scanned.client(t), &recordingTransport{})
	for i := range 150 {
		id := fmt.Sprintf("dead-%03d", 2*i+1)
		putItem(t, o, outboxItem{PK: "svc#0#dead", SK: digits(int64(2*i+1)) + "#000#" + id + "#events", UUID: id,
			Destination: "events", Metadata: map[string]string{"k": id}, Payload: []byte(id), Failure: "reason of " + id})
	}
	for _, n := range []int{2, 4} {
		id := fmt.Sprintf("old-%03d", n)
		putItem(t, o, outboxItem{PK: "svc#0", SK: digits(int64(n)) + "#000#" + id + "#events", UUID: id,
			Destination: "events", Metadata: map[string]string{"k": id}, Payload: []byte(id), Lease: 1, Failure: "reason of " + id})
	}

	scanned.n.Store(0)
	assertFirstDeadLetters(t, o, 5, []string{"dead-001", "old-002", "dead-003", "old-004", "dead-005"})
	assert.Equal(t, int64(5+2), scanned.n.Load(), "items read")
}
