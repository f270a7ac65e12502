package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// TestAttackVersion1MessageReplaysForAnotherEntity: until Version1Deadline
// (1 February 2027) a default Decrypter reads version 1 headers, whose
// envelope is not authenticated. Anyone who ever captured one version 1
// message (a dead-letter queue, a log of bodies, a queue they may read)
// can send it again under a fresh message id, so idempotency lets it
// through, for another entity, and with its occurred-at removed, so no
// MaxAge applies: a year-old CreateOrder of one customer runs again for
// another. Nothing in it binds the copy to its first delivery.
func TestAttackVersion1MessageReplaysForAnotherEntity(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	captured := sealVersion1(t, f, `{"order_no":1,"amount":100}`)
	f.clock.Advance(365 * 24 * time.Hour) // still before Version1Deadline at the fixture's clock

	replay := captured.Copy()
	replay.Metadata.Set(sourceflow.MetaMessageID, "fresh-id")
	replay.Metadata.Set(sourceflow.MetaEntityID, "another-customer")
	delete(replay.Metadata, sourceflow.MetaOccurredAt)
	err := f.dec.Decrypt(context.Background(), testDest, replay)

	t.Logf("replayed version 1 message, a year old, for another entity: err=%v payload=%s", err, replay.Payload)
	assert.Error(t, err, "a version 1 message sent again under another id and entity should not decrypt")
}
