package cqrstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// testDeadLetter: among good commands, one whose handler fails permanently
// and one Watermill message without SourceFlow metadata, published straight
// through the transport. Both are dead-lettered with a reason (the poison
// with its handler's error, the other naming its missing envelope), and
// every good command is handled.
func testDeadLetter(t *testing.T, r *transportRun) {
	setup := r.listenAndSend(t, false, r.h.Instances, poisonable)
	dest, out := setup.dest, setup.sender
	entities := r.entities(3)
	good := func(i int) any { return suiteCmd{N: i} }

	sent := r.sendEach(t, out, entities, 2, good)
	poison := r.sendEach(t, out, entities[:1], 1, func(int) any { return suiteCmd{Poison: true} })[0]
	raw := message.NewMessage(watermill.NewUUID(), []byte(`{"n":0}`))
	pub, err := setup.senderTransport.Publisher(dest)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(dest, raw), "publish a message without metadata")
	sent = append(sent, r.sendEach(t, out, entities, 2, good)...)
	r.waitApplied(t, setup.listener, sent)

	want := map[string]string{poison.MessageID: "poison-" + poison.MessageID, raw.UUID: "envelope"}
	var dead map[string]string
	r.waitFor(t, func() string {
		dead = r.h.DeadLetters(t, dest)
		return missingDeadLetters(dead, want)
	})
	for _, env := range sent {
		assert.NotContains(t, dead, env.MessageID, "a good command is not dead-lettered")
	}
	assert.Equal(t, []string{poison.MessageID}, setup.listener.unapplied(t, []cqrs.Envelope{poison}), "the poison is never applied")
	t.Logf("dead letters of %s: %v", dest, dead)
}

// poisonable applies a command unless it is poison, which fails
// permanently with an error naming the message.
func poisonable(ctx context.Context, s *appliedState, c suiteCmd, env cqrs.Envelope) ([]any, error) {
	if c.Poison {
		return nil, sourceflow.Permanent(fmt.Errorf("poison-%s", env.MessageID))
	}
	return apply(ctx, s, c, env)
}

// missingDeadLetters describes every message id of want that dead lacks, or
// whose reason is empty or lacks want's text; "" when there is none.
func missingDeadLetters(dead, want map[string]string) string {
	var problems []string
	for id, text := range want {
		reason, ok := dead[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("message %s is not dead-lettered", id))
		case reason == "":
			problems = append(problems, fmt.Sprintf("message %s is dead-lettered without a reason", id))
		case !strings.Contains(reason, text):
			problems = append(problems, fmt.Sprintf("message %s is dead-lettered with reason %q, not naming %q", id, reason, text))
		}
	}
	slices.Sort(problems)
	return strings.Join(problems, "; ")
}
