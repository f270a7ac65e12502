package encryption

import (
	"cmp"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DecrypterConfig configures a Decrypter.
type DecrypterConfig struct {
	// AppName must equal the producers' EncrypterConfig.AppName. Default
	// "sourceflow".
	AppName string
	// Accept is what a message must be to pass; any other is refused
	// (permanently, ErrNotEncrypted). Default AcceptEncrypted: a Decrypter
	// in the pipeline refuses a message sent in clear, which anyone who may
	// send to the destination could forge.
	Accept Accept
	// MaxAge refuses (permanently, ErrExpired) a message that occurred
	// (metadata sourceflow.MetaOccurredAt, authenticated) longer ago than
	// this: a captured message cannot be replayed after it. Keep the
	// idempotency store's record TTL at least this plus MaxClockSkew, so
	// that a replay inside the window is a duplicate and one outside it is
	// refused.
	// Default DefaultMaxAge.
	MaxAge time.Duration
	// MaxClockSkew is how far ahead of this consumer's clock a message may
	// be dated (its authenticated occurred-at); one dated further ahead is
	// refused (permanently, ErrExpired), since it would otherwise stay
	// acceptable for MaxAge after that date, past the idempotency store's
	// records of it. Default DefaultMaxClockSkew (5 minutes).
	MaxClockSkew time.Duration
	// Version1Until, when set, reads version 1 headers (written by releases
	// before December 2026, whose envelope is not authenticated: a captured
	// one decrypts under another message id, entity or sequence) until this
	// time; each must still carry an occurred-at within MaxAge. Set it only
	// while upgrading from such a release, to the upgrade's end plus MaxAge
	// (the longest a message sent before it can wait in a queue and its
	// dead-letter queue), and remove it once their messages and dead
	// letters are drained. Default: zero, every version 1 message is refused
	// (permanently, ErrUnsupportedVersion).
	Version1Until time.Time
	// KeyIDs, when set, are the only KMS keys whose data keys are accepted:
	// key ids, key ARNs, aliases or alias ARNs. A message whose data key was
	// wrapped under another key is refused (ErrKeyNotAllowed, permanent
	// unless an id failed to resolve for a passing reason), even when the
	// consumer's role may decrypt with that key: otherwise anyone who may
	// send to the destination could encrypt or sign with a key of their
	// own. The key a message's header names is checked before any KMS call
	// (a header that names it other than by key ARN is refused), and KMS
	// Decrypt is pinned to it, so a header naming an allowed key over a data
	// key wrapped under another fails (ErrTampered). An id other than a key
	// ARN is resolved with kms:DescribeKey, and again when a message names
	// a key it does not resolve to (at most once a second; such a message
	// met in between fails as transient and is tried again; with key ARNs
	// only, nothing is resolved and it fails as permanent), and the keys
	// found before stay allowed: a key rotated by moving its alias is
	// accepted, and so are the messages still under the previous one. A
	// multi-Region key is matched in any Region (not in another account or
	// partition), and Decrypt is pinned to its replica in the KMS client's
	// Region; a client that does not report its Region (a *kms.Client
	// wrapped in another type) leaves it unpinned, and the key KMS reports
	// is checked after the call (an answer naming none fails as a transient
	// ErrKMS: a faulty answer, not a refusal). An id that does not resolve (a deleted
	// alias) leaves the others allowed; a refusal names its failure. List a
	// previous key named by ARN here until its messages are drained.
	// Default: none, any key the consumer may decrypt with, and no KeyId
	// passed to KMS Decrypt. Then a KMS access denial is judged as the
	// header's key is: when Decrypt pinned to the key the header names says
	// that key did not wrap the data key, or when that key never unwrapped
	// a data key on this Decrypter while others did, the message is the
	// sender's, under a key of its own, and refused at once (permanently)
	// instead of retried for KeyRefusalGrace; a denial of a key that served
	// here, or on a Decrypter that has unwrapped nothing yet, keeps the
	// grace. Set KeyIDs to refuse such messages before any KMS call.
	KeyIDs []string
	// KeyCacheEntries bounds the number of unwrapped data keys kept (least
	// recently used first out). Default 1000.
	KeyCacheEntries int
	// KeyCacheTTL is how long an unwrapped data key is kept; it also bounds
	// how long a disabled KMS key keeps decrypting here, and how long a
	// wrapped key KMS refused as tampered is refused again without a KMS
	// call. Default 5 minutes.
	KeyCacheTTL time.Duration
	// Destination returns the destination a consumed message arrived on.
	// Default: message.SubscribeTopicFromCtx of the message context, which
	// the Watermill router sets.
	Destination func(msg *message.Message) string
	// Retry bounds the retries of throttled KMS calls; zero fields take
	// DefaultKMSRetry's.
	Retry sourceflow.RetryPolicy
	// Logger receives one entry per failed message, and one per panic of
	// the KMS client, with its stack (never payload or key bytes). A failed
	// message's UUID and type, which its sender chose, are shown as
	// sourceflow.IDText shows them (bounded, escaped). Default no-op.
	Logger watermill.LoggerAdapter
	// Clock is the time source of data-key ages and of the waits between
	// retries of throttled KMS calls. Default: sourceflow.SystemClock().
	Clock sourceflow.Clock
}

func (c *DecrypterConfig) setDefaults() {
	c.MaxAge = cmp.Or(c.MaxAge, DefaultMaxAge)
	c.MaxClockSkew = cmp.Or(c.MaxClockSkew, DefaultMaxClockSkew)
	c.KeyCacheEntries = cmp.Or(c.KeyCacheEntries, 1000)
	c.KeyCacheTTL = cmp.Or(c.KeyCacheTTL, 5*time.Minute)
	if c.Destination == nil {
		c.Destination = func(msg *message.Message) string { return message.SubscribeTopicFromCtx(msg.Context()) }
	}
	setSharedDefaults(&c.AppName, &c.Retry, &c.Logger, &c.Clock)
}

// Validate reports every invalid field.
func (c DecrypterConfig) Validate() error {
	var empty error
	if slices.Contains(c.KeyIDs, "") {
		empty = errors.New("KeyIDs must not contain an empty id")
	}
	return errors.Join(
		empty,
		fieldcheck.NotNegative("MaxAge", c.MaxAge),
		fieldcheck.NotNegative("MaxClockSkew", c.MaxClockSkew),
		fieldcheck.Positive("KeyCacheEntries", c.KeyCacheEntries),
		fieldcheck.Positive("KeyCacheTTL", c.KeyCacheTTL),
		retryErr(c.Retry),
		c.Accept.validate(),
		fieldcheck.NotTypedNil("Logger", c.Logger),
		fieldcheck.NotTypedNil("Clock", c.Clock),
	)
}

// Decrypter decrypts messages written by an Encrypter. It is safe for
// concurrent use.
type Decrypter struct {
	cfg     DecrypterConfig
	kms     kmsCaller
	cache   *keyCache[keys]
	flight  flight[keys]
	allowed *allowedKeys
	stats   counters

	refusals *keyRefusals // since when KMS refuses a key, per encryption context and whole
	served   servedKeys   // without KeyIDs: the keys that unwrapped a data key here

	refusedBlobs *keyCache[error] // wrapped keys KMS refused as tampered, keyed as cache
}

// NewDecrypter returns a Decrypter that unwraps data keys with KMS.
func NewDecrypter(api KMSAPI, cfg DecrypterConfig) (*Decrypter, error) {
	if err := prepare(api, "Decrypter", &cfg); err != nil {
		return nil, err
	}
	d := &Decrypter{cfg: cfg, cache: newKeyCache[keys](cfg.KeyCacheEntries, cfg.KeyCacheTTL, cfg.Clock.Now),
		refusals: newDecryptRefusals(cfg.Clock.Now), refusedBlobs: newRefusedBlobs(cfg.KeyCacheTTL, cfg.Clock.Now)}
	d.kms = newKMSCaller(api, cfg.Retry, cfg.Logger, cfg.Clock, &d.stats)
	d.flight.logger = cfg.Logger
	d.allowed = &allowedKeys{ids: slices.Clone(cfg.KeyIDs), kms: d.kms, clock: cfg.Clock, region: regionOf(api)}
	return d, nil
}

// Stats returns the current counters.
func (d *Decrypter) Stats() Stats { return d.stats.snapshot() }

// Middleware decrypts each message before the handler sees it; a message that
// cannot be decrypted never reaches the handler. Its method value is a
// message.HandlerMiddleware.
func (d *Decrypter) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if err := d.Decrypt(msg.Context(), d.cfg.Destination(msg), msg); err != nil {
			return nil, err
		}
		return h(msg)
	}
}

