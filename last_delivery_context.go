package sourceflow

import "context"

type lastDeliveryKey struct{}

// ContextWithLastDelivery returns ctx saying, through isLast, whether the
// delivery of the message handled with it has become its last: a failure
// returned now dead-letters the message, though the delivery's markers
// (MetaLastDelivery) did not say so when it was handed out. cqrs's
// ChannelTransport gives its deliveries one that answers true once their
// subscription ends (the transport closes): gochannel keeps nothing to
// deliver again, so a delivery failing then is dead-lettered. isLast must
// not block; it may be called from any goroutine.
func ContextWithLastDelivery(ctx context.Context, isLast func() bool) context.Context {
	return context.WithValue(ctx, lastDeliveryKey{}, isLast)
}

// IsLastDelivery reports whether the delivery of the message handled with
// ctx, whose metadata is md, is its last, so that a failure dead-letters
// it: its transport marked it so when it handed it out (MetaLastDelivery,
// either value: read it for LastDeliveryUnlessInProgress, whose failure
// that found the message held elsewhere is handed back instead), or ctx
// says it became the last since (ContextWithLastDelivery). The tracing
// middleware asks it when the handler returns a failure.
func IsLastDelivery(ctx context.Context, md map[string]string) bool {
	switch md[MetaLastDelivery] {
	case LastDelivery, LastDeliveryUnlessInProgress:
		return true
	}
	isLast, _ := ctx.Value(lastDeliveryKey{}).(func() bool)
	return isLast != nil && isLast()
}

// StoreFailureRedelivered reports whether a failure of the delivery of the
// message handled with ctx, whose metadata is md, that found the service's
// store unavailable is delivered again although the delivery is its last:
// its transport marked it so (MetaStoreFailureUncounted) and it did not
// become the last in another way since (ContextWithLastDelivery: a
// ChannelTransport closing dead-letters any failure). The tracing
// middleware asks it when such a failure ends a last delivery.
func StoreFailureRedelivered(ctx context.Context, md map[string]string) bool {
	if md[MetaStoreFailureUncounted] == "" {
		return false
	}
	isLast, _ := ctx.Value(lastDeliveryKey{}).(func() bool)
	return isLast == nil || !isLast()
}
