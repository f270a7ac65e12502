package cqrstest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// failuresBeforeSuccess is how many times the redelivery scenario's handler
// fails each message before it succeeds.
const failuresBeforeSuccess = 2

// testRedelivery: a handler fails the first two deliveries of every message
// with an error a retry may cure; the transport delivers each again, and
// every message is handled, none dead-lettered.
func testRedelivery(t *testing.T, r *transportRun) {
	var attempts counter
	flaky := func(ctx context.Context, s *appliedState, c suiteCmd, env cqrs.Envelope) ([]any, error) {
		if n := attempts.inc(env.MessageID); n <= failuresBeforeSuccess {
			return nil, fmt.Errorf("conformance: failure %d of %s", n, env.MessageID)
		}
		return apply(ctx, s, c, env)
	}
	setup := r.listenAndSend(t, false, r.h.Instances, flaky)

	sent := r.sendEach(t, setup.sender, r.entities(3), 2, func(i int) any { return suiteCmd{N: i} })
	r.waitApplied(t, setup.listener, sent)

	dead := r.h.DeadLetters(t, setup.dest)
	for _, env := range sent {
		assert.Greater(t, attempts.get(env.MessageID), failuresBeforeSuccess, "deliveries of %s", env.MessageID)
		assert.NotContains(t, dead, env.MessageID, "a message that succeeded on redelivery is not dead-lettered")
	}
}
