package dynamostore_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// After Close every call of a store fails with idempotency.ErrClosed, in
// this package's words, before any request; Close is idempotent, and the
// client, which is the caller's, serves another store on it.
func TestCallsAfterCloseFailWithErrClosed(t *testing.T) {
	ctx := context.Background()
	s, d := answeringStore(t, http.StatusOK, "{}")
	key := idempotency.Key{Consumer: "c", MessageID: "m-1"}
	claimed, err := s.Claim(ctx, key, "", time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	sent := d.count("PutItem")

	_, err = s.Claim(ctx, key, "", time.Minute)
	assertClosed(t, "idempotency/dynamostore: claim c/m-1: store closed", err)
	assertClosed(t, "idempotency/dynamostore: complete c/m-1: store closed", s.Complete(ctx, key, claimed.Token, time.Minute))
	assertClosed(t, "idempotency/dynamostore: extend c/m-1: store closed", s.Extend(ctx, key, claimed.Token, time.Minute))
	assertClosed(t, "idempotency/dynamostore: release c/m-1: store closed", s.Release(ctx, key, claimed.Token))
	assertClosed(t, "idempotency/dynamostore: begin a transaction: store closed",
		s.WithinTx(ctx, func(context.Context) error { return nil }))
	assert.Equal(t, sent, d.count("PutItem"), "no claim sent after Close")
	assert.Zero(t, d.count("UpdateItem")+d.count("DeleteItem")+d.count("TransactWriteItems"), "no request after Close")

	other, err := dynamostore.New(ctx, dynamostore.Config{Client: answeringClient(d), Provisioning: topology.ProvisionAssume})
	require.NoError(t, err)
	_, err = other.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "m-2"}, "", time.Minute)
	assert.NoError(t, err, "Close closes one store, not the client's others")
}

// A handling transaction that took its claim before Close and does not
// commit still releases that claim: the claim is not left held until its
// lease ends (idempotency.ErrClaimHeld).
func TestRollbackAfterCloseReleasesTheClaim(t *testing.T) {
	s, d := answeringStore(t, http.StatusOK, "{}")
	failed := errors.New("the handler failed")

	err := s.WithinTx(context.Background(), func(ctx context.Context) error {
		res, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "m-1"}, "", time.Minute)
		require.NoError(t, err)
		require.Equal(t, idempotency.Acquired, res.Status)
		require.NoError(t, s.Close())
		return failed
	})

	require.ErrorIs(t, err, failed)
	assert.NotErrorIs(t, err, idempotency.ErrClaimHeld)
	assert.Equal(t, 1, d.count("DeleteItem"), "the claim was released")
}

func assertClosed(t *testing.T, want string, err error) {
	t.Helper()
	require.ErrorIs(t, err, idempotency.ErrClosed)
	assert.Equal(t, want, err.Error())
}
