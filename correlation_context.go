package sourceflow

import "context"

type correlationKey struct{}

// ContextWithCorrelationID returns a copy of ctx that carries a correlation
// id. Messages sent or raised with that context outside a handler belong to
// that flow (cqrs's Aggregate.Send and EventQueue.Raise read it), and the
// correlation middleware puts the id of the message being handled there. An
// empty id leaves ctx unchanged.
func ContextWithCorrelationID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationIDFromContext returns the correlation id carried by ctx, or ""
// when there is none.
func CorrelationIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
