package awsbus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// EncryptionConfig configures NewEncryption. The key comes from the
// Transport's Config (KMSKeyID); the zero EncryptionConfig is valid.
type EncryptionConfig struct {
	// AppName is bound into every message's encryption context, so every
	// service that exchanges messages must use the same one. Default
	// "sourceflow" (the encryption package's default). It is deliberately
	// not the service name: a command's producer and its consumer are
	// different services, and their names would not match.
	AppName string
	// Encrypter holds the other produce-side settings (data-key cache
	// bounds, KMS retry, logger, clock). KeyID, AppName and, unless set,
	// MaxMessageBytesFor are filled in by NewEncryption; a KeyID or AppName
	// set here must equal the one NewEncryption uses.
	Encrypter encryption.EncrypterConfig
	// Decrypter holds the other consume-side settings (key cache, KMS retry,
	// logger, clock). AppName is filled in, Accept is always AcceptEncrypted,
	// and Config.KMSKeyID is added to KeyIDs, so that only data keys
	// wrapped under it (or under a previous key listed in KeyIDs while its
	// messages drain) are accepted; an AppName set here must equal
	// EncryptionConfig's.
	Decrypter encryption.DecrypterConfig
}

func (c *EncryptionConfig) setDefaults() {
	c.AppName = cmp.Or(c.AppName, defaultAppName)
}

// defaultAppName is the encryption package's default application name.
const defaultAppName = "sourceflow"

// Validate reports every conflicting field, each by name.
func (c EncryptionConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if a := c.Encrypter.AppName; a != "" && a != c.AppName {
		errs = append(errs, fmt.Errorf("EncryptionConfig.Encrypter.AppName: %q differs from AppName %q", a, c.AppName))
	}
	if a := c.Decrypter.AppName; a != "" && a != c.AppName {
		errs = append(errs, fmt.Errorf("EncryptionConfig.Decrypter.AppName: %q differs from AppName %q", a, c.AppName))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// Encryption is the KMS envelope encryption of a Transport whose Config has
// a KMSKeyID: the produce-side Encrypter and the consume-side
// Decrypter, configured for the transport's key and destinations. The
// transport does not install them: place Encrypter.DecoratePublisher in the produce
// stack and Decrypter.Middleware in the consume stack ("Encrypt" and
// "Decrypt" phases), as for any other transport.
type Encryption struct {
	// Encrypter encrypts under Config.KMSKeyID; the size limit of a message
	// is the SQS limit for a command destination and the SNS limit for an
	// event destination.
	Encrypter *encryption.Encrypter
	// Decrypter rejects every message without an encryption header
	// (encryption.ErrNotEncrypted, permanent), so plaintext that reaches an
	// encrypted listener is dead-lettered instead of handled.
	Decrypter *encryption.Decrypter
}

// NewEncryption builds the Encrypter and Decrypter of t from its Config:
// KeyID is Config.KMSKeyID, the per-destination size limit follows the
// destination's kind, and decryption requires encryption. It also makes
// t.Health report KMS through the first Encrypter's Check. When
// Config.KMSKeyID is empty it returns ErrEncryptionDisabled and nothing
// else: the service then runs without the encryption phases. NewEncryption
// may be called before or after Bind.
func NewEncryption(kms encryption.KMSAPI, t *Transport, cfg EncryptionConfig) (*Encryption, error) {
	if t == nil || kms == nil {
		return nil, fmt.Errorf("%w: NewEncryption needs a KMS client and a Transport", ErrInvalidConfig)
	}
	if t.cfg.KMSKeyID == "" {
		return nil, ErrEncryptionDisabled
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ec := cfg.Encrypter
	if ec.KeyID != "" && ec.KeyID != t.cfg.KMSKeyID {
		return nil, fmt.Errorf("%w: EncryptionConfig.Encrypter.KeyID: %q differs from Config.KMSKeyID %q",
			ErrInvalidConfig, ec.KeyID, t.cfg.KMSKeyID)
	}
	ec.KeyID, ec.AppName = t.cfg.KMSKeyID, cfg.AppName
	if ec.MaxMessageBytesFor == nil {
		ec.MaxMessageBytesFor = t.maxMessageBytes
	}
	enc, err := encryption.NewEncrypter(kms, ec)
	if err != nil {
		return nil, fmt.Errorf("awsbus: encrypter: %w", err)
	}
	dc := cfg.Decrypter
	dc.AppName, dc.Accept = cfg.AppName, encryption.AcceptEncrypted
	if !slices.Contains(dc.KeyIDs, t.cfg.KMSKeyID) {
		dc.KeyIDs = append(slices.Clone(dc.KeyIDs), t.cfg.KMSKeyID)
	}
	dec, err := encryption.NewDecrypter(kms, dc)
	if err != nil {
		return nil, fmt.Errorf("awsbus: decrypter: %w", err)
	}
	t.mu.Lock()
	if t.kmsCheck == nil {
		t.kmsCheck = enc.Check
	}
	t.mu.Unlock()
	return &Encryption{Encrypter: enc, Decrypter: dec}, nil
}

// Check reports whether the configured KMS key is usable (see
// encryption.Encrypter.Check).
func (e *Encryption) Check(ctx context.Context) error { return e.Encrypter.Check(ctx) }

// maxMessageBytes is the size limit of destination: the SQS limit for
// commands, the SNS limit for events, 0 (the encryption package's default,
// the smaller SNS limit) for a destination the transport does not know.
// The kind comes from the bound Plan.
func (t *Transport) maxMessageBytes(destination string) int {
	switch t.kindOf(destination) {
	case sourceflow.KindCommand:
		return encryption.SQSMaxMessageBytes
	case sourceflow.KindEvent:
		return encryption.SNSMaxMessageBytes
	}
	return 0
}

// kindOf returns the kind of destination in the bound Plan, or the zero
// Kind when unknown.
func (t *Transport) kindOf(destination string) sourceflow.Kind {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, _ := t.plan.Destination(destination)
	return d.Kind
}