// Decrypt replaces msg.Payload with the plaintext and removes the encryption
// header, verifying that msg was encrypted for destination, its type and
// this application. Errors wrap ErrDecrypt and a specific sentinel; those no
// retry can cure are marked with sourceflow.Permanent. On error msg is
// unchanged.
func (d *Decrypter) Decrypt(ctx context.Context, destination string, msg *message.Message) error {
	err := d.decrypt(ctx, destination, msg)
	if err == nil {
		return nil
	}
	err = d.stats.failure(ErrDecrypt, err)
	d.cfg.Logger.Error("Cannot decrypt message", err, watermill.LogFields{
		"message_id": sourceflow.IDText(msg.UUID), "destination": destination,
		"type": sourceflow.IDText(msg.Metadata.Get(sourceflow.MetaType)), "permanent": sourceflow.IsPermanent(err),
	})
	return err
}

func (d *Decrypter) decrypt(ctx context.Context, destination string, msg *message.Message) error {
	value, ok := msg.Metadata[sourceflow.MetaEncryption]
	if !ok {
		if d.cfg.Accept != AcceptUnprotected {
			return fmt.Errorf("%w: destination %q requires %s messages", ErrNotEncrypted, destination, d.cfg.Accept)
		}
		return nil
	}
	h, authenticated, err := ParseHeader(value)
	if err != nil {
		return err
	}
	if err := d.admit(h, destination); err != nil {
		return err
	}
	if err := checkPayloadVersion(h, msg.Metadata); err != nil {
		return err
	}
	want := EncryptionContext{App: d.cfg.AppName, Type: msg.Metadata.Get(sourceflow.MetaType), Destination: destination}
	if h.Context != want {
		return fmt.Errorf("%w: %s", ErrContextMismatch, mismatch(h.Context, want))
	}
	// The age is checked before the data key is unwrapped: a message outside
	// the window is refused whether or not its occurred-at is genuine, so
	// checking it first only saves the KMS call.
	if err := d.checkAge(msg.Metadata.Get(sourceflow.MetaOccurredAt)); err != nil {
		return err
	}
	ks, err := d.key(ctx, h, want)
	if err != nil {
		return err
	}
	aad := authenticated
	if h.Version != HeaderVersion1 {
		aad = appendEnvelope(authenticated, msg.Metadata, h.PayloadVersioned)
	}
	plain, err := open(ks, h, aad, msg.Payload)
	if err != nil {
		return err
	}
	msg.Payload = plain
	delete(msg.Metadata, sourceflow.MetaEncryption)
	d.stats.messages.Add(1)
	return nil
}

