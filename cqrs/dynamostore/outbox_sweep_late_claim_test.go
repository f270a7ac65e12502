package dynamostore

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// A claim whose answer comes back after the lease it set has ended (DynamoDB
// answering slowly, or throttling retried) must not be followed by a
// publish: another instance may have claimed the message once the lease
// ran out and be sending it, so this one releases it (or leaves it) without
// publishing, whether or not the inner transport checks its context first.
func TestOutboxSweepDoesNotPublishWhenTheClaimOutlastedItsLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := newSweptOutbox(map[int][]string{0: {"m-1@events"}})
		claims := 0
		f := &fakeDynamo{answer: func(op, body string) (int, string) {
			if op == "UpdateItem" && strings.Contains(body, "SET") {
				claims++
				if claims == 1 {
					time.Sleep(4 * time.Second) // the answer to the claim outlasts the 3 s lease
				}
			}
			return table.answer(op, body)
		}}
		inner := &recordingTransport{} // a transport that does not look at the context first
		_, o := fakeOutboxRelayingAfter(t, f, inner, 3*time.Second)

		_, _ = o.Sweep(context.Background())
		synctest.Wait()
		assert.Empty(t, inner.uuids(), "published after its lease had ended, beside whoever took it over")
	})
}
