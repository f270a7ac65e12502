package encryption

import (
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// logRefusal logs a refusal of the key under ec, unless one under ec was
// logged less than logThrottleEvery before now (and, for a refusal past the
// grace, that one was past it too): see logThrottle. The message type,
// which the message's sender chose, is shown as sourceflow.IDText shows
// it: bounded and escaped.
func (e *Encrypter) logRefusal(now time.Time, ec EncryptionContext, since time.Time, over bool, err error) {
	if !e.refusalLog.allow(ec.canonical(), now, over) {
		return
	}
	msg := "encryption: KMS refuses the key; its messages are retried until the grace ends"
	if over {
		msg = "encryption: KMS refuses the key past the grace; its messages fail permanently"
	}
	e.cfg.Logger.Error(msg, err, watermill.LogFields{
		"key_id": e.cfg.KeyID, "destination": ec.Destination, "type": sourceflow.IDText(ec.Type),
		"refused_since": since.UTC().Format(time.RFC3339), "grace": KeyRefusalGrace.String(),
	})
}
