package encryption_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// plaintextKMS keeps every data key its KMSAPI answers with. Its faulty
// answers lack the KeyId (Decrypt) or the wrapped data key
// (GenerateDataKey), as lacking says, and its first throttled answers carry
// the data key beside a ThrottlingException.
type plaintextKMS struct {
	encryption.KMSAPI
	lacking bool

	mu        sync.Mutex
	throttled int
	plaintext [][]byte
}

// answer keeps plaintext and returns the error its answer comes with.
func (k *plaintextKMS) answer(plaintext []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.plaintext = append(k.plaintext, plaintext)
	if k.throttled > 0 {
		k.throttled--
		return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "rate exceeded"}
	}
	return nil
}

func (k *plaintextKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	out, err := k.KMSAPI.Decrypt(ctx, in, o...)
	if err != nil {
		return out, err
	}
	if k.lacking {
		out.KeyId = nil
	}
	return out, k.answer(out.Plaintext)
}

func (k *plaintextKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	out, err := k.KMSAPI.GenerateDataKey(ctx, in, o...)
	if err != nil {
		return out, err
	}
	if k.lacking {
		out.CiphertextBlob = nil
	}
	return out, k.answer(out.Plaintext)
}

// assertWiped checks that every data key k answered with was wiped.
func (k *plaintextKMS) assertWiped(t *testing.T) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	require.NotEmpty(t, k.plaintext, "KMS answered with a data key")
	for _, p := range k.plaintext {
		require.NotEmpty(t, p)
		assert.Equal(t, make([]byte, len(p)), p, "the data key is wiped")
	}
}

// The data key of a KMS answer that fails its call, as lacking a field the
// call needs or coming with an error that is retried, is wiped: only the
// data key of an answer that succeeded is made into ciphers (and wiped then).
func TestFailedKMSAnswersWipeTheirDataKey(t *testing.T) {
	decrypt := func(t *testing.T, f *fixture, api *plaintextKMS) error {
		dec := newDecrypterOn(t, f, api, encryption.DecrypterConfig{KeyIDs: []string{testAlias}})
		return dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte(`{}`)))
	}
	encrypt := func(t *testing.T, f *fixture, api *plaintextKMS) error {
		_, err := newEncrypterOn(t, f, api, encryption.EncrypterConfig{}).Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
		return err
	}
	tests := []struct {
		name    string
		api     *plaintextKMS
		run     func(t *testing.T, f *fixture, api *plaintextKMS) error
		failing bool
	}{
		{"Decrypt answer without KeyId", &plaintextKMS{lacking: true}, decrypt, true},
		{"GenerateDataKey answer without wrapped key", &plaintextKMS{lacking: true}, encrypt, true},
		{"throttled Decrypt answer", &plaintextKMS{throttled: 1}, decrypt, false},
		{"throttled GenerateDataKey answer", &plaintextKMS{throttled: 1}, encrypt, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			tt.api.KMSAPI = f.kms

			err := tt.run(t, f, tt.api)

			if tt.failing {
				require.ErrorIs(t, err, encryption.ErrKMS)
			} else {
				require.NoError(t, err, "the retry succeeds")
			}
			tt.api.assertWiped(t)
		})
	}
}
