package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// refusedDecryptKMS sends no Decrypt call, as *kms.Client does when its
// endpoint refuses connections, and reports its options as *kms.Client
// does.
type refusedDecryptKMS struct {
	*encryptiontest.KMS
	region, endpoint string
}

func (refusedDecryptKMS) Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	return nil, unsentCall("KMS", "Decrypt")
}

func (k refusedDecryptKMS) Options() kms.Options {
	return kms.Options{Region: k.region, BaseEndpoint: aws.String(k.endpoint)}
}

// deniedDecryptKMS answers every Decrypt call with AccessDeniedException.
type deniedDecryptKMS struct{ *encryptiontest.KMS }

func (deniedDecryptKMS) Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "KMS", OperationName: "Decrypt",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:Decrypt"}}
}

// A dead letter that cannot be decrypted because KMS could not be reached
// names the KMS client's endpoint and region, not the key's permissions
// or --app-name; one that KMS refused keeps that advice.
func TestDLQPeek_ADecryptThatDidNotReachKMSNamesItsEndpoint(t *testing.T) {
	const kmsOnly = "http://127.0.0.1:1"
	t.Setenv("AWS_ENDPOINT_URL_KMS", kmsOnly)
	e := newDLQEnv(t)
	putEncrypted(t, e)
	e.kmsAPI = refusedDecryptKMS{KMS: e.kms, region: "eu-central-1", endpoint: kmsOnly}

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "(the KMS endpoint cannot be reached (AWS_ENDPOINT_URL_KMS: "+kmsOnly+
		"; region eu-central-1): check that the endpoint is up and its address right, and the network between)\n"), out)
	assert.NotContains(t, out, "check kms:Decrypt")

	e.kmsAPI = deniedDecryptKMS{e.kms}
	out, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "AccessDeniedException"), out)
	assert.Equal(t, 2, strings.Count(out, "(check kms:Decrypt on the key and --app-name)\n"), out)
	assert.NotContains(t, out, "cannot be reached")
}
