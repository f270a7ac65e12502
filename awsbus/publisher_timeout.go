package awsbus

import (
	"context"
	"fmt"
	"time"
)

// bound gives the context of each message of one Publish the Publisher's
// Timeout, so that an endpoint that accepts the connection and never
// answers (frozen, or cut off by a partition that drops packets) ends the
// Publish, and the handling transaction a handler may publish in, after
// Timeout rather than when it answers again. Its end names the setting
// (context.Cause). It returns what releases the contexts.
func (p *Publisher) bound(out []outgoing) context.CancelFunc {
	cause := fmt.Errorf("AWS did not answer within %v (the publish timeout: Config.CallTimeout)", p.cfg.Timeout)
	cancels := make([]context.CancelFunc, len(out))
	end := time.Now().Add(p.cfg.Timeout)
	for i := range out {
		if d, ok := out[i].ctx.Deadline(); !ok || d.After(end) {
			out[i].timeout = cause // the bound ends it, not the caller
		}
		out[i].ctx, cancels[i] = context.WithDeadlineCause(out[i].ctx, end, cause)
	}
	return func() {
		for _, cancel := range cancels {
			cancel()
		}
	}
}

// callFailure is the reason a failed call gives its messages: the call's
// error and, when its context ended with a cause of its own (the
// Publisher's Timeout), that cause.
func callFailure(ctx context.Context, err error) string {
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
		return fmt.Sprintf("%v (%v)", err, cause)
	}
	return err.Error()
}

// unanswered says why a publish whose context ended has no answer: the
// Publisher's Timeout, or its context's own end.
func unanswered(ctx context.Context) string {
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
		return cause.Error()
	}
	return fmt.Sprintf("%v before AWS answered", ctx.Err())
}
