//go:build integration

package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// badRow is one row of the bad-input catalogue (README, "Bad input").
type badRow struct {
	name string
	lis  badListener
	// inject sends the bad input the way it arrives, asserting every
	// refusal at send time itself. before is the good message the listener
	// handled first.
	inject func(t *testing.T, r *badRig, before cqrs.Envelope) injected
	// reason holds substrings of the dead letter's sf_failure attribute;
	// nil when nothing may be dead-lettered.
	reason []string
}

// injected is what a row's bad input put on the queue.
type injected struct {
	dead    string // a substring of the body of the expected dead letter
	handled string // the id of a message that must be handled
}

// TestBadInputCatalogue runs every row of the catalogue against its own
// listener on the emulator: a good message is handled before the bad input
// and another after it (a command's effect applied once); the bad input is refused at
// send time with a clear error, or lands in the queue's dead-letter queue
// with a reason naming the problem, and reaches no handler.
func TestBadInputCatalogue(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	key := encCreateKey(t, kms.NewFromConfig(awsConfig(t)))
	for _, row := range badRows(key) {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			runBadRow(t, row)
		})
	}
}

func runBadRow(t *testing.T, row badRow) {
	r := newBadRig(t, row.lis)
	before := r.good(t, "before", 1)
	if row.lis.idempotent {
		r.handledOnce(t, before.MessageID) // handled before its id is reused (a reuse meeting the open claim is redelivered until it completes)
	}
	in := row.inject(t, r, before)
	after := r.good(t, "after", 2)
	want := []string{before.MessageID, after.MessageID}
	if in.handled != "" {
		want = append(want, in.handled)
	}
	if row.reason != nil {
		dead := r.deadLetters(t, 1)
		assert.Contains(t, aws.ToString(dead[0].Body), in.dead, "the dead letter is the bad input")
		failure, ok := dead[0].MessageAttributes[sourceflow.MetaFailure]
		require.True(t, ok, "the dead letter carries %s", sourceflow.MetaFailure)
		reason := aws.ToString(failure.StringValue)
		t.Logf("%s=%q", sourceflow.MetaFailure, reason)
		for _, s := range row.reason {
			assert.Contains(t, reason, s)
		}
	}
	r.handledOnce(t, want...)
	assert.Empty(t, r.deadLetters(t, 0), "nothing else is dead-lettered")
	assert.ElementsMatch(t, want, r.runs.messageIDs(r.svc.Name(), hBad), "the bad input reaches no handler")
}
