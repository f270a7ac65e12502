package encryption_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// otherKeyKMS answers Decrypt as its KMSAPI does but names another key as
// the one that unwrapped the data key, and keeps the plaintext it returned.
type otherKeyKMS struct {
	encryption.KMSAPI
	keyID string

	mu        sync.Mutex
	plaintext [][]byte
}

func (k *otherKeyKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	out, err := k.KMSAPI.Decrypt(ctx, in, opts...)
	if err != nil {
		return out, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.plaintext = append(k.plaintext, out.Plaintext)
	out.KeyId = aws.String(k.keyID)
	return out, nil
}

// A data key KMS unwrapped under a key the Decrypter does not accept is
// refused, and its plaintext is wiped before the refusal returns, as a data
// key is wiped once its ciphers are made.
func TestDecrypter_ARefusedDataKeyIsWiped(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	keyARN := encryptiontest.ARN(f.keyID)
	api := &otherKeyKMS{KMSAPI: f.kms, keyID: encryptiontest.ARN(f.kms.CreateKey())}
	dec, err := encryption.NewDecrypter(api, encryption.DecrypterConfig{KeyIDs: []string{keyARN}, Clock: f.clock})
	require.NoError(t, err)

	err = dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("ok")))

	require.ErrorIs(t, err, encryption.ErrKeyNotAllowed)
	api.mu.Lock()
	defer api.mu.Unlock()
	require.NotEmpty(t, api.plaintext, "KMS was asked to unwrap the data key")
	for _, p := range api.plaintext {
		require.NotEmpty(t, p)
		assert.Equal(t, make([]byte, len(p)), p, "the refused data key is wiped")
	}
}
