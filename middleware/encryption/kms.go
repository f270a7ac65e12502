package encryption

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
)

// KMSAPI is the part of the AWS KMS client this package uses. *kms.Client
// satisfies it; tests, and a program run without AWS, use the in-process
// fake encryptiontest.KMS (package middleware/encryption/encryptiontest):
// encryptiontest.New(), then CreateKey for a key id, whose ARN
// (encryptiontest.ARN) goes in DecrypterConfig.KeyIDs.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

var _ KMSAPI = (*kms.Client)(nil)

// regionOf returns the Region of a KMS client that reports its options, as
// *kms.Client does, or "" for one that does not.
func regionOf(api KMSAPI) string {
	if c, ok := api.(interface{ Options() kms.Options }); ok {
		return c.Options().Region
	}
	return ""
}

// DefaultKMSRetry is the policy for the fields a Config's Retry leaves zero:
// a throttled KMS call is tried 4 times, waiting a random time up to 50 ms,
// then up to 100 ms, then up to 200 ms (full jitter, doubling, at most 1 s).
// Its MaxElapsed is zero: no time bound. A Retry.MaxElapsed that a Config
// sets stops the retries as MaxRetries does (ErrThrottled).
var DefaultKMSRetry = sourceflow.RetryPolicy{
	MaxRetries:      3,
	InitialInterval: 50 * time.Millisecond,
	Multiplier:      2,
	MaxInterval:     time.Second,
	Jitter:          true,
}

// setSharedDefaults fills the fields EncrypterConfig and DecrypterConfig
// share: AppName, Retry, Logger and Clock.
func setSharedDefaults(appName *string, retry *sourceflow.RetryPolicy, logger *watermill.LoggerAdapter, clock *sourceflow.Clock) {
	if *appName == "" {
		*appName = "sourceflow"
	}
	*retry = retry.WithDefaults(DefaultKMSRetry)
	if *logger == nil {
		*logger = watermill.NopLogger{}
	}
	if *clock == nil {
		*clock = sourceflow.SystemClock()
	}
}

// retryErr validates a Config's Retry, naming the field.
func retryErr(p sourceflow.RetryPolicy) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("Retry: %w", err)
	}
	return nil
}

// prepare checks the KMS client of a New<kind> call, then defaults and
// validates its configuration.
func prepare(api KMSAPI, kind string, cfg interface {
	setDefaults()
	Validate() error
}) error {
	if api == nil {
		return fmt.Errorf("encryption: New%s: nil KMSAPI", kind)
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid %sConfig: %w", kind, err)
	}
	return nil
}

// kmsCaller runs KMS calls with retries, metering and error classification.
// The waits between retries are measured on clock, the Config's Clock.
type kmsCaller struct {
	api    KMSAPI
	retry  sourceflow.RetryPolicy
	clock  sourceflow.Clock
	stats  *counters
	logger watermill.LoggerAdapter
	panics *clientPanicLog
}

// newKMSCaller returns the kmsCaller of an Encrypter or Decrypter whose
// counters are stats.
func newKMSCaller(api KMSAPI, retry sourceflow.RetryPolicy, logger watermill.LoggerAdapter, clock sourceflow.Clock, stats *counters) kmsCaller {
	return kmsCaller{api: api, retry: retry, clock: clock, stats: stats, logger: logger,
		panics: &clientPanicLog{logger: logger, clock: clock}}
}

// call runs fn until it succeeds, fails with a non-retryable error or the
// attempts are used up, and counts a call that failed in the end (Stats).
// The returned error is classified (see classify). A panic of the client
// is not tried again: it is an error wrapping ErrKMS and a
// *ClientPanicError (transient, so the message is tried again later, as
// after a failed call), logged once with its stack, at most once a minute
// per operation (clientPanicLog).
func (c kmsCaller) call(ctx context.Context, op string, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked := &ClientPanicError{Value: v, Stack: debug.Stack()}
			c.panics.log(op, panicked)
			err = fmt.Errorf("%w: %s: %w", ErrKMS, op, panicked)
		}
		if err != nil {
			c.stats.failed(op)
		}
	}()
	return c.attempt(ctx, op, fn)
}

