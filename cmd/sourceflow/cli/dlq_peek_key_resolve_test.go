package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// putEncrypted puts two dead letters encrypted under e's key on
// orders-dlq.fifo.
func putEncrypted(t *testing.T, e *dlqEnv) {
	t.Helper()
	for _, id := range []string{"id-1", "id-2"} {
		e.put(t, "orders-dlq.fifo", letter{id: id, typ: "orders.CreateOrder", entity: "o-" + id, reason: "boom",
			body: `{"card":"secret"}`, encryptFor: "orders.fifo"})
	}
}

// Every dead letter under a key --key-id does not list reads the same: a
// one-shot peek tries nothing again later, so none says it will, the
// second one read within a second of the first included.
func TestDLQPeek_EveryLetterUnderAnotherKeyIsRefusedAlike(t *testing.T) {
	e := newDLQEnv(t)
	e.kms.SetAlias("alias/other", e.kms.CreateKey())
	putEncrypted(t, e)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/other")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "payload     encrypted (44 bytes), cannot decrypt:"), out)
	assert.Equal(t, 2, strings.Count(out, "(its KMS key is not one of --key-id; alias/other is arn:aws:kms:"), out)
	assert.NotContains(t, out, "tried again later")
	assert.NotContains(t, out, `"secret"`)
}

// An empty --key-id is a usage error naming the flag, found before any
// AWS call.
func TestDLQPeek_AnEmptyKeyIDIsAUsageErrorNamingTheFlag(t *testing.T) {
	e := newDLQEnv(t)
	putEncrypted(t, e)
	before := e.sqs.Calls("ReceiveMessage")

	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt",
		"--key-id", "alias/orders", "--key-id", "")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, `--key-id "": empty`)
	assert.NotContains(t, errOut, "DecrypterConfig")
	assert.NotContains(t, errOut, "KeyIDs")
	assert.Equal(t, before, e.sqs.Calls("ReceiveMessage"), "nothing received")
}

// A --key-id KMS cannot resolve (a mistyped alias) fails the command once,
// naming it, before any message is received.
func TestDLQPeek_AKeyIDThatDoesNotResolveFailsBeforeReceiving(t *testing.T) {
	e := newDLQEnv(t)
	e.kms.SetAlias("alias/orders", e.keyID)
	putEncrypted(t, e)
	before := e.sqs.Calls("ReceiveMessage")

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt",
		"--key-id", "alias/orders", "--key-id", "alias/ordres")

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "--key-id alias/ordres: KMS finds no such key")
	assert.Equal(t, 1, strings.Count(errOut, "alias/ordres: KMS finds no such key"), errOut)
	assert.NotContains(t, out, "cannot decrypt")
	assert.Equal(t, before, e.sqs.Calls("ReceiveMessage"), "nothing received")
	assert.Equal(t, 2, e.kms.Calls().DescribeKey, "each alias resolved once")
}

// A --key-id the Decrypter would not take for a key ARN (here one copied
// with a slash after the key id) is resolved before receiving too, as the
// Decrypter would otherwise resolve it on every message: one KMS cannot
// resolve is a usage error naming it, and no payload line carries it.
func TestDLQPeek_AMistypedKeyARNFailsBeforeReceiving(t *testing.T) {
	e := newDLQEnv(t)
	putEncrypted(t, e)
	before := e.sqs.Calls("ReceiveMessage")
	mistyped := encryptiontest.ARN(e.keyID) + "/"

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", mistyped)

	assert.Equal(t, cli.ExitUsage, code, out)
	assert.Contains(t, errOut, "--key-id "+mistyped+": KMS finds no such key")
	assert.NotContains(t, out, "cannot decrypt")
	assert.Equal(t, before, e.sqs.Calls("ReceiveMessage"), "nothing received")
}

// A --key-id given twice is resolved once and named once on the payload
// line.
func TestDLQPeek_AKeyIDGivenTwiceIsResolvedOnce(t *testing.T) {
	e := newDLQEnv(t)
	e.kms.SetAlias("alias/other", e.kms.CreateKey())
	putEncrypted(t, e)

	out, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt",
		"--key-id", "alias/other", "--key-id", "alias/other")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, 1, e.kms.Calls().DescribeKey, "resolved once")
	assert.Equal(t, 2, strings.Count(out, "alias/other is arn:aws:kms:"), "once a payload line: %s", out)
}

// A --key-id the credentials may not describe fails before receiving as an
// AWS error whose advice points at a help that lists kms:DescribeKey.
func TestDLQPeek_AKeyIDThatMayNotBeDescribedNamesThePermission(t *testing.T) {
	e := newDLQEnv(t)
	e.kms.SetAlias("alias/orders", e.keyID)
	putEncrypted(t, e)
	e.kms.SetDenied(e.keyID, true)
	before := e.sqs.Calls("ReceiveMessage")

	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", "alias/orders")
	help, _, _ := e.run(t, "dlq", "--help")

	assert.Equal(t, cli.ExitAWS, code, errOut)
	assert.Contains(t, errOut, "dlq peek --key-id alias/orders: kms:DescribeKey")
	assert.Contains(t, errOut, "`sourceflow dlq --help` lists the permissions needed")
	assert.Contains(t, strings.Join(strings.Fields(help), " "), "--key-id kms:DescribeKey on each key it names")
	assert.Equal(t, before, e.sqs.Calls("ReceiveMessage"), "nothing received")
}

// invalidARNKMS is a KMS whose DescribeKey rejects every id as an invalid
// ARN, as KMS does an alias ARN it cannot read.
type invalidARNKMS struct{ *encryptiontest.KMS }

func (invalidARNKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return nil, &kmstypes.InvalidArnException{Message: aws.String(aws.ToString(in.KeyId) + " is not a valid ARN")}
}

// A --key-id KMS rejects as an invalid ARN is a bad argument: a usage
// error naming it, as one KMS finds no key for is.
func TestDLQPeek_AKeyIDKMSTakesForAnInvalidARNIsAUsageError(t *testing.T) {
	e := newDLQEnv(t)
	putEncrypted(t, e)
	e.kmsAPI = invalidARNKMS{e.kms}
	bad := "arn:aws:kms:us-east-1:0000:alias/orders"

	_, errOut, code := e.run(t, "dlq", "peek", "-f", e.path, "--queue", "orders.fifo", "--decrypt", "--key-id", bad)

	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "--key-id "+bad+": KMS finds no such key")
}
