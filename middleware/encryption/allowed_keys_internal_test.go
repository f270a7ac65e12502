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
}

// A KMS client that reports no Region (a *kms.Client wrapped in another
// type) may be in another Region than the producer's replica of a
// multi-Region key, and Decrypt refuses a key of another Region: the key is
// not pinned then, and the key KMS reports is checked after the call. A
// single-Region key is still pinned.
func TestAllowedKeysLeaveAMultiRegionKeyUnpinnedWithoutTheClientsRegion(t *testing.T) {
	const west, single = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd", "arn:aws:kms:us-west-2:111122223333:key/1234abcd"
	a := &allowedKeys{ids: []string{west, single}, clock: sourceflow.SystemClock(), region: regionOf(wrappedKMS{})}

	pin, err := a.admit(context.Background(), "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd")
	require.NoError(t, err)
	assert.Empty(t, pin, "not the replica of another Region")
	pin, err = a.admit(context.Background(), single)
	require.NoError(t, err)
	assert.Equal(t, single, pin)
}

// wrappedKMS is a KMS client that does not report its options, as a
// *kms.Client wrapped for instrumentation does not.
type wrappedKMS struct{ KMSAPI }

// Only the same multi-Region key matches in another Region: the same key
// id in another account or partition does not, nor does an ARN with more
// after its key id, an alias ARN or another service's ARN. Each is refused
// before any KMS call.
func TestAllowedKeysMatchAMultiRegionKeyOfItsAccountAndPartitionOnly(t *testing.T) {
	a := &allowedKeys{ids: []string{"arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd"}, clock: sourceflow.SystemClock(), region: "eu-west-1"}
	for _, header := range []string{
		"arn:aws:kms:eu-west-1:999999999999:key/mrk-1234abcd",
		"arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd",
		"arn:aws:kms:eu-west-1:111122223333:key/x:key/mrk-1234abcd",
		"arn:aws:kms:eu-west-1:999999999999:alias/x:key/mrk-1234abcd",
		"arn:aws:kms:eu-west-1:999999999999:key/1234/mrk-1234abcd",
		"arn:aws:sqs:eu-west-1:111122223333:key/mrk-1234abcd",
		"arn:aws:kms:eu-west-1:111122223333:key/MRK-1234ABCD",
	} {
		_, err := a.admit(context.Background(), header)
		assert.ErrorIs(t, err, ErrKeyNotAllowed, header)
	}
	pin, err := a.admit(context.Background(), "arn:aws:kms:ap-south-1:111122223333:key/mrk-1234abcd")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd", pin)
}
