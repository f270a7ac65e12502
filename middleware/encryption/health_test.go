package encryption_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// generateDeniedKMS refuses GenerateDataKey while denied, as KMS does for a
// role whose grant was revoked or whose policy allows kms:DescribeKey but
// not kms:GenerateDataKey; DescribeKey still answers.
type generateDeniedKMS struct {
	*encryptiontest.KMS
	denied atomic.Bool
}

func (k *generateDeniedKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	if k.denied.Load() {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:GenerateDataKey"}
	}
	return k.KMS.GenerateDataKey(ctx, in, optFns...)
}

// A key GenerateDataKey refuses is not permanent on the produce side, so
// its messages wait for it: Check reports it while it is refused, even
// though DescribeKey passes, and clears once GenerateDataKey succeeds again.
func TestCheck_ReportsAKeyGenerateDataKeyRefuses(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	api := &generateDeniedKMS{KMS: f.kms}
	enc, err := encryption.NewEncrypter(api, encryption.EncrypterConfig{KeyID: testAlias, Retry: fastRetryConfig()})
	require.NoError(t, err)
	require.NoError(t, enc.Check(context.Background()))

	api.denied.Store(true)
	_, err = enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("waiting")))
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	require.False(t, sourceflow.IsPermanent(err))

	err = enc.Check(context.Background())
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.Contains(t, err.Error(), `destination "orders", type orders.CreateOrder: `)

	api.denied.Store(false)
	require.NoError(t, enc.Check(context.Background()), "GenerateDataKey succeeds again")
	calls := f.kms.Calls().GenerateDataKey
	require.NoError(t, enc.Check(context.Background()))
	assert.Equal(t, calls, f.kms.Calls().GenerateDataKey, "a healthy key costs DescribeKey only")
}
