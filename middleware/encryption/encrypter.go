package encryption

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// EncrypterConfig configures an Encrypter.
type EncrypterConfig struct {
	// KeyID is the KMS key that wraps data keys: a key id, key ARN, alias
	// name ("alias/orders") or alias ARN. Required.
	KeyID string
	// AppName is bound into the encryption context. Producers and consumers
	// of one destination must use the same name. Default "sourceflow".
	AppName string
	// SignOnly signs messages instead of encrypting them: the payload
	// travels in clear, and an HMAC-SHA256 over it, the envelope and the
	// header travels in the header, keyed by a KMS data key handled exactly
	// as for encryption (cached, wrapped in the header, bound to the same
	// encryption context). For authenticity without confidentiality.
	SignOnly bool
	// DataKeyMaxAge retires a data key this long after KMS generated it.
	// Default 5 minutes.
	DataKeyMaxAge time.Duration
	// DataKeyMaxMessages retires a data key after it encrypted this many
	// messages. Default 10,000, far below 2^32, the most messages one
	// AES-GCM key may encrypt under random nonces (NIST SP 800-38D), which
	// is also the largest value accepted.
	DataKeyMaxMessages int64
	// DataKeyMaxBytes retires a data key once it has encrypted this many
	// plaintext bytes (the message that crosses the bound is the last one).
	// Default 1 GiB.
	DataKeyMaxBytes int64
	// DataKeyCacheEntries bounds the number of cached data keys, one per
	// (message type, destination); when it is full, the key used least
	// recently is dropped. Default 1024.
	DataKeyCacheEntries int
	// MaxMessageBytes is the size limit of an encrypted message (base64 body
	// plus metadata) when MaxMessageBytesFor gives none. Default
	// DefaultMaxMessageBytes (256 KiB); SQS queues allow SQSMaxMessageBytes.
	MaxMessageBytes int
	// MaxMessageBytesFor returns the limit of one destination, or 0 to use
	// MaxMessageBytes. Optional.
	MaxMessageBytesFor func(destination string) int
	// Retry bounds the retries of throttled KMS calls; zero fields take
	// DefaultKMSRetry's.
	Retry sourceflow.RetryPolicy
	// Logger receives data-key refreshes and, at most once a minute per
	// encryption context, a refusal of the key by KMS, and a panic of the
	// KMS client with its stack (never key material). Default no-op.
	Logger watermill.LoggerAdapter
	// Clock is the time source of data-key ages and of the waits between
	// retries of throttled KMS calls. Default: sourceflow.SystemClock().
	Clock sourceflow.Clock
}

// maxDataKeyMessages is the most messages one data key may encrypt: with
// random 96-bit nonces, NIST SP 800-38D bounds the invocations of one
// AES-GCM key to 2^32, beyond which a repeated nonce (which reveals the
// authentication key) becomes too likely.
const maxDataKeyMessages = 1 << 32

func (c *EncrypterConfig) setDefaults() {
	c.DataKeyMaxAge = cmp.Or(c.DataKeyMaxAge, 5*time.Minute)
	c.DataKeyMaxMessages = cmp.Or(c.DataKeyMaxMessages, 10_000)
	c.DataKeyMaxBytes = cmp.Or(c.DataKeyMaxBytes, 1<<30)
	c.DataKeyCacheEntries = cmp.Or(c.DataKeyCacheEntries, 1024)
	c.MaxMessageBytes = cmp.Or(c.MaxMessageBytes, DefaultMaxMessageBytes)
	setSharedDefaults(&c.AppName, &c.Retry, &c.Logger, &c.Clock)
}

// Validate reports every invalid field.
func (c EncrypterConfig) Validate() error {
	var keyErr error
	if c.KeyID == "" {
		keyErr = errors.New("KeyID is required (key id, key ARN or alias)")
	}
	return errors.Join(
		keyErr,
		fieldcheck.Positive("DataKeyMaxAge", c.DataKeyMaxAge),
		fieldcheck.Within("DataKeyMaxMessages", c.DataKeyMaxMessages, 1, maxDataKeyMessages),
		fieldcheck.Positive("DataKeyMaxBytes", c.DataKeyMaxBytes),
		fieldcheck.Positive("DataKeyCacheEntries", c.DataKeyCacheEntries),
		fieldcheck.Positive("MaxMessageBytes", c.MaxMessageBytes),
		retryErr(c.Retry),
		fieldcheck.NotTypedNil("Logger", c.Logger),
		fieldcheck.NotTypedNil("Clock", c.Clock),
	)
}

