package sourceflow

import "context"

type lastDeliveryKey struct{}

// ContextWithLastDelivery returns ctx saying, through isLast, whether the
// delivery of the message handled with it has become its last: a failure
// returned now dead-letters the message, though the delivery's markers
// (MetaLastDelivery) did not say so when it was handed out. cqrs's
// ChannelTransport gives its deliveries one that answers true once it
// closes: gochannel keeps nothing to deliver again, so a delivery failing
// then is dead-lettered. isLast must not block; it may be called from any
// goroutine.
func ContextWithLastDelivery(ctx context.Context, isLast func() bool) context.Context {
	return context.WithValue(ctx, lastDeliveryKey{}, isLast)
}

// IsLastDelivery reports whether ctx says, through ContextWithLastDelivery,
// that the delivery of the message handled with it has become its last.
// The tracing middleware asks it when the handler returns a failure.
func IsLastDelivery(ctx context.Context) bool {
	isLast, _ := ctx.Value(lastDeliveryKey{}).(func() bool)
	return isLast != nil && isLast()
}