// open authenticates the payload of a message with header h and returns
// its plaintext: it decrypts an encrypted payload, and checks a signed
// one's MAC.
func open(ks keys, h Header, aad, payload []byte) ([]byte, error) {
	if h.Signed {
		if !hmac.Equal(ks.sign(aad, payload), h.MAC) {
			return nil, fmt.Errorf("%w: HMAC-SHA256 signature does not match: the payload, the header or the envelope was changed", ErrTampered)
		}
		return payload, nil
	}
	sealed := make([]byte, base64.StdEncoding.DecodedLen(len(payload)))
	n, err := base64.StdEncoding.Decode(sealed, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: body is not base64", ErrTampered)
	}
	plain, err := ks.aead.Open(sealed[:0], h.Nonce, sealed[:n], aad)
	if err != nil {
		return nil, fmt.Errorf("%w: AES-GCM authentication failed: the ciphertext, the header or the envelope was changed", ErrTampered)
	}
	return plain, nil
}

// mismatch names the context fields that differ, each shown bounded (see
// quotedText): the type and the header are the sender's. Names of types,
// destinations and applications are not secret.
func mismatch(got, want EncryptionContext) string {
	var parts []string
	if got.App != want.App {
		parts = append(parts, "app "+quotedText(want.App)+", encrypted for "+quotedText(got.App))
	}
	if got.Type != want.Type {
		parts = append(parts, "type "+quotedText(want.Type)+", encrypted for "+quotedText(got.Type))
	}
	if got.Destination != want.Destination {
		parts = append(parts, "destination "+quotedText(want.Destination)+", encrypted for "+quotedText(got.Destination))
	}
	return strings.Join(parts, "; ")
}