// Encrypter encrypts message payloads with KMS-wrapped AES-256-GCM data keys.
// It is safe for concurrent use.
type Encrypter struct {
	cfg    EncrypterConfig
	kms    kmsCaller
	limits dataKeyLimits
	cache  *keyCache[*dataKey]
	flight flight[*dataKey]
	stats  counters

	keyFailure atomic.Pointer[keyFailure] // the last refusal of the key (Check)
	refusals   *keyRefusals               // since when the key is refused, per encryption context and whole
	refusalLog logThrottle                // which refusals are logged, per encryption context
}

// NewEncrypter returns an Encrypter that wraps data keys with cfg.KeyID.
func NewEncrypter(api KMSAPI, cfg EncrypterConfig) (*Encrypter, error) {
	if err := prepare(api, "Encrypter", &cfg); err != nil {
		return nil, err
	}
	e := &Encrypter{
		cfg:      cfg,
		limits:   dataKeyLimits{maxAge: cfg.DataKeyMaxAge, maxMessages: cfg.DataKeyMaxMessages, maxBytes: cfg.DataKeyMaxBytes},
		cache:    newKeyCache[*dataKey](cfg.DataKeyCacheEntries, cfg.DataKeyMaxAge, cfg.Clock.Now),
		refusals: newKeyRefusals(cfg.Clock.Now),
	}
	e.kms = newKMSCaller(api, cfg.Retry, cfg.Logger, cfg.Clock, &e.stats)
	e.flight.logger = cfg.Logger
	return e, nil
}

// Stats returns the current counters.
func (e *Encrypter) Stats() Stats { return e.stats.snapshot() }

// DecoratePublisher wraps pub so that every published message is encrypted
// for the topic it is published to. Its method value is a
// message.PublisherDecorator.
func (e *Encrypter) DecoratePublisher(pub message.Publisher) (message.Publisher, error) {
	if pub == nil {
		return nil, errors.New("encryption: Decorate: nil publisher")
	}
	return &publisher{pub: pub, enc: e}, nil
}

// Encrypt returns an encrypted copy of msg for destination; msg itself is not
// changed. The copy's payload is the standard base64 of the AES-GCM
// ciphertext and tag, and metadata sourceflow.MetaEncryption holds the
// header. A message that already carries that header is refused
// (ErrAlreadyEncrypted). Errors wrap ErrEncrypt; those no retry can cure
// are permanent.
func (e *Encrypter) Encrypt(ctx context.Context, destination string, msg *message.Message) (*message.Message, error) {
	out, err := e.encrypt(ctx, destination, msg)
	if err != nil {
		return nil, e.stats.failure(ErrEncrypt, err)
	}
	e.stats.messages.Add(1)
	return out, nil
}

func (e *Encrypter) encrypt(ctx context.Context, destination string, msg *message.Message) (*message.Message, error) {
	if msg.Metadata.Get(sourceflow.MetaEncryption) != "" {
		return nil, fmt.Errorf("%w: message %s already carries metadata %s", ErrAlreadyEncrypted, msg.UUID, sourceflow.MetaEncryption)
	}
	ec := EncryptionContext{App: e.cfg.AppName, Type: msg.Metadata.Get(sourceflow.MetaType), Destination: destination}
	if err := ec.check(); err != nil {
		return nil, err
	}
	md := envelopeOf(msg, e.cfg.Clock.Now())
	if err := checkOccurredAt(md); err != nil {
		return nil, err
	}
	dk, err := e.dataKey(ctx, ec, int64(len(msg.Payload)))
	if err != nil {
		return nil, err
	}
	h := Header{Version: HeaderVersion2, Signed: e.cfg.SignOnly, PayloadVersioned: carriesPayloadVersion(md),
		KeyID: dk.keyID, WrappedKey: dk.wrapped, Nonce: make([]byte, nonceSize), Context: ec}
	_, _ = rand.Read(h.Nonce) // crypto/rand.Read never returns an error
	header, err := h.authenticated(envelopeLen(md, h.PayloadVersioned))
	if err != nil {
		return nil, err
	}
	aad := appendEnvelope(header, md, h.PayloadVersioned)
	body := dk.keys.protect(&h, aad, msg.Payload)
	// The additional data starts with the header's binary form without the
	// MAC; it is no longer read, so the MAC may be written over its
	// envelope.
	if header, err = h.appendMAC(aad[:len(header)]); err != nil {
		return nil, err
	}

	out := message.NewMessage(msg.UUID, body)
	out.Metadata = md
	out.Metadata[sourceflow.MetaEncryption] = base64.StdEncoding.EncodeToString(header)
	out.SetContext(msg.Context())
	if size, limit := wireSize(len(body), out.Metadata), e.limit(destination); size > limit {
		return nil, &TooLargeError{Destination: destination, Size: size, Limit: limit}
	}
	return out, nil
}

