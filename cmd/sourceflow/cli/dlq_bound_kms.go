package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// boundedKMS is the KMS client of dlq peek --decrypt with each call
// bounded by bound (--check-timeout), SDK retries included, as boundedSQS
// bounds the SQS calls: a KMS endpoint that does not answer fails the key
// check (--key-id) or a payload's decryption after bound, naming the
// endpoint, instead of after the whole --timeout.
type boundedKMS struct {
	encryption.KMSAPI
	bound time.Duration
}

// DescribeKey is the client's, bounded.
func (b boundedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*kms.DescribeKeyOutput, error) {
		return b.KMSAPI.DescribeKey(ctx, in, opts...)
	})
}

// Decrypt is the client's, bounded.
func (b boundedKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	return within(ctx, b.bound, func(ctx context.Context) (*kms.DecryptOutput, error) {
		return b.KMSAPI.Decrypt(ctx, in, opts...)
	})
}

// Options is the client's when it reports them, as *kms.Client does, so
// that the Decrypter pins a multi-Region key to the client's Region; the
// zero Options, which name no Region, otherwise.
func (b boundedKMS) Options() kms.Options {
	if c, ok := b.KMSAPI.(interface{ Options() kms.Options }); ok {
		return c.Options()
	}
	return kms.Options{}
}
