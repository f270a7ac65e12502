package middleware

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/circuit"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// RetryConfig configures the Retry middleware.
type RetryConfig struct {
	// Policy is the retry policy; zero fields take
	// sourceflow.DefaultRetryPolicy()'s. To disable retries, leave the Retry
	// middleware out.
	Policy sourceflow.RetryPolicy
	// Clock measures elapsed time and waits. Default: the system clock.
	Clock sourceflow.Clock
	// Logger logs every retry at Info level, with the message's UUID
	// (message_id, as sourceflow.IDText shows it: bounded, escaped) and
	// correlation id (correlation_id), the attempt, the wait and the error,
	// and at Info level too every hinted error it returns unretried because
	// the hint passes MaxElapsed (retry_after, max_elapsed instead of wait).
	// Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *RetryConfig) setDefaults() {
	c.Policy = c.Policy.WithDefaults(sourceflow.DefaultRetryPolicy())
	if c.Clock == nil {
		c.Clock = sourceflow.SystemClock()
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field at once. Zero fields are valid: they
// take their defaults.
func (c RetryConfig) Validate() error {
	var policy error
	if err := c.Policy.Validate(); err != nil {
		policy = fmt.Errorf("middleware: RetryConfig.Policy: %w", err)
	}
	return errors.Join(policy,
		fieldcheck.NotTypedNil("middleware: RetryConfig.Clock", c.Clock),
		fieldcheck.NotTypedNil("middleware: RetryConfig.Logger", c.Logger),
	)
}

// NewRetry returns a message.HandlerMiddleware that runs the handler again
// after an error, with exponential backoff, bounded by the policy's
// MaxRetries and MaxElapsed. It never retries an error marked permanent
// (sourceflow.IsPermanent) or a panic (sourceflow.ErrPanic, whether the
// panic was recovered below it or not), which it returns unchanged, nor
// after the message's context is done. Nor does it retry an error matching
// ErrCircuitOpen, which it returns unchanged: the circuit refuses every
// publish until its OpenTimeout ends, so running the handler again at once
// would only spend the budget; the message goes back to the transport as
// an ordinary failure and is redelivered later. It does retry a half-open
// circuit's refusal (the error also matches sourceflow.ErrCircuitHalfOpen),
// which clears once the circuit's probe publish returns, unless the error
// also holds an open circuit's refusal (errors.Join of several publishes).
// Inside a handling transaction (sourceflow.InHandlingTx: transactional
// idempotency) it does not retry either: the transaction holds the failed
// attempt's writes, so the error goes back to the transaction, which rolls
// back, and the idempotency middleware runs the handling again in a new
// one (MiddlewareConfig.TxRetry). When it gives up, its error matches
// ErrRetriesExhausted or ErrRetryStopped and wraps the handler's last
// error. An error that hints when to try again (sourceflow.RetryAfter: a
// rate limit's reset) is retried after at least that delay, when the
// delay ends within the policy's MaxElapsed of the first attempt; when it
// would not (nor the backoff's own wait, when longer), Retry logs it and
// returns the error unchanged at once rather than spend its budget on
// retries bound to fail, and the transport delivers the message again
// after the hinted delay (cqrs records it under sourceflow.MetaRetryAfter).
// Place it in ConsumeRetry, so that it retries the handler only (not the
// encryption Decrypter, whose hint while a key is refused reaches the
// transport and idempotency's TxRetry).
// NewRetrier returns the same middleware with its counters.
func NewRetry(cfg RetryConfig) (message.HandlerMiddleware, error) {
	r, err := NewRetrier(cfg)
	if err != nil {
		return nil, err
	}
	return r.Middleware, nil
}

// Retrier is the Retry middleware (see NewRetry) with counters of the
// retries it made and of the times it gave up, for the metrics package to
// export. A Retrier is safe for concurrent use.
type Retrier struct {
	cfg RetryConfig
	c   retryCounters
}

// NewRetrier returns a Retrier; cfg is as for NewRetry.
func NewRetrier(cfg RetryConfig) (*Retrier, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Retrier{cfg: cfg}, nil
}

// Stats returns a snapshot of the counters.
func (r *Retrier) Stats() RetryStats { return r.c.snapshot() }

// Middleware is the message.HandlerMiddleware that NewRetry returns.
func (r *Retrier) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		b := r.cfg.Policy.Start(r.cfg.Clock)
		for {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			if !retryable(msg, err) {
				return nil, err
			}
			wait, stop := b.NextFor(msg.Context(), err)
			if hint, ok := sourceflow.RetryAfterOf(err); ok && errors.Is(stop, sourceflow.ErrRetryDeadline) {
				r.leaveToTransport(msg, b.Attempts(), hint, err)
				return nil, err // the hint times the redelivery
			}
			if stop == nil {
				sourceflow.ObserveRetriedRun(msg.Context(), b.Attempts(), err)
				r.cfg.Logger.Info("Retrying handler", watermill.LogFields{
					"message_id": sourceflow.IDText(msg.UUID), "correlation_id": flowCorrelationID(msg),
					"attempt": b.Attempts(), "wait": wait.String(), "err": err.Error(),
				})
				stop = b.Wait(msg.Context(), wait)
			}
			if stop != nil {
				r.c.gaveUp.Add(1)
				return nil, r.gaveUp(b.Attempts(), stop, err)
			}
			r.c.retries.Add(1)
		}
	}
}

// leaveToTransport logs that the handler's error err, which hints a delay
// past what is left of MaxElapsed, goes back to the transport unretried
// after attempts, for its redelivery to wait the hint.
func (r *Retrier) leaveToTransport(msg *message.Message, attempts int, hint time.Duration, err error) {
	r.cfg.Logger.Info("Leaving the retry to the transport: the hinted delay passes MaxElapsed", watermill.LogFields{
		"message_id": sourceflow.IDText(msg.UUID), "correlation_id": flowCorrelationID(msg),
		"attempt": attempts, "retry_after": hint.String(), "max_elapsed": r.cfg.Policy.MaxElapsed.String(),
		"err": err.Error(),
	})
}

// retryable reports whether the handler may run again after err: not after
// a permanent error, a panic or an open circuit, even joined with other
// errors (a half-open one's refusal may pass), nor inside a handling
// transaction, whose owner retries it.
func retryable(msg *message.Message, err error) bool {
	return !sourceflow.IsPermanent(err) && !errors.Is(err, sourceflow.ErrPanic) &&
		!circuit.StaysOpen(err) && !sourceflow.InHandlingTx(msg.Context())
}

// gaveUp returns the error of a handler whose last error is err and that
// the loop stopped retrying after attempts, for reason stop.
func (r *Retrier) gaveUp(attempts int, stop, err error) error {
	switch {
	case errors.Is(stop, sourceflow.ErrNoRetriesLeft):
		return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempts, err)
	case errors.Is(stop, sourceflow.ErrRetryDeadline):
		return fmt.Errorf("%w after %d attempts (MaxElapsed %s reached): %w",
			ErrRetriesExhausted, attempts, r.cfg.Policy.MaxElapsed, err)
	}
	return fmt.Errorf("%w after %d attempts (%w): %w", ErrRetryStopped, attempts, stop, err)
}
