package metrics

import "go.opentelemetry.io/otel/metric"

// HandlerRetrySource reports a retry middleware's cumulative counts of the
// handler runs it retried and of the deliveries it gave up on. Every value
// only grows. The middleware package's Retrier is adapted to it with
// HandlerRetriesFunc.
type HandlerRetrySource interface {
	// HandlerRetries returns the retries and give-ups so far.
	HandlerRetries() (retries, gaveUp int64)
}

// HandlerRetriesFunc adapts a function to HandlerRetrySource.
type HandlerRetriesFunc func() (retries, gaveUp int64)

// HandlerRetries calls f.
func (f HandlerRetriesFunc) HandlerRetries() (retries, gaveUp int64) { return f() }

// observeHandlerRetries reports the retries and give-ups summed over the
// sources.
func (o *observable) observeHandlerRetries(obs metric.Observer) {
	var retries, gaveUp int64
	for _, s := range o.handlerRetries {
		r, g := s.HandlerRetries()
		retries, gaveUp = retries+r, gaveUp+g
	}
	obs.ObserveInt64(o.retryCount, retries)
	obs.ObserveInt64(o.giveUpCount, gaveUp)
}
