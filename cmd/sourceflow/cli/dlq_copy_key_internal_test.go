package cli

import (
	"context"
	"testing"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A copy reads what identifies a received message (its sf_env decoded)
// once: the key it checked the message against, to find one that came
// back, is the key it records when the message is sent.
func TestRedriveCopyIdentifiesAMessageOnce(t *testing.T) {
	msgs := deadLettersWithEnvelope(t, 10)
	var entries []sqstypes.SendMessageBatchRequestEntry
	newCopier := func() *copier { return sendingCopier(&entries) }
	checkThenSend := func() {
		c := newCopier()
		for _, m := range msgs {
			back, undated := c.cameBack(m)
			require.False(t, back || undated)
		}
		_, err := c.send(context.Background(), msgs, &redriveResult{})
		require.NoError(t, err)
	}

	checkThenSend()
	c := newCopier()
	_, err := c.send(context.Background(), msgs, &redriveResult{})
	require.NoError(t, err)
	for _, m := range msgs {
		assert.True(t, c.sent[messageKey(m)], "recorded as sent")
	}

	key := testing.AllocsPerRun(50, func() { messageKey(msgs[0]) })
	sendOnly := testing.AllocsPerRun(50, func() { _, _ = newCopier().send(context.Background(), msgs, &redriveResult{}) })
	both := testing.AllocsPerRun(50, checkThenSend)
	t.Logf("send of %d messages: %.0f allocations, checked first %.0f, one key %.0f", len(msgs), sendOnly, both, key)
	assert.Less(t, both, sendOnly+key*float64(len(msgs))/2, "each message's key is read once")
}

// A copy with a selection decodes a received message once for both: the
// letter whose type and reason it selected by is the one it identified
// the message by.
func TestRedriveCopySelectsByTheLetterItIdentified(t *testing.T) {
	msgs := deadLettersWithEnvelope(t, 10)
	var entries []sqstypes.SendMessageBatchRequestEntry
	newCopier := func() *copier {
		c := sendingCopier(&entries)
		c.sel, c.skipped = redriveSelect{typ: "orders.PlaceOrder", only: true}, map[string]bool{}
		return c
	}
	check := func(c *copier) {
		for _, m := range msgs {
			back, undated := c.cameBack(m)
			require.False(t, back || undated)
		}
	}
	c := newCopier()
	check(c)
	require.Len(t, c.skipOthers(context.Background(), msgs, &redriveResult{}), len(msgs), "every message is of the type")

	checkOnly := testing.AllocsPerRun(50, func() { check(newCopier()) })
	both := testing.AllocsPerRun(50, func() {
		c := newCopier()
		check(c)
		c.skipOthers(context.Background(), msgs, &redriveResult{})
	})
	letter := testing.AllocsPerRun(50, func() { decodeLetter(msgs[0]) })
	t.Logf("check of %d messages: %.0f allocations, then selected %.0f, one letter %.0f", len(msgs), checkOnly, both, letter)
	assert.Less(t, both, checkOnly+letter*float64(len(msgs))/2, "each message is decoded once")
}
