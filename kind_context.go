package sourceflow

import "context"

type kindKey struct{}

// ContextWithKind returns ctx marking the message published with it as a
// command or an event. The model sets it on every message it publishes, so a
// produce-side decorator (metrics, for one) can tell commands from events
// without an attribute on the wire.
func ContextWithKind(ctx context.Context, k Kind) context.Context {
	return context.WithValue(ctx, kindKey{}, k)
}

// KindFromContext returns the kind ContextWithKind stored in ctx.
func KindFromContext(ctx context.Context) (Kind, bool) {
	k, ok := ctx.Value(kindKey{}).(Kind)
	return k, ok
}
