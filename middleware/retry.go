package middleware

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// DefaultRetryPolicy is the Retry middleware's policy for the fields a
// RetryConfig leaves zero. With it a failing message is tried 4 times over
// about 0.7 s of waits (0.1 s, 0.2 s, 0.4 s), and no retry starts more than
// 10 s after the first attempt: a third of SQS's default 30 s visibility
// timeout, so the message is not redelivered to another consumer while it is
// still being retried here.
var DefaultRetryPolicy = sourceflow.RetryPolicy{
	MaxRetries:      3,
	InitialInterval: 100 * time.Millisecond,
	Multiplier:      2,
	MaxInterval:     2 * time.Second,
	MaxElapsed:      10 * time.Second,
}

// RetryConfig configures the Retry middleware.
type RetryConfig struct {
	// Policy is the retry policy; zero fields take DefaultRetryPolicy's. To
	// disable retries, leave the Retry middleware out.
	Policy sourceflow.RetryPolicy
	// Clock measures elapsed time and waits. Default: the system clock.
	Clock sourceflow.Clock
	// Logger logs every retry at Info level. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *RetryConfig) setDefaults() {
	c.Policy = c.Policy.WithDefaults(DefaultRetryPolicy)
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
	if err := c.Policy.Validate(); err != nil {
		return fmt.Errorf("RetryConfig.Policy: %w", err)
	}
	return nil
}

// NewRetry returns a message.HandlerMiddleware that runs the handler again
// after an error, with exponential backoff, bounded by the policy's
// MaxRetries and MaxElapsed. It never retries an error marked permanent
// (sourceflow.IsPermanent) or a panic (sourceflow.ErrPanic, whether the
// panic was recovered below it or not), which it returns unchanged, nor
// after the message's context is done. Inside a handling transaction
// (sourceflow.InHandlingTx: transactional idempotency) it does not retry
// either: the transaction holds the failed attempt's writes, so the error
// goes back to the transaction, which rolls back, and the idempotency
// middleware runs the handling again in a new one (MiddlewareConfig.TxRetry). When it gives up, its
// error matches ErrRetriesExhausted or ErrRetryStopped and wraps the
// handler's last error. Place it in ConsumeRetry, so that it retries the
// handler only.
func NewRetry(cfg RetryConfig) (message.HandlerMiddleware, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return retry{cfg: cfg}.middleware, nil
}

type retry struct{ cfg RetryConfig }

func (r retry) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		start := r.cfg.Clock.Now()
		wait := r.cfg.Policy.InitialInterval
		for attempt := 1; ; attempt++ {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			if sourceflow.IsPermanent(err) || errors.Is(err, sourceflow.ErrPanic) || sourceflow.InHandlingTx(msg.Context()) {
				return nil, err
			}
			if stop := r.giveUp(msg, attempt, start, wait, err); stop != nil {
				return nil, stop
			}
			r.cfg.Logger.Info("Retrying handler", watermill.LogFields{
				"message_uuid": msg.UUID, "attempt": attempt, "wait": wait.String(), "err": err.Error(),
			})
			select {
			case <-msg.Context().Done():
				return nil, r.stopped(msg, attempt, err)
			case <-r.cfg.Clock.After(r.cfg.Policy.Sleep(wait)):
			}
			wait = r.cfg.Policy.Next(wait)
		}
	}
}

// giveUp returns the error to return instead of retrying, or nil to retry.
func (r retry) giveUp(msg *message.Message, attempt int, start time.Time, wait time.Duration, err error) error {
	if attempt > r.cfg.Policy.Retries() {
		return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempt, err)
	}
	if r.cfg.Clock.Now().Sub(start)+wait > r.cfg.Policy.MaxElapsed {
		return fmt.Errorf("%w after %d attempts (MaxElapsed %s reached): %w",
			ErrRetriesExhausted, attempt, r.cfg.Policy.MaxElapsed, err)
	}
	if msg.Context().Err() != nil {
		return r.stopped(msg, attempt, err)
	}
	return nil
}

func (r retry) stopped(msg *message.Message, attempt int, err error) error {
	return fmt.Errorf("%w after %d attempts (%w): %w", ErrRetryStopped, attempt, msg.Context().Err(), err)
}
