package idempotency_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// An invalid key's error names the part at fault and shows it bounded and
// escaped, as sourceflow.IDText does: a long part is never quoted whole.
func TestKeyValidateNamesThePartBounded(t *testing.T) {
	long := strings.Repeat("u", 100_000)
	for _, tc := range []struct {
		key  idempotency.Key
		want string
	}{
		{idempotency.Key{Consumer: "c"}, "idempotency: invalid key: the message id is empty"},
		{idempotency.Key{MessageID: long}, "idempotency: invalid key: the consumer is empty"},
		{idempotency.Key{Consumer: long, MessageID: "a\xffb"}, `idempotency: invalid key: the message id is not UTF-8: a\xffb`},
		{idempotency.Key{Consumer: "c", MessageID: long + "\xff"},
			"idempotency: invalid key: the message id is not UTF-8: " + strings.Repeat("u", 256) + "…(100001 bytes)"},
	} {
		err := tc.key.Validate()
		require.ErrorIs(t, err, idempotency.ErrInvalidKey)
		assert.Equal(t, tc.want, err.Error())
	}
	require.NoError(t, idempotency.Key{Consumer: "c", MessageID: long}.Validate())
}