func (e *Encrypter) limit(destination string) int {
	if e.cfg.MaxMessageBytesFor != nil {
		if n := e.cfg.MaxMessageBytesFor(destination); n > 0 {
			return n
		}
	}
	return e.cfg.MaxMessageBytes
}

// dataKey returns a data key with room for one message of n bytes: from the
// cache, or from KMS through one call shared by concurrent callers, or, for
// a caller that keeps losing shared fresh keys to the others, from a KMS call
// of its own.
func (e *Encrypter) dataKey(ctx context.Context, ec EncryptionContext, n int64) (*dataKey, error) {
	name := ec.canonical()
	now := e.cfg.Clock.Now()
	if k, ok := e.cache.get(name, now); ok && k.reserve(now, n, e.limits) {
		e.stats.hits.Add(1)
		e.servedCached()
		return k, nil
	}
	e.stats.misses.Add(1)
	// A fresh key always has room for one message, but concurrent callers
	// sharing it may use it up first; after a few rounds, take a key of our
	// own, reserved before anyone else can see it.
	for range 4 {
		k, err := e.flight.do(ctx, name, func(ctx context.Context) (*dataKey, error) { return e.refresh(ctx, name, ec) })
		if err != nil {
			return nil, err
		}
		if k.reserve(e.cfg.Clock.Now(), n, e.limits) {
			return k, nil
		}
	}
	k, err := e.generate(ctx, ec)
	if err != nil {
		return nil, err
	}
	k.reserve(e.cfg.Clock.Now(), n, e.limits) // a fresh key always takes one message
	e.cache.put(name, k, k.created)
	return k, nil
}

// refresh returns the cached key if another caller already replaced the
// exhausted one, or generates a new key and caches it.
func (e *Encrypter) refresh(ctx context.Context, name string, ec EncryptionContext) (*dataKey, error) {
	now := e.cfg.Clock.Now()
	if cur, ok := e.cache.get(name, now); ok && cur.usable(now, e.limits) {
		return cur, nil
	}
	k, err := e.generate(ctx, ec)
	if err != nil {
		return nil, err
	}
	e.cache.put(name, k, k.created)
	return k, nil
}

// lacksWrappedKey names the field a GenerateDataKey answer lacks: the
// wrapped data key, without which a message sealed under the key could
// never be decrypted.
func lacksWrappedKey(out *kms.GenerateDataKeyOutput) string {
	if len(out.CiphertextBlob) == 0 {
		return "CiphertextBlob (the wrapped data key)"
	}
	return ""
}

// generate asks KMS for a new data key under the encryption context.
func (e *Encrypter) generate(ctx context.Context, ec EncryptionContext) (*dataKey, error) {
	var out *kms.GenerateDataKeyOutput
	err := e.kms.call(ctx, "GenerateDataKey", func(ctx context.Context) error {
		e.stats.generateDataKey.Add(1)
		var err error
		out, err = e.kms.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
			KeyId: &e.cfg.KeyID, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec.Map(),
		})
		if err = complete(out, err, lacksWrappedKey); err != nil && out != nil {
			clear(out.Plaintext) // a failed answer's data key, retried or not
		}
		return err
	})
	if err = e.noteGenerate(ec, err); err != nil {
		return nil, err
	}
	ks, err := newKeys(out.Plaintext)
	if err != nil {
		return nil, err
	}
	k := &dataKey{keys: ks, wrapped: out.CiphertextBlob, keyID: e.cfg.KeyID, created: e.cfg.Clock.Now()}
	if out.KeyId != nil {
		k.keyID = *out.KeyId
	}
	e.cfg.Logger.Debug("Generated data key", watermill.LogFields{
		"key_id": k.keyID, "destination": ec.Destination, "type": sourceflow.IDText(ec.Type),
	})
	return k, nil
}
