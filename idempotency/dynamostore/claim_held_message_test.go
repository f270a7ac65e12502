package dynamostore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// A handling transaction that did not commit, and whose claim DynamoDB
// then refused to release, fails with an error that names this package
// once, before idempotency.ErrClaimHeld's text without "idempotency: ",
// and the release's cause after it; errors.Is matches ErrClaimHeld.
func TestClaimHeldAtRollbackNamesThePackageOnce(t *testing.T) {
	s, d := answeringStore(t, http.StatusOK, `{}`)
	failed := errors.New("injected: the handler failed")

	err := s.WithinTx(context.Background(), func(ctx context.Context) error {
		res, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "m"}, "", time.Minute)
		require.NoError(t, err)
		require.Equal(t, idempotency.Acquired, res.Status)
		d.status, d.body = fault("ValidationException", "injected: the delete is refused") // the rollback's release
		return failed
	})

	require.ErrorIs(t, err, failed)
	require.ErrorIs(t, err, idempotency.ErrClaimHeld)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2, err.Error())
	assert.True(t, strings.HasPrefix(lines[1],
		"idempotency/dynamostore: the claim of a rolled-back handling is still held: release c/m: "), lines[1])
	assert.Contains(t, lines[1], "injected: the delete is refused")
	assert.Equal(t, 1, strings.Count(lines[1], "idempotency"), lines[1])
	assert.Equal(t, 1, d.count("DeleteItem"), "a refused release is not retried")
}
