package middleware

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Default RetryConfig values. With them a failing message is tried 4 times
// over about 0.7 s of waits (0.1 s, 0.2 s, 0.4 s), and no retry starts more
// than 10 s after the first attempt: a third of SQS's default 30 s visibility
// timeout, so the message is not redelivered to another consumer while it is
// still being retried here.
const (
	DefaultMaxRetries      = 3
	DefaultInitialInterval = 100 * time.Millisecond
	DefaultMultiplier      = 2.0
	DefaultMaxInterval     = 2 * time.Second
	DefaultMaxElapsed      = 10 * time.Second
)

// RetryConfig configures the Retry middleware. Zero fields take the defaults
// above.
type RetryConfig struct {
	// MaxRetries is how many times a failed handler is run again, after the
	// first attempt. Default DefaultMaxRetries. To disable retries, leave the
	// Retry middleware out.
	MaxRetries int
	// InitialInterval is the wait before the first retry. Default
	// DefaultInitialInterval.
	InitialInterval time.Duration
	// Multiplier scales the wait after every retry; at least 1. Default
	// DefaultMultiplier.
	Multiplier float64
	// MaxInterval caps a single wait. Default DefaultMaxInterval, raised to
	// InitialInterval when that is larger.
	MaxInterval time.Duration
	// MaxElapsed bounds the whole retry loop: no retry starts whose wait
	// would end later than MaxElapsed after the first attempt began. Keep it
	// well inside the transport's visibility timeout. Default
	// DefaultMaxElapsed.
	MaxElapsed time.Duration
	// Clock measures elapsed time and waits. Default: the system clock.
	Clock sourceflow.Clock
	// Logger logs every retry at Info level. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *RetryConfig) setDefaults() {
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.InitialInterval == 0 {
		c.InitialInterval = DefaultInitialInterval
	}
	if c.Multiplier == 0 {
		c.Multiplier = DefaultMultiplier
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = max(DefaultMaxInterval, c.InitialInterval)
	}
	if c.MaxElapsed == 0 {
		c.MaxElapsed = DefaultMaxElapsed
	}
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
	var errs []error
	if c.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("RetryConfig.MaxRetries must not be negative, got %d", c.MaxRetries))
	}
	if c.InitialInterval < 0 {
		errs = append(errs, fmt.Errorf("RetryConfig.InitialInterval must not be negative, got %s", c.InitialInterval))
	}
	if c.Multiplier != 0 && c.Multiplier < 1 {
		errs = append(errs, fmt.Errorf("RetryConfig.Multiplier must be at least 1, got %g", c.Multiplier))
	}
	if c.MaxInterval < 0 {
		errs = append(errs, fmt.Errorf("RetryConfig.MaxInterval must not be negative, got %s", c.MaxInterval))
	}
	if c.MaxInterval > 0 && c.MaxInterval < c.InitialInterval {
		errs = append(errs, fmt.Errorf("RetryConfig.MaxInterval (%s) must not be below InitialInterval (%s)",
			c.MaxInterval, c.InitialInterval))
	}
	if c.MaxElapsed < 0 {
		errs = append(errs, fmt.Errorf("RetryConfig.MaxElapsed must not be negative, got %s", c.MaxElapsed))
	}
	return errors.Join(errs...)
}

// NewRetry returns a message.HandlerMiddleware that runs the handler again
// after an error, with exponential backoff, bounded by MaxRetries and
// MaxElapsed. It never retries an error marked permanent
// (sourceflow.IsPermanent), which it returns unchanged, nor after the message's
// context is done. When it gives up, its error matches ErrRetriesExhausted or
// ErrRetryStopped and wraps the handler's last error. A panic is not retried.
// Place it in ConsumeRetry, so that it retries the handler only.
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
		wait := r.cfg.InitialInterval
		for attempt := 1; ; attempt++ {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			if sourceflow.IsPermanent(err) {
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
			case <-r.cfg.Clock.After(wait):
			}
			wait = min(time.Duration(float64(wait)*r.cfg.Multiplier), r.cfg.MaxInterval)
		}
	}
}

// giveUp returns the error to return instead of retrying, or nil to retry.
func (r retry) giveUp(msg *message.Message, attempt int, start time.Time, wait time.Duration, err error) error {
	if attempt > r.cfg.MaxRetries {
		return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempt, err)
	}
	if r.cfg.Clock.Now().Sub(start)+wait > r.cfg.MaxElapsed {
		return fmt.Errorf("%w after %d attempts (MaxElapsed %s reached): %w",
			ErrRetriesExhausted, attempt, r.cfg.MaxElapsed, err)
	}
	if msg.Context().Err() != nil {
		return r.stopped(msg, attempt, err)
	}
	return nil
}

func (r retry) stopped(msg *message.Message, attempt int, err error) error {
	return fmt.Errorf("%w after %d attempts (%w): %w", ErrRetryStopped, attempt, msg.Context().Err(), err)
}
