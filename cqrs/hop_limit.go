package cqrs

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// hopsOf returns the hop count of a message sent with ctx: one more than
// the handled message's in a handler, 0 outside one.
func hopsOf(ctx context.Context) int {
	if in, ok := EnvelopeFromContext(ctx); ok {
		return in.Hops + 1
	}
	return 0
}

// checkHops refuses env, about to be sent or raised from a handler, when
// it would travel more hops than ServiceConfig.MaxHops: the handler's
// error is permanent, so its message is dead-lettered with the reason
// rather than looping for ever. The reason names the cause's id, which a
// sender chose, as quotedID bounds it.
func (s *Service) checkHops(env Envelope) error {
	if env.Hops <= s.cfg.MaxHops {
		return nil
	}
	return sourceflow.Permanent(fmt.Errorf("%w: %s for %s caused by %s would be hop %d, past ServiceConfig.MaxHops %d: a causation loop?",
		ErrHopLimit, env.Type, quotedID(env.EntityID), quotedID(env.CausationID), env.Hops, s.cfg.MaxHops))
}
