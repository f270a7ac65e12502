package encryption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A DescribeKey call that fails in the end, the Encrypter's health check or
// the Decrypter's resolution of KeyIDs, refused or answered without a field
// it needs, is counted in Stats as GenerateDataKey and Decrypt failures are.
func TestDescribeKeyFailuresAreCounted(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture) (encryption.Stats, error)
	}{
		{"Check of a denied key", func(t *testing.T, f *fixture) (encryption.Stats, error) {
			f.kms.SetDenied(f.keyID, true)
			err := f.enc.Check(context.Background())
			return f.enc.Stats(), err
		}},
		{"Check answered without metadata", func(t *testing.T, f *fixture) (encryption.Stats, error) {
			enc := newEncrypterOn(t, f, lackingKMS{KMSAPI: f.kms, metadata: true}, encryption.EncrypterConfig{})
			err := enc.Check(context.Background())
			return enc.Stats(), err
		}},
		{"KeyIDs answered without key ARN", func(t *testing.T, f *fixture) (encryption.Stats, error) {
			dec := newDecrypterOn(t, f, lackingKMS{KMSAPI: f.kms, arn: true}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			err := dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{}`)))
			return dec.Stats(), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})

			stats, err := tt.run(t, f)

			require.Error(t, err)
			assert.Equal(t, int64(1), stats.DescribeKeyFailures)
			assert.Zero(t, stats.GenerateDataKeyFailures+stats.DecryptFailures)
		})
	}
}

// A DescribeKey call that succeeds is no failure.
func TestDescribeKeySuccessIsNoFailure(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})

	require.NoError(t, f.enc.Check(context.Background()))
	require.NoError(t, dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{}`))))

	assert.Equal(t, int64(1), f.enc.Stats().DescribeKeyCalls)
	assert.Zero(t, f.enc.Stats().DescribeKeyFailures)
	assert.Equal(t, int64(1), dec.Stats().DescribeKeyCalls)
	assert.Zero(t, dec.Stats().DescribeKeyFailures)
}
