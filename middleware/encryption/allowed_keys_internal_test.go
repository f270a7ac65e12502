package encryption

import (
	"context"
	"testing"

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
