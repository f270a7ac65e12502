//go:build integration

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// The unchanged service code runs on SQS and SNS: every order completes and
// is one trace across the four hops.
func TestRunOnAWS(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-n", "20", "-print-traces"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{
		"transport:          aws", "orders created:     20", "payments processed: 20",
		"orders completed:   20", "traces:             20",
		"8 spans (process order-events, process orders.fifo, process payment-events, process payments.fifo, " +
			"send order-events, send orders.fifo, send payment-events, send payments.fifo)",
	} {
		assert.Contains(t, out.String(), want)
	}
}

// With -kms-key every body is envelope-encrypted; a handful of KMS calls
// serve all messages.
func TestRunOnAWSEncrypted(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	ctx := context.Background()
	awsCfg, err := awsbus.LoadAWSConfig(ctx, awsbus.Config{})
	require.NoError(t, err)
	client := kms.NewFromConfig(awsCfg)
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	alias := fmt.Sprintf("alias/orders-example-%d", time.Now().UnixNano())
	_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: key.KeyMetadata.KeyId})
	require.NoError(t, err)

	var out, errOut bytes.Buffer
	code := run(ctx, []string{"-n", "20", "-kms-key", alias}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   20")
	assert.Contains(t, out.String(), "encrypt(kms)")
	assert.Contains(t, out.String(), "decrypt(kms)")
	assert.Regexp(t, `kms: +80 messages encrypted with [1-4] GenerateDataKey and [1-8] Decrypt calls`, out.String())
}
