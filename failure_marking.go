package sourceflow

import "context"

type failuresMarkedKey struct{}

// ContextMarkingFailures returns ctx saying that the message handled with
// it is handled inside a mark that records its handler's permanent failure
// (Permanent) under MetaFailure on the nacked message, so that its
// transport dead-letters it at once, and one that found the message held
// elsewhere (ErrInProgress) under MetaInProgress, so that a transport that
// hands such a message back does so: cqrs's Service handles each message
// so, its ServiceConfig.HandlerMiddleware inside the mark. A permanent
// failure returned outside such a mark (a plain Watermill router's
// handler, a router's middleware outside the service's) reaches the
// transport unmarked and is delivered again like any other failure. The
// tracing middleware reads it (FailuresMarked) to tell which failures
// dead-letter the message.
func ContextMarkingFailures(ctx context.Context) context.Context {
	return context.WithValue(ctx, failuresMarkedKey{}, true)
}

// FailuresMarked reports whether ctx says, through ContextMarkingFailures,
// that a permanent failure of the message handled with it is marked for
// its transport.
func FailuresMarked(ctx context.Context) bool {
	marked, _ := ctx.Value(failuresMarkedKey{}).(bool)
	return marked
}
