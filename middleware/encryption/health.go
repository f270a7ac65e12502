package encryption

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Check reports whether the configured key can be used: KMS knows it (with
// DescribeKey, which costs no data key), it is enabled and it is a symmetric
// encrypt/decrypt key. After GenerateDataKey refused the key
// (ErrKeyUnavailable, ErrAccessDenied: not permanent here before
// KeyRefusalGrace, so the messages wait for it), Check also calls
// GenerateDataKey again under the
// encryption context refused last, and reports its error until it
// succeeds: DescribeKey may pass while GenerateDataKey is denied. A
// transport's health check calls it.
func (e *Encrypter) Check(ctx context.Context) error {
	var out *kms.DescribeKeyOutput
	err := e.kms.call(ctx, "DescribeKey", func(ctx context.Context) error {
		e.stats.describeKey.Add(1)
		var err error
		out, err = e.kms.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &e.cfg.KeyID})
		return complete(out, err, lacksKeyMetadata)
	})
	if err != nil {
		return fmt.Errorf("encryption health check: %w", err)
	}
	md := out.KeyMetadata
	if !md.Enabled || (md.KeyState != "" && md.KeyState != types.KeyStateEnabled) {
		return fmt.Errorf("encryption health check: %w: key %q is in state %s", ErrKeyUnavailable, e.cfg.KeyID, md.KeyState)
	}
	if md.KeyUsage != "" && md.KeyUsage != types.KeyUsageTypeEncryptDecrypt {
		return fmt.Errorf("encryption health check: %w: key %q has usage %s, want %s",
			ErrKeyUnavailable, e.cfg.KeyID, md.KeyUsage, types.KeyUsageTypeEncryptDecrypt)
	}
	if md.KeySpec != "" && md.KeySpec != types.KeySpecSymmetricDefault {
		return fmt.Errorf("encryption health check: %w: key %q has spec %s, want %s",
			ErrKeyUnavailable, e.cfg.KeyID, md.KeySpec, types.KeySpecSymmetricDefault)
	}
	return e.checkGenerate(ctx)
}
