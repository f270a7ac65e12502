package cqrs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A payload an upcaster cannot read because it is still encrypted (the
// message carries the encryption header) is dead-lettered with a reason
// saying so and what the consumer lacks, as one that does not decode is.
func TestUpcastOfAnEncryptedPayloadSaysItWasNotDecrypted(t *testing.T) {
	tr := newTransport(t)
	upConsumer(t, tr, cqrs.NewMemoryCommandStore())
	pub, err := tr.Publisher("up-places")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("up-places", withMetadata(rawCommandID("m-enc", "up.Place", "o-1", "zq8Xw=="),
		sourceflow.MetaEncryption, "AQID")))

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Len(c, tr.DeadLetters(), 1)
	}, 10*time.Second, 5*time.Millisecond)
	reason := tr.DeadLetters()[0].Reason
	assert.Contains(t, reason, cqrs.ErrUpcast.Error())
	assert.Contains(t, reason, "the payload is encrypted, metadata "+sourceflow.MetaEncryption+" is set, and was not decrypted: "+
		"put the encryption Decrypter's Middleware in this consumer's ServiceConfig.HandlerMiddleware")
}
