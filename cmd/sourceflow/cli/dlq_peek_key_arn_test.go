package cli_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A --key-id that is a well-formed key ARN of no key is found out with
// kms:DescribeKey before any message is received: the same usage error as
// a mistyped alias, not a payload line per message.
func TestDLQPeek_AKeyARNOfNoKeyFailsBeforeReceiving(t *testing.T) {
	e := newDLQEnv(t)
	putEncrypted(t, e)
	before := e.sqs.Calls("ReceiveMessage")
	missing := encryptiontest.ARN("0b5e1c6e-0000-4000-8000-000000000000")

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", missing)

	assert.Equal(t, cli.ExitUsage, code, out)
	assert.Contains(t, errOut, "--key-id "+missing+": KMS finds no such key")
	assert.NotContains(t, out, "cannot decrypt")
	assert.Equal(t, before, e.sqs.Calls("ReceiveMessage"), "nothing received")
	assert.Equal(t, 1, e.kms.Calls().DescribeKey)
}

// describeRecordingKMS records the KeyId of each DescribeKey call and
// describes any key ARN as an existing key of that ARN.
type describeRecordingKMS struct {
	*encryptiontest.KMS
	mu  sync.Mutex
	ids []string
}

func (k *describeRecordingKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ids = append(k.ids, aws.ToString(in.KeyId))
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{Arn: in.KeyId, Enabled: true}}, nil
}

// A multi-Region key given by the ARN of its replica in another Region is
// described as its replica in the KMS client's Region, which KMS Decrypt
// is pinned to, and is accepted as given.
func TestDLQPeek_AMultiRegionKeyARNIsDescribedInTheClientsRegion(t *testing.T) {
	e := newDLQEnv(t)
	api := &describeRecordingKMS{KMS: e.kms}
	e.kmsAPI = api
	elsewhere := "arn:aws:kms:eu-west-1:" + encryptiontest.Account + ":key/mrk-1234abcd12ab34cd56ef1234567890ab"
	here := strings.Replace(elsewhere, ":eu-west-1:", ":"+encryptiontest.Region+":", 1)

	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", elsewhere)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, []string{here}, api.ids)
}

// silentDescribeKMS answers DescribeKey with neither an output nor an
// error, as a KMS client with a bug may.
type silentDescribeKMS struct{ *encryptiontest.KMS }

func (silentDescribeKMS) DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return nil, nil
}

// A DescribeKey answered with nothing is an AWS error naming the --key-id,
// not a crash.
func TestDLQPeek_ADescribeKeyAnsweredWithNothingIsAnAWSError(t *testing.T) {
	e := newDLQEnv(t)
	e.kmsAPI = silentDescribeKMS{e.kms}

	var errOut string
	var code int
	require.NotPanics(t, func() {
		_, errOut, code = e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/orders")
	})

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "--key-id alias/orders: kms:DescribeKey returned no key ARN")
}

// endpointKMS is a KMS client that reports its options, as *kms.Client
// does, with the endpoint the SDK resolved for it.
type endpointKMS struct {
	*encryptiontest.KMS
	endpoint string
}

func (k endpointKMS) Options() kms.Options {
	return kms.Options{Region: encryptiontest.Region, BaseEndpoint: aws.String(k.endpoint)}
}

// The advice of a failed KMS call of peek --key-id names the KMS client's
// endpoint and the variable it came from, AWS_ENDPOINT_URL_KMS when that
// holds it, not the SQS client's.
func TestDLQPeek_KMSAdviceNamesTheKMSEndpoint(t *testing.T) {
	const kmsOnly, all, sqsOnly = "http://kms.internal:4566", "http://all.internal:4566", "http://sqs.internal:4566"
	cases := []struct {
		name, kmsVar, endpoint string
		reports                bool // the client reports its options
		want, notWant          string
	}{
		{"KMS's own", kmsOnly, kmsOnly, true, "the endpoint (AWS_ENDPOINT_URL_KMS: " + kmsOnly + ")", "AWS_ENDPOINT_URL:"},
		{"the general one", "", all, true, "the endpoint (AWS_ENDPOINT_URL: " + all + ")", "AWS_ENDPOINT_URL_KMS"},
		{"a client without options", kmsOnly, "", false, "the endpoint (AWS_ENDPOINT_URL_KMS: " + kmsOnly + ")", "AWS_ENDPOINT_URL:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_KMS", tc.kmsVar)
			t.Setenv("AWS_ENDPOINT_URL", all)
			t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
			e := newDLQEnv(t)
			e.kms.SetAlias("alias/orders", e.keyID)
			e.kms.SetDenied(e.keyID, true)
			if tc.reports {
				e.kmsAPI = endpointKMS{KMS: e.kms, endpoint: tc.endpoint}
			}

			_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/orders")

			assert.Equal(t, cli.ExitAWS, code, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.NotContains(t, errOut, tc.notWant)
			assert.NotContains(t, errOut, sqsOnly)
		})
	}
}

// A payload refused for its key names the flag that lists the keys,
// --key-id, not the field of the library's configuration it fills, in the
// table and in the JSON document alike.
func TestDLQPeek_ARefusedKeyNamesTheFlagNotTheLibraryField(t *testing.T) {
	for _, output := range []string{"table", "json"} {
		t.Run(output, func(t *testing.T) {
			e := newDLQEnv(t)
			other := encryptiontest.ARN(e.kms.CreateKey())
			putEncrypted(t, e)

			out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt",
				"--key-id", other, "-o", output)

			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Equal(t, 2, strings.Count(out, "which --key-id ("+other+") does not name"), out)
			assert.NotContains(t, out, "DecrypterConfig")
			assert.NotContains(t, out, "KeyIDs")
		})
	}
}