// attempt is call without the count of failed calls.
func (c kmsCaller) attempt(ctx context.Context, op string, fn func(context.Context) error) error {
	b := c.retry.Start(c.clock)
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return classify(op, err)
		}
		wait, stop := b.Next(ctx)
		if stop == nil {
			c.stats.retries.Add(1)
			c.logger.Debug("KMS call throttled, retrying", watermill.LogFields{"operation": op, "attempt": b.Attempts()})
			stop = b.Wait(ctx, wait)
		}
		switch {
		case stop == nil:
		case errors.Is(stop, sourceflow.ErrNoRetriesLeft) || errors.Is(stop, sourceflow.ErrRetryDeadline):
			return fmt.Errorf("%w: %s failed %d times (%w): %w", ErrThrottled, op, b.Attempts(), stop, err)
		default: // a done context never retries, however short the backoff
			return fmt.Errorf("%w: %s: %w (last error: %w)", ErrKMS, op, stop, err)
		}
	}
}

// answered returns err, or errNoOutput when the client returned neither
// out nor err, so that no caller dereferences a nil output. The closures
// that kmsCaller.call runs return their call's result through it.
func answered[T any](out *T, err error) error {
	if err == nil && out == nil {
		return errNoOutput
	}
	return err
}

// complete is answered, and errIncomplete naming the field when lacks
// names one out lacks: the call then failed, counted as any failed call
// (Stats) and classified as ErrKMS naming the operation.
func complete[T any](out *T, err error, lacks func(*T) string) error {
	if err := answered(out, err); err != nil {
		return err
	}
	if field := lacks(out); field != "" {
		return fmt.Errorf("%w: %s", errIncomplete, field)
	}
	return nil
}

// lacksKeyMetadata names the field a DescribeKey answer lacks: its key
// metadata.
func lacksKeyMetadata(out *kms.DescribeKeyOutput) string {
	if out.KeyMetadata == nil {
		return "KeyMetadata"
	}
	return ""
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
	case "NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException",
		"InvalidArnException": // a mistyped key ARN names no key, now or later
		kind = ErrKeyUnavailable
	case "AccessDeniedException", "AccessDenied":
		kind = ErrAccessDenied
	default:
		kind = ErrKMS
	}
	return fmt.Errorf("%w: %s: %w", kind, op, err)
}

// isPermanent reports whether a classified error of one side (sentinel
// ErrEncrypt or ErrDecrypt) can never succeed on retry. A refusal of a KMS
// key that an operator can undo (ErrAccessDenied, a disabled key or one
// pending deletion; on the produce side, where the key is the Encrypter's
// own, any ErrKeyUnavailable) is retried until the key was refused for
// KeyRefusalGrace, as that constant says: the Encrypter or Decrypter then
// marks the error permanent itself, and marks it inGrace before. A key that
// does not exist, or that DecrypterConfig.KeyIDs does not name, dooms a
// consumed message at once.
func isPermanent(sentinel, err error) bool {
	var grace inGrace
	switch {
	case sourceflow.IsPermanent(err):
		return true
	case errors.Is(err, ErrThrottled), errors.Is(err, ErrKMS), errors.As(err, &grace):
		return false
	case sentinel == ErrEncrypt:
		return !errors.Is(err, ErrKeyUnavailable) && !errors.Is(err, ErrAccessDenied)
	}
	return true
}

// failure counts a message that could not be encrypted or decrypted and
// returns err wrapped in sentinel (ErrEncrypt or ErrDecrypt), marked with
// sourceflow.Permanent when no retry can cure it.
func (c *counters) failure(sentinel, err error) error {
	c.failures.Add(1)
	err = fmt.Errorf("%w: %w", sentinel, err)
	if isPermanent(sentinel, err) {
		return sourceflow.Permanent(err)
	}
	return err
}
