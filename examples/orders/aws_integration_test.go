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
)

// The unchanged service code runs on SQS and SNS: every order completes and
// is one trace across the four hops.
func TestRunOnAWS(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	var out, errOut bytes.Buffer
	p := runPrefix()
	code := run(context.Background(), []string{"-n", "20", "-print-traces", "-prefix", p}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{
		"transport:          aws", "orders created:     20", "payments processed: 20",
		"orders completed:   20", "traces:             20",
		fmt.Sprintf("8 spans (process %[1]sorder-events, process %[1]sorders.fifo, process %[1]spayment-events, process %[1]spayments.fifo, "+
			"send %[1]sorder-events, send %[1]sorders.fifo, send %[1]spayment-events, send %[1]spayments.fifo)", p),
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
	awsCfg, err := loadAWSConfig(ctx)
	require.NoError(t, err)
	client := kms.NewFromConfig(awsCfg)
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	alias := fmt.Sprintf("alias/orders-example-%d", time.Now().UnixNano())
	_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: key.KeyMetadata.KeyId})
	require.NoError(t, err)

	var out, errOut bytes.Buffer
	code := run(ctx, []string{"-n", "20", "-kms-key", alias, "-prefix", runPrefix()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   20")
	assert.Contains(t, out.String(), "encrypt(encryption)")
	assert.Contains(t, out.String(), "decrypt(encryption)")
	assert.Regexp(t, `kms: +80 messages encrypted with [1-4] GenerateDataKey and [1-8] Decrypt calls`, out.String())
}

// runPrefix returns a queue and topic prefix unique to one run, so that runs
// sharing an emulator never consume each other's messages.
func runPrefix() string {
	return fmt.Sprintf("t%d-", time.Now().UnixNano()%1_000_000_000)
}
