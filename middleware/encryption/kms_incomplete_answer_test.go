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

// lackingKMS is a KMS client with a bug: the answers its test names lack a
// field the call needs; the others are the embedded client's.
type lackingKMS struct {
	encryption.KMSAPI
	keyID, metadata, arn bool // Decrypt's KeyId, DescribeKey's KeyMetadata or its Arn
}

func (k lackingKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	out, err := k.KMSAPI.Decrypt(ctx, in, o...)
	if out != nil && k.keyID {
		out.KeyId = nil
	}
	return out, err
}

func (k lackingKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	out, err := k.KMSAPI.DescribeKey(ctx, in, o...)
	switch {
	case out == nil:
	case k.metadata:
		out.KeyMetadata = nil
	case k.arn && out.KeyMetadata != nil:
		out.KeyMetadata.Arn = nil
	}
	return out, err
}

// A GenerateDataKey answer without the wrapped data key is a failed call of
// that operation: counted in Stats as any other.
func TestGenerateDataKeyWithoutWrappedKeyIsCountedAsAFailedCall(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	enc := newEncrypterOn(t, f, unwrappedKMS{f.kms}, encryption.EncrypterConfig{})

	_, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))

	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.Equal(t, int64(1), enc.Stats().GenerateDataKeyFailures)
}

// With KeyIDs set, a Decrypt answer that does not say which key unwrapped
// the data key is a faulty answer: a transient failed Decrypt call, not a
// permanent refusal of the message as wrapped under "".
func TestDecryptAnswerWithoutKeyIDIsATransientFailedCall(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	dec := newDecrypterOn(t, f, lackingKMS{KMSAPI: f.kms, keyID: true}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})

	err := dec.Decrypt(context.Background(), testDest, sealed)

	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.NotErrorIs(t, err, encryption.ErrKeyNotAllowed)
	assert.False(t, sourceflow.IsPermanent(err), "tried again: %v", err)
	assert.Contains(t, err.Error(), "Decrypt: KMS answer lacks a field the call needs: KeyId")
	assert.Equal(t, int64(1), dec.Stats().DecryptFailures)
}

// Without KeyIDs no key is checked, so a Decrypt answer without a KeyId
// still unwraps the data key.
func TestDecryptAnswerWithoutKeyIDDecryptsWithoutKeyIDs(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	dec := newDecrypterOn(t, f, lackingKMS{KMSAPI: f.kms, keyID: true}, encryption.DecrypterConfig{})

	require.NoError(t, dec.Decrypt(context.Background(), testDest, sealed))
	assert.JSONEq(t, `{"id":"o-1"}`, string(sealed.Payload))
	assert.Zero(t, dec.Stats().DecryptFailures)
}

// A DescribeKey answer without key metadata, or resolving an allowed id
// without the key ARN, is a failed DescribeKey call: a transient ErrKMS
// naming the operation and the field, as an answer without output is.
func TestDescribeKeyAnswerLackingAFieldIsATransientFailedCall(t *testing.T) {
	tests := []struct {
		name, field string
		run         func(t *testing.T, f *fixture) error
	}{
		{"Check without metadata", "KeyMetadata", func(t *testing.T, f *fixture) error {
			return newEncrypterOn(t, f, lackingKMS{KMSAPI: f.kms, metadata: true}, encryption.EncrypterConfig{}).Check(context.Background())
		}},
		{"KeyIDs without metadata", "KeyMetadata", func(t *testing.T, f *fixture) error {
			dec := newDecrypterOn(t, f, lackingKMS{KMSAPI: f.kms, metadata: true}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			return dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{}`)))
		}},
		{"KeyIDs without key ARN", "KeyMetadata.Arn", func(t *testing.T, f *fixture) error {
			dec := newDecrypterOn(t, f, lackingKMS{KMSAPI: f.kms, arn: true}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
			return dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{}`)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})

			err := tt.run(t, f)

			require.ErrorIs(t, err, encryption.ErrKMS)
			assert.False(t, sourceflow.IsPermanent(err), "tried again: %v", err)
			assert.Contains(t, err.Error(), "DescribeKey: KMS answer lacks a field the call needs: "+tt.field)
		})
	}
}
