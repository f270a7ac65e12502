package encryption_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A key unavailable once, enabled again and then sending nothing (so no
// success ends the run) is not unavailable whole when it is disabled again
// a grace later: the run of the key whole starts again once its last
// refusal is older than KeyRefusalGrace, so another context's first
// refusal is retried. Refusals closer together still add up.
func TestEncrypt_AKeyUnavailableAgainAfterAPauseHasAGraceAgain(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	send := sender(f.enc)
	f.kms.SetDisabled(f.keyID, true)
	require.ErrorIs(t, send(testType), encryption.ErrKeyUnavailable)
	f.kms.SetDisabled(f.keyID, false)

	f.clock.Advance(20 * time.Minute)
	f.kms.SetDisabled(f.keyID, true)
	err := send(refusedType)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "the key's last refusal was a grace ago: a new run")

	f.clock.Advance(10 * time.Minute)
	require.ErrorIs(t, send(refusedType), encryption.ErrKeyUnavailable)
	f.clock.Advance(5 * time.Minute)
	err = send("orders.Other")
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "refused for the grace with pauses shorter than it: another context's first refusal")
	assert.Contains(t, err.Error(), "key refused since 2023-11-14T22:33:20Z")
}
