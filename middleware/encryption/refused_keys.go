package encryption

import (
	"errors"
	"time"
)

// maxRefusedBlobs bounds the wrapped data keys a Decrypter remembers KMS
// refusing (least recently used first out).
const maxRefusedBlobs = 256

// newRefusedBlobs returns the Decrypter's memory of the wrapped data keys
// KMS Decrypt refused as not a ciphertext of the key and context they were
// presented with (ErrTampered: InvalidCiphertextException,
// IncorrectKeyException), keyed as the data-key cache is (see keyName), for
// ttl: KMS's answer for the same blob, context and pinned key cannot
// change, so each copy of one forged wrapped key, sent again under fresh
// message ids, costs no further KMS call.
func newRefusedBlobs(ttl time.Duration, now func() time.Time) *keyCache[error] {
	return newKeyCache[error](maxRefusedBlobs, ttl, now)
}

// rememberRefusal records err for the wrapped key named name when KMS
// refused it as tampered.
func (d *Decrypter) rememberRefusal(name string, err error) {
	if errors.Is(err, ErrTampered) {
		d.refusedBlobs.put(name, err, d.cfg.Clock.Now())
	}
}
