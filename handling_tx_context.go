package sourceflow

import "context"

type handlingTxKey struct{}

// ContextInHandlingTx returns ctx marking the handling of a message as
// running inside one database transaction that commits the handler's
// writes with the message's idempotency record (transactional
// idempotency). Running the handler again in that transaction would commit
// the failed attempt's writes with the next one's, and a failed statement
// may have aborted it, so a retry must start a new transaction: middleware
// that retries checks InHandlingTx and leaves the retry to the owner of the
// transaction (the idempotency middleware's TxRetry) or to the transport's
// redelivery.
func ContextInHandlingTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, handlingTxKey{}, true)
}

// InHandlingTx reports whether ContextInHandlingTx marked ctx.
func InHandlingTx(ctx context.Context) bool {
	in, _ := ctx.Value(handlingTxKey{}).(bool)
	return in
}
