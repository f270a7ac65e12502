package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// describeDeniedKMS is a KMS client whose credentials may decrypt with a
// key but not describe it, as a consumer's role that names its key by ARN
// (the Decrypter needs no kms:DescribeKey for it) or a key policy of
// another account granting only kms:Decrypt allows.
type describeDeniedKMS struct{ *encryptiontest.KMS }

func (describeDeniedKMS) DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:DescribeKey"}
}

// A --key-id key ARN the credentials may decrypt with but not describe is
// used as given, unchecked, as the consumer's Decrypter uses it: peek
// --key-id needs no more than the consumer does, so the operator is not
// pushed to drop --key-id. An alias they may not describe still fails, as
// it cannot be resolved.
func TestDLQPeek_AKeyARNThatMayNotBeDescribedIsUsedAsGiven(t *testing.T) {
	e := newDLQEnv(t)
	putEncrypted(t, e)
	e.kmsAPI = describeDeniedKMS{e.kms}
	keyARN := encryptiontest.ARN(e.keyID)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", keyARN)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, `payload     {"card":"secret"}`), out)

	e.kms.SetAlias("alias/orders", e.keyID)
	_, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/orders")
	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "dlq peek --key-id alias/orders: kms:DescribeKey")
}
