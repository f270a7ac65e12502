package cqrs

import "context"

type incomingKey struct{}

// withIncoming returns ctx carrying the envelope of the message being
// handled, so that messages sent or raised from the handler name it as their
// cause and share its correlation id.
func withIncoming(ctx context.Context, env Envelope) context.Context {
	return context.WithValue(ctx, incomingKey{}, env)
}

// EnvelopeFromContext returns the envelope of the message whose handler is
// running in ctx.
func EnvelopeFromContext(ctx context.Context) (Envelope, bool) {
	env, ok := ctx.Value(incomingKey{}).(Envelope)
	return env, ok
}

type correlationKey struct{}

// WithCorrelationID returns ctx carrying a correlation id for the messages
// sent with it when no handled message supplies one.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// lineage returns the correlation and causation ids for a new message sent
// in ctx; msgID is the new message's own id.
func lineage(ctx context.Context, msgID string) (correlation, causation string, replay bool) {
	if in, ok := EnvelopeFromContext(ctx); ok {
		correlation = in.CorrelationID
		if correlation == "" {
			correlation = in.MessageID
		}
		return correlation, in.MessageID, in.Replay
	}
	if id, ok := ctx.Value(correlationKey{}).(string); ok && id != "" {
		return id, "", false
	}
	return msgID, "", false
}
