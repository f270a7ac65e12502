package encryption_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A key policy that denies one message type (AccessDenied under its
// encryption context) does not make the key refused whole, however long
// that type alone is sent: KMS's AccessDenied cannot tell one context
// denied from the key denied, so another type the key starts denying
// later has a grace of its own, and so does a key disabled later.
func TestEncrypt_AContextDeniedPastTheGraceLeavesOtherContextsTheirOwn(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	api, enc := f.refusingEncrypter(t, 0)
	send := sender(enc)
	require.ErrorIs(t, send(refusedType), encryption.ErrAccessDenied)
	for range 16 {
		f.clock.Advance(time.Minute)
		require.ErrorIs(t, send(refusedType), encryption.ErrAccessDenied)
	}
	assert.True(t, sourceflow.IsPermanent(send(refusedType)), "past the grace under its own context")

	api.refuse("orders.Later")
	err := send("orders.Later")
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.False(t, sourceflow.IsPermanent(err), "denied under its own context only now: a grace of its own")

	f.kms.SetDisabled(f.keyID, true)
	err = send(testType)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "the key unavailable only now: the denials did not start its grace")
	f.clock.Advance(encryption.KeyRefusalGrace)
	err = send("orders.Other")
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "unavailable whole for the grace: another context's first refusal")
}
