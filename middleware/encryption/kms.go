package encryption

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// KMSAPI is the part of the AWS KMS client this package uses. *kms.Client
// satisfies it; tests use encryptiontest.KMS.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

var _ KMSAPI = (*kms.Client)(nil)

// RetryConfig bounds the retries of KMS calls that fail with throttling or a
// KMS internal error (ThrottlingException, LimitExceededException,
// KMSInternalException, DependencyTimeoutException, KeyUnavailableException).
// They come on top of the AWS SDK's own retries. Other errors are not retried.
type RetryConfig struct {
	// MaxAttempts is the number of calls including the first. Default 4.
	MaxAttempts int
	// InitialBackoff is the wait before the second call; it doubles per
	// attempt, with full jitter. Default 50ms.
	InitialBackoff time.Duration
	// MaxBackoff caps one wait. Default 1s.
	MaxBackoff time.Duration
}

func (c *RetryConfig) setDefaults() {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 4
	}
	if c.InitialBackoff == 0 {
		c.InitialBackoff = 50 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = time.Second
	}
}

// Validate reports every invalid field.
func (c RetryConfig) Validate() error {
	var errs []error
	if c.MaxAttempts < 1 {
		errs = append(errs, errors.New("Retry.MaxAttempts must be at least 1"))
	}
	if c.InitialBackoff < 0 {
		errs = append(errs, errors.New("Retry.InitialBackoff must not be negative"))
	}
	if c.MaxBackoff < c.InitialBackoff {
		errs = append(errs, errors.New("Retry.MaxBackoff must not be less than Retry.InitialBackoff"))
	}
	return errors.Join(errs...)
}

// kmsCaller runs KMS calls with retries, metering and error classification.
type kmsCaller struct {
	api    KMSAPI
	retry  RetryConfig
	stats  *counters
	logger watermill.LoggerAdapter
}

// call runs fn until it succeeds, fails with a non-retryable error or the
// attempts are used up. The returned error is classified (see classify).
func (c kmsCaller) call(ctx context.Context, op string, fn func(context.Context) error) error {
	backoff := c.retry.InitialBackoff
	var err error
	for attempt := 1; ; attempt++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		if !retryable(err) {
			return classify(op, err)
		}
		if attempt >= c.retry.MaxAttempts {
			return fmt.Errorf("%w: %s failed %d times: %w", ErrThrottled, op, attempt, err)
		}
		if ctx.Err() != nil { // a done context never retries, however short the backoff
			return fmt.Errorf("%w: %s: %w (last error: %w)", ErrKMS, op, ctx.Err(), err)
		}
		c.stats.retries.Add(1)
		c.logger.Debug("KMS call throttled, retrying", watermill.LogFields{"operation": op, "attempt": attempt})
		wait := time.Duration(rand.Int64N(int64(backoff) + 1))
		backoff = min(2*backoff, c.retry.MaxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %s: %w (last error: %w)", ErrKMS, op, ctx.Err(), err)
		case <-t.C:
		}
	}
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func retryable(err error) bool {
	switch apiCode(err) {
	case "ThrottlingException", "LimitExceededException", "KMSInternalException",
		"DependencyTimeoutException", "KeyUnavailableException":
		return true
	}
	return false
}

// classify maps a non-retryable KMS error to this package's sentinels. KMS
// error messages name keys, never key material, so the cause is kept.
func classify(op string, err error) error {
	var kind error
	switch apiCode(err) {
	case "InvalidCiphertextException", "IncorrectKeyException":
		kind = ErrTampered
	case "NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException":
		kind = ErrKeyUnavailable
	case "AccessDeniedException", "AccessDenied":
		kind = ErrAccessDenied
	default:
		kind = ErrKMS
	}
	return fmt.Errorf("%w: %s: %w", kind, op, err)
}

// isPermanent reports whether a classified error can never succeed on retry.
func isPermanent(err error) bool {
	return !errors.Is(err, ErrThrottled) && !errors.Is(err, ErrKMS)
}
