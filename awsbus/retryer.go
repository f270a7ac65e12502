package awsbus

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// throttleErrorCodes are the throttling error codes SQS, SNS and KMS return
// that the SDK's retry.DefaultThrottleErrorCodes (aws-sdk-go-v2
// aws/retry/standard.go) lacks, so that the SDK's standard retryer does not
// retry them. The codes are the services' own, as the SDK models them
// (service/*/types/errors.go, and the awsQueryError codes of
// service/*/schemas) and the API references list them:
//
//   - SNS ThrottledException, code "Throttled", HTTP 429 (SNS API Reference,
//     Publish and PublishBatch errors). A modeled error, so the SDK's rule
//     for unmodeled 429 responses does not apply.
//   - SNS KMSThrottlingException, code "KMSThrottling": KMS throttled the
//     topic's server-side encryption (Publish, PublishBatch).
//   - SQS KmsThrottled: KMS throttled the queue's server-side encryption
//     (SendMessage, SendMessageBatch, ReceiveMessage). Its code is
//     "KmsThrottled" in the JSON protocol's __type, and
//     "KMS.ThrottlingException" when SQS names the legacy query code in its
//     X-Amzn-Query-Error header, which the SDK then reports.
//
// The other throttling codes of the three services are in the SDK's list
// already: SQS "RequestThrottled" (SQS API Reference) and KMS
// "ThrottlingException" (KMS API Reference, common errors). SQS OverLimit
// (too many in-flight messages, too many permissions) is a quota, not a
// rate: it is not retried here; the subscriber's receive backoff covers it.
var throttleErrorCodes = []string{"Throttled", "KMSThrottling", "KmsThrottled", "KMS.ThrottlingException"}

// ThrottleErrorCodes returns the throttling error codes of SQS, SNS and KMS
// that the SDK does not retry by default and that NewRetryer and
// WithRetries add (see their sources above throttleErrorCodes).
func ThrottleErrorCodes() []string { return slices.Clone(throttleErrorCodes) }

// NewRetryer returns the SDK's retryer for mode (aws.RetryModeStandard, the
// default, or aws.RetryModeAdaptive) with ThrottleErrorCodes treated as
// throttling errors: they are retried, with the SDK's exponential backoff
// and full jitter from a throttling base delay, at the lower retry-quota
// cost of throttling, and in adaptive mode they slow the client's sending
// rate. Everything else is the SDK's default (3 attempts, 20 s maximum
// backoff, a client-wide retry quota); a client's RetryMaxAttempts
// (AWS_MAX_ATTEMPTS) still applies on top.
func NewRetryer(mode aws.RetryMode) aws.Retryer {
	codes := map[string]struct{}{}
	for _, c := range throttleErrorCodes {
		codes[c] = struct{}{}
	}
	standard := func(o *retry.StandardOptions) {
		o.Retryables = append(o.Retryables, retry.RetryableErrorCode{Codes: codes})
		o.Throttles = append(o.Throttles, retry.ThrottleErrorCode{Codes: codes})
	}
	if mode == aws.RetryModeAdaptive {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
			o.Throttles = append(o.Throttles, retry.ThrottleErrorCode{Codes: codes})
		})
	}
	return retry.NewStandard(standard)
}

// WithRetries returns cfg set up so that every client built from it
// (sqs.NewFromConfig, sns.NewFromConfig, kms.NewFromConfig, …) retries the
// throttling errors of SQS, SNS and KMS: its Retryer becomes NewRetryer of
// cfg.RetryMode. A Retryer already set on cfg is kept, with
// ThrottleErrorCodes added as retryable unless it retries them already, so
// calling WithRetries twice changes nothing. NewTransportFromAWS applies it;
// apply it yourself to clients you build.
//
// The clients also warn, once per endpoint and process, at slog's Warn on
// the default logger, of a plain http:// endpoint on a host that is not a
// loopback one, as the endpoint each resolved (AWS_ENDPOINT_URL_KMS
// included) shows: a signed request's response is not authenticated, so a
// KMS on the path could hand out data keys it knows. An emulator on this
// machine (localhost, 127.0.0.1, ::1) is not warned of.
func WithRetries(cfg aws.Config) aws.Config {
	cfg = withPlainHTTPCheck(cfg)
	custom := cfg.Retryer
	if custom == nil {
		mode := cfg.RetryMode
		cfg.Retryer = func() aws.Retryer { return NewRetryer(mode) }
		return cfg
	}
	if retriesThrottling(custom()) {
		return cfg
	}
	cfg.Retryer = func() aws.Retryer { return retry.AddWithErrorCodes(custom(), throttleErrorCodes...) }
	return cfg
}

// retriesThrottling reports whether r retries every code of
// throttleErrorCodes.
func retriesThrottling(r aws.Retryer) bool {
	for _, c := range throttleErrorCodes {
		if !r.IsErrorRetryable(&smithy.GenericAPIError{Code: c, Fault: smithy.FaultClient}) {
			return false
		}
	}
	return true
}
