package encryption

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// key returns the cipher of the data key header h carries, from the cache
// or, once for all concurrent callers, from KMS Decrypt; a wrapped key KMS
// refused as tampered is refused again without a call (see
// newRefusedBlobs). With KeyIDs set,
// the key h names must be allowed before KMS is called, and Decrypt is
// pinned to it (see allowedKeys.admit); without them no KeyId is passed to
// KMS, so keys wrapped under an old key or through a moved alias still
// unwrap.
func (d *Decrypter) key(ctx context.Context, h Header, ec EncryptionContext) (keys, error) {
	pin, err := d.allowed.admit(ctx, h.KeyID)
	if err != nil {
		return keys{}, err
	}
	name := keyName(h.WrappedKey, ec, pin)
	if ks, ok := d.cache.get(name, d.cfg.Clock.Now()); ok {
		d.stats.hits.Add(1)
		return ks, nil
	}
	if err, ok := d.refusedBlobs.get(name, d.cfg.Clock.Now()); ok {
		return keys{}, err
	}
	d.stats.misses.Add(1)
	return d.flight.do(ctx, name, func(ctx context.Context) (keys, error) {
		if ks, ok := d.cache.get(name, d.cfg.Clock.Now()); ok {
			return ks, nil
		}
		ks, err := d.unwrap(ctx, name, h.WrappedKey, pin, cmp.Or(pin, h.KeyID), ec)
		d.rememberRefusal(name, err)
		return ks, err
	})
}

// keyName is the Decrypter's cache key of a wrapped data key presented
// under ec and unwrapped pinned to pin: the SHA-256 of the three, each
// length-prefixed (an unsigned varint), the context in its canonical form.
// It is computed on the stack up to typical sizes: the only allocation is
// the returned string.
func keyName(wrapped []byte, ec EncryptionContext, pin string) string {
	var canonBuf [128]byte
	canon := ec.appendCanonical(canonBuf[:0])
	var buf [512]byte
	b := appendField(buf[:0], wrapped)
	b = appendField(b, canon)
	b = appendField(b, []byte(pin))
	sum := sha256.Sum256(b)
	return string(sum[:])
}

// lacksKeyID names the field a Decrypt answer lacks: with KeyIDs set, the
// key that unwrapped the data key, which is checked against them.
func (d *Decrypter) lacksKeyID(out *kms.DecryptOutput) string {
	if len(d.allowed.ids) > 0 && aws.ToString(out.KeyId) == "" {
		return "KeyId (the key that unwrapped the data key, checked against DecrypterConfig.KeyIDs)"
	}
	return ""
}

// unwrap asks KMS Decrypt for a wrapped data key, pinned to keyID unless it
// is empty, checks the key KMS reports against the allowed ones and caches
// the cipher under name. A refusal is timed for the key named refusing;
// unpinned, an access denial may show that key to be the sender's (see
// judgeDenial).
func (d *Decrypter) unwrap(ctx context.Context, name string, wrapped []byte, keyID, refusing string, ec EncryptionContext) (keys, error) {
	in := &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: ec.Map()}
	if keyID != "" {
		in.KeyId = aws.String(keyID)
	}
	out, err := d.decryptCall(ctx, in)
	if err != nil && keyID == "" && errors.Is(err, ErrAccessDenied) {
		if foreign := d.judgeDenial(ctx, in, refusing, err); foreign != nil {
			return keys{}, foreign
		}
	}
	if err = d.noteDecrypt(refusing, ec, err); err != nil {
		return keys{}, err
	}
	if len(d.allowed.ids) == 0 {
		d.served.add(aws.ToString(out.KeyId))
	}
	if err := d.allowed.check(ctx, aws.ToString(out.KeyId)); err != nil {
		clear(out.Plaintext)
		return keys{}, err
	}
	ks, err := newKeys(out.Plaintext)
	if err != nil {
		return keys{}, err
	}
	d.cache.put(name, ks, d.cfg.Clock.Now())
	return ks, nil
}
