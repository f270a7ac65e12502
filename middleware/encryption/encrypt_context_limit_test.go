package encryption_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A header holds a message type, destination or application name of at
// most 1024 bytes; the Decrypter refuses a longer one as a malformed
// header. So the Encrypter refuses, at publish, a message it could only
// send to be dead-lettered as tampered by every consumer; at the limit both
// sides agree.
func TestEncryptRefusesAContextTheHeaderCannotCarry(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	longest := strings.Repeat("x", 1024)

	atLimit, err := f.enc.Encrypt(context.Background(), longest, newMsg(longest, []byte(`{}`)))
	require.NoError(t, err)
	require.NoError(t, f.dec.Decrypt(context.Background(), longest, atLimit))

	tooLong := longest + "x"
	cases := map[string]struct {
		f             *fixture
		msgType, dest string
	}{
		"type":             {f, tooLong, testDest},
		"destination":      {f, testType, tooLong},
		"application name": {newFixture(t, encryption.EncrypterConfig{AppName: tooLong}, encryption.DecrypterConfig{}), testType, testDest},
	}
	for name, c := range cases {
		_, err := c.f.enc.Encrypt(context.Background(), c.dest, newMsg(c.msgType, []byte(`{}`)))
		require.ErrorIs(t, err, encryption.ErrEncrypt, name)
		assert.True(t, sourceflow.IsPermanent(err), name)
		assert.Contains(t, err.Error(), "at most 1024", name)
	}
}
