package encryption_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// silentKMS is a KMS client with a bug: the calls its test names answer
// neither an output nor an error; the others go to the embedded client.
type silentKMS struct {
	encryption.KMSAPI
	generate, decrypt, describe bool
}

func (k silentKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	if k.generate {
		return nil, nil
	}
	return k.KMSAPI.GenerateDataKey(ctx, in, o...)
}

func (k silentKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	if k.decrypt {
		return nil, nil
	}
	return k.KMSAPI.Decrypt(ctx, in, o...)
}

func (k silentKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if k.describe {
		return nil, nil
	}
	return k.KMSAPI.DescribeKey(ctx, in, o...)
}

// A KMS client answering neither an output nor an error (a user-supplied
// KMSAPI may) fails the call with a transient error naming the operation,
// instead of a nil dereference.
func TestKMSCallWithoutOutputIsATransientError(t *testing.T) {
	tests := []struct {
		name, op string
		run      func(t *testing.T, f *fixture) error
	}{
		{"Encrypt", "GenerateDataKey", func(t *testing.T, f *fixture) error {
			enc := newEncrypterOn(t, f, silentKMS{KMSAPI: f.kms, generate: true}, encryption.EncrypterConfig{})
			_, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
			return err
		}},
		{"Check", "DescribeKey", func(t *testing.T, f *fixture) error {
			enc := newEncrypterOn(t, f, silentKMS{KMSAPI: f.kms, describe: true}, encryption.EncrypterConfig{})
			return enc.Check(context.Background())
		}},
		{"Decrypt", "Decrypt", func(t *testing.T, f *fixture) error {
			sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
			dec := newDecrypterOn(t, f, silentKMS{KMSAPI: f.kms, decrypt: true}, encryption.DecrypterConfig{})
			return dec.Decrypt(context.Background(), testDest, sealed)
		}},
		{"Decrypt resolving KeyIDs", "DescribeKey", func(t *testing.T, f *fixture) error {
			sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
			dec := newDecrypterOn(t, f, silentKMS{KMSAPI: f.kms, describe: true}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			return dec.Decrypt(context.Background(), testDest, sealed)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})

			var err error
			require.NotPanics(t, func() { err = tt.run(t, f) })

			require.ErrorIs(t, err, encryption.ErrKMS)
			assert.False(t, sourceflow.IsPermanent(err), "tried again: %v", err)
			assert.Contains(t, err.Error(), tt.op+": KMS client returned no output and no error")
		})
	}
}

// Check calls GenerateDataKey again after a refusal of the key: a client
// answering that call with neither an output nor an error fails the check
// with the transient error, instead of a nil dereference.
func TestCheckGenerateWithoutOutputIsATransientError(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	api := &silentKMS{KMSAPI: f.kms}
	enc := newEncrypterOn(t, f, api, encryption.EncrypterConfig{})
	f.kms.SetDisabled(f.keyID, true)
	_, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	f.kms.SetDisabled(f.keyID, false)
	api.generate = true

	require.NotPanics(t, func() { err = enc.Check(context.Background()) })

	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.Contains(t, err.Error(), "GenerateDataKey: KMS client returned no output and no error")
}

// A GenerateDataKey answer without the wrapped data key fails the call: a
// message sealed under it could never be decrypted.
func TestGenerateDataKeyWithoutWrappedKeyIsATransientError(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	enc := newEncrypterOn(t, f, unwrappedKMS{f.kms}, encryption.EncrypterConfig{})

	_, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))

	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.False(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "GenerateDataKey: KMS answer lacks a field the call needs: CiphertextBlob")
}

// unwrappedKMS answers GenerateDataKey without CiphertextBlob.
type unwrappedKMS struct{ encryption.KMSAPI }

func (k unwrappedKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	out, err := k.KMSAPI.GenerateDataKey(ctx, in, o...)
	if out != nil {
		out.CiphertextBlob = nil
	}
	return out, err
}

// newEncrypterOn returns an Encrypter on api with f's clock and key.
func newEncrypterOn(t *testing.T, f *fixture, api encryption.KMSAPI, cfg encryption.EncrypterConfig) *encryption.Encrypter {
	t.Helper()
	cfg.KeyID, cfg.Clock = testAlias, f.clock
	fastRetry(&cfg.Retry)
	enc, err := encryption.NewEncrypter(api, cfg)
	require.NoError(t, err)
	return enc
}

// newDecrypterOn returns a Decrypter on api with f's clock.
func newDecrypterOn(t *testing.T, f *fixture, api encryption.KMSAPI, cfg encryption.DecrypterConfig) *encryption.Decrypter {
	t.Helper()
	cfg.Clock = f.clock
	fastRetry(&cfg.Retry)
	dec, err := encryption.NewDecrypter(api, cfg)
	require.NoError(t, err)
	return dec
}
