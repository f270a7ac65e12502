package encryptiontest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

var _ encryption.KMSAPI = (*encryptiontest.KMS)(nil)

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func ref(s string) *string { return &s }

func TestKMS_WrapUnwrap(t *testing.T) {
	ctx := context.Background()
	f := encryptiontest.New()
	id := f.CreateKey()
	other := f.CreateKey()
	f.SetAlias("alias/a", id)
	ec := map[string]string{"k": "v"}
	gen, err := f.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: ref("alias/a"), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	require.NoError(t, err)
	require.Len(t, gen.Plaintext, 32)
	assert.Equal(t, encryptiontest.ARN(id), *gen.KeyId)
	tampered := append([]byte(nil), gen.CiphertextBlob...)
	tampered[len(tampered)-1] ^= 1

	tests := []struct {
		name     string
		in       kms.DecryptInput
		wantCode string
	}{
		{"same context", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob, EncryptionContext: ec}, ""},
		{"key id matches", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob, EncryptionContext: ec, KeyId: ref(encryptiontest.ARN(id))}, ""},
		{"wrong context", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob, EncryptionContext: map[string]string{"k": "w"}}, "InvalidCiphertextException"},
		{"no context", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob}, "InvalidCiphertextException"},
		{"tampered blob", kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec}, "InvalidCiphertextException"},
		{"short blob", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob[:10], EncryptionContext: ec}, "InvalidCiphertextException"},
		{"other key id", kms.DecryptInput{CiphertextBlob: gen.CiphertextBlob, EncryptionContext: ec, KeyId: ref(other)}, "IncorrectKeyException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.Decrypt(ctx, &tt.in)
			if tt.wantCode != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantCode, code(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, f.DataKeys()[0], out.Plaintext)
		})
	}
}

func TestKMS_KeyStates(t *testing.T) {
	ctx := context.Background()
	f := encryptiontest.New()
	id := f.CreateKey()
	gen := func(ref string) error {
		_, err := f.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &ref, KeySpec: types.DataKeySpecAes256})
		return err
	}
	require.NoError(t, gen(id))
	require.NoError(t, gen(encryptiontest.ARN(id)))
	assert.Equal(t, "NotFoundException", code(gen("alias/missing")))
	assert.Equal(t, "NotFoundException", code(gen("nope")))

	f.SetDisabled(id, true)
	assert.Equal(t, "DisabledException", code(gen(id)))
	d, err := f.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	require.NoError(t, err)
	assert.Equal(t, types.KeyStateDisabled, d.KeyMetadata.KeyState)
	f.SetDisabled(id, false)

	f.SetDenied(id, true)
	assert.Equal(t, "AccessDeniedException", code(gen(id)))
	f.SetDenied(id, false)

	f.Throttle(2, "")
	assert.Equal(t, "ThrottlingException", code(gen(id)))
	assert.Equal(t, "ThrottlingException", code(gen(id)))
	require.NoError(t, gen(id))
	assert.Equal(t, 9, f.Calls().GenerateDataKey)
}

func TestKMS_AliasMoves(t *testing.T) {
	ctx := context.Background()
	f := encryptiontest.New()
	k1, k2 := f.CreateKey(), f.CreateKey()
	f.SetAlias("alias/x", k1)
	a, err := f.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: ref("alias/x"), KeySpec: types.DataKeySpecAes256})
	require.NoError(t, err)
	f.SetAlias("alias/x", k2)
	b, err := f.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: ref("arn:aws:kms:us-east-1:000000000000:alias/x"), KeySpec: types.DataKeySpecAes256})
	require.NoError(t, err)
	assert.Equal(t, encryptiontest.ARN(k1), *a.KeyId)
	assert.Equal(t, encryptiontest.ARN(k2), *b.KeyId)
	_, err = f.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: a.CiphertextBlob})
	require.NoError(t, err, "a blob wrapped under the old key still decrypts")
}
