package encryption

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A multi-Region key allowed by the ARN of one Region is the same key in
// another: KMS reports the replica of the caller's Region.
func TestAllowedKeysMatchAMultiRegionKeyInAnyRegion(t *testing.T) {
	a := &allowedKeys{ids: []string{"arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd"}, clock: sourceflow.SystemClock()}

	require.NoError(t, a.check(context.Background(), "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd"))
	assert.ErrorIs(t, a.check(context.Background(), "arn:aws:kms:eu-west-1:111122223333:key/mrk-other"), ErrKeyNotAllowed)
}

// Decrypt is pinned to the replica of a multi-Region key in the KMS
// client's Region, whichever Region the producer's replica is in; any other
// key is pinned by the ARN the header names.
func TestAllowedKeysPinAMultiRegionKeyInTheClientsRegion(t *testing.T) {
	const west, single = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd", "arn:aws:kms:us-west-2:111122223333:key/1234abcd"
	a := &allowedKeys{ids: []string{west, single}, clock: sourceflow.SystemClock(), region: regionOf(kms.New(kms.Options{Region: "eu-west-1"}))}

	pin, err := a.admit(context.Background(), west)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd", pin)
	pin, err = a.admit(context.Background(), single)
	require.NoError(t, err)
	assert.Equal(t, single, pin)
	a.region = ""
	pin, err = a.admit(context.Background(), west)
	require.NoError(t, err)
	assert.Equal(t, west, pin, "a client that reports no Region")
}
