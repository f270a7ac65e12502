package awsbus

import "time"

// CloseBound is how long closing the transport's subscriptions (Close, or
// a cqrs.Service's close of its router) waits for handed-out messages to
// be acked or nacked, and for the long poll under way to end, and the
// field that sets it: ShutdownTimeout, after the close began. An idle
// close waits for the rest of the long poll alone, up to WaitTime or
// ShutdownTimeout less 1s if that is shorter (see ConsumerConfig.WaitTime),
// so a closer that waits less may time out while nothing is handled. Settling the messages follows: their release, backoff
// or delete, which against an endpoint that stops answering takes up to
// 20s more, 30s on a FIFO queue with messages held behind their group's
// head (see Shutdown in the package documentation). A closer of
// another package that waits less, such as a router whose CloseTimeout is
// shorter, can name it in its error.
func (t *Transport) CloseBound() (field string, bound time.Duration) {
	return "awsbus.Config.ShutdownTimeout", t.cfg.ShutdownTimeout
}
