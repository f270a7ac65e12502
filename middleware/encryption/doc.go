// Package encryption is KMS envelope encryption for SourceFlow messages, as
// Watermill middleware that works on any transport.
//
// An [Encrypter] is used on the produce side through its DecoratePublisher method (a
// message.PublisherDecorator, phase "Encrypt"); a [Decrypter] on the consume
// side through its Middleware method (a message.HandlerMiddleware, phase
// "Decrypt", inside idempotency and outside retry). [Use] places both in a
// middleware.Stack in one call. It is why this package, alone of the
// feature packages, imports middleware: the Stack is the layer below every
// feature and imports none, so the arrow points down and no cycle can
// form, and Encrypter and Decrypter still give plain Watermill values to a
// user who places them by hand. A function in middleware taking the two
// values would spare the arrow, but would sit where a user of encryption
// does not look and take method values instead of the Encrypter and the
// Decrypter.
//
// # Format
//
// Each message is encrypted with AES-256-GCM under a data key from KMS
// GenerateDataKey (AES_256), with a fresh random 96-bit nonce. The payload
// becomes the standard (padded) base64 of ciphertext‖tag, so it is valid text
// for SQS and SNS bodies; it is 4/3 the size of the plaintext plus its 16-byte
// tag, rounded up to whole base64 quanta. Metadata
// sourceflow.MetaEncryption holds the base64 of a versioned binary [Header]:
// version, flags, the ARN of the KMS key, the KMS-wrapped data key, the nonce
// and the [EncryptionContext].
//
// The GCM additional data is the binary header followed by the envelope the
// metadata carries: message id, entity id, sequence, type, occurred-at,
// correlation id, causation id and the replay flag (sourceflow.MetaMessageID,
// the other envelope keys and sourceflow.MetaReplay, each length-prefixed, an
// absent key as empty). So neither a header field nor an envelope field can
// be changed in transit: a captured command sent again for another entity,
// with a fresh message id, another sequence or another type, or marked as a
// replay so that its effects are skipped, fails with [ErrTampered] (or
// [ErrContextMismatch]) and is dead-lettered.
//
// A message that carries a payload version (sourceflow.MetaPayloadVersion,
// other than empty or "0": a consumer upcasts its payload from that
// version) sets header flag 2 ([Header].PayloadVersioned), and the payload
// version follows the envelope in the additional data, length-prefixed: a
// captured message with its version rewritten (to have its payload upcast
// from another shape) or removed fails with [ErrTampered]. A message that
// carries a payload version without the flag (the flag cleared, or a
// version added to a message sent without one) is refused with
// [ErrTampered] before its data key is unwrapped, and so is a version 1
// message that carries one. A message without a payload version has no
// flag and the additional data it always had, byte for byte, so a
// Decrypter of a release before this one reads it; such a Decrypter
// refuses a header with the flag as malformed ([ErrTampered]). Only a
// message of a type that declares a payload version carries it: upgrade
// that type's consumers before any sender declares one, and redrive what
// an older consumer dead-lettered meanwhile.
//
// The hop count (sourceflow.MetaHops) is not authenticated: every message
// a handler sends carries one, so a flag for it would make older
// Decrypters refuse nearly every message during an upgrade, and rewriting
// it gains no more than a sender who can rewrite messages in transit has
// already: a raised count fails the handler's sends at the hop limit (as
// dropping the message would lose it), a lowered one lets a causation loop
// run on for as long as each of its messages is rewritten; a rewritten copy
// of a handled message keeps its authenticated message id and is a
// duplicate. The redrive count and time (sf_redrives and sf_redriven_at:
// sourceflow.MetaRedrives, sourceflow.MetaRedrivenAt) are not
// authenticated either, so that each redrive adds to them on a sealed dead
// letter, which still decrypts and verifies; they only inform the
// operator. Other metadata (trace context, for example) is not
// authenticated and not encrypted: keep secrets out of it.
//
// # Signing without encryption
//
// With EncrypterConfig.SignOnly the payload travels in clear and the header
// (flag "signed") carries an HMAC-SHA256 over the header, the envelope and
// the payload. The HMAC key is derived from a KMS data key handled exactly as
// for encryption: cached on both sides, wrapped in the header, bound to the
// same encryption context; so signing costs no KMS call per message either.
// A signed message that was changed fails with [ErrTampered].
// A Decrypter refuses signed-only messages and messages sent in clear
// unless its DecrypterConfig.Accept is [AcceptSigned] (signed-only ones pass)
// or [AcceptUnprotected] (those in clear pass too, while producers move to
// encryption).
// DecrypterConfig.KeyIDs names the KMS keys whose data keys are accepted
// ([ErrKeyNotAllowed] otherwise, before any KMS Decrypt call): without it, a
// sender who may use a key of its own that the consumer's role may also
// decrypt with (a wide IAM policy, a cross-account grant) could encrypt or
// sign messages the consumer accepts. awsbus.NewEncryption sets it to the
// transport's key.
//
// # Replay
//
// A message that occurred (its authenticated occurred-at) more than
// DecrypterConfig.MaxAge ago ([DefaultMaxAge], 28 days: 14 in SQS plus 14 in
// a dead-letter queue) is refused with [ErrExpired], and so is one dated
// more than DecrypterConfig.MaxClockSkew ([DefaultMaxClockSkew], 5 minutes)
// ahead of the consumer's clock, which would otherwise stay acceptable for
// MaxAge after its date. Inside that window a replayed message has the
// message id it was sent with, so the idempotency middleware acknowledges it
// as a duplicate as long as its records live at least MaxAge plus
// MaxClockSkew (idempotency.MiddlewareConfig.TTL, whose default,
// idempotency.DefaultTTL, does at the defaults: both derive from
// sourceflow.MaxDeliveryAge); outside it the Decrypter refuses it. A message sent without a message id or an occurred-at (a plain
// Watermill message) gets its Watermill UUID and the time of encryption as
// both, so they are authenticated too: a replay under a fresh UUID is still
// a duplicate, and MaxAge applies. A version 2 message without an
// occurred-at was not written by an Encrypter and is refused.
//
// # Versions
//
// This package writes header version 2. Version 1 headers, written by
// earlier releases, authenticate the header but not the envelope: a
// captured version 1 message decrypts again under a fresh message id, for
// another entity. They are refused ([ErrUnsupportedVersion]) unless
// DecrypterConfig.Version1Until is set: while upgrading from such a
// release, set it to the upgrade's end plus MaxAge, so that messages sent
// during the rolling upgrade, and their dead letters, still decrypt, and
// remove it once they are drained. Even then a
// version 1 message must carry an occurred-at within MaxAge ([ErrExpired]
// otherwise), though a version 1 envelope does not authenticate it.
//
// The encryption context binds the application name, the message type
// (metadata sourceflow.MetaType) and the destination: the topic passed to
// Publish, and on the consume side message.SubscribeTopicFromCtx (set by the
// Watermill router). It is passed to KMS on GenerateDataKey and Decrypt and
// compared with the header on receipt, so a body copied to another queue,
// relabelled with another type or sent by another application fails with
// [ErrContextMismatch] (or [ErrTampered] if the header was rewritten too).
// Without DecrypterConfig.KeyIDs, Decrypt passes no KeyId to KMS: messages
// encrypted under an old key or through an alias that has since moved still
// decrypt. A KMS access denial is then refused at once, not retried for
// [KeyRefusalGrace], when the key the header names did not wrap the data
// key (asked of KMS Decrypt pinned to it) or never unwrapped a data key on
// this Decrypter while others did: a sender's own key, not a revoked grant. With it, the key the header names (the key ARN KMS reported to
// the Encrypter) must be allowed before any KMS call, and KMS Decrypt is
// pinned to it, so a header that names an allowed key over a data key
// wrapped under another fails at KMS ([ErrTampered]) and that data key is
// never unwrapped.
//
// # Caches
//
// The Encrypter reuses one data key per (key id, encryption context) until it
// is 5 minutes old, has encrypted 10,000 messages or 1 GiB (all
// configurable; at most 2^32 messages, the AES-GCM bound under random
// nonces). The Decrypter keeps unwrapped keys in an LRU (1000 entries,
// 5 minutes), keyed by a SHA-256 of the wrapped key, the context and the key
// Decrypt is pinned to. Concurrent misses on one key make a single KMS call. At default settings one instance
// makes about one GenerateDataKey and one Decrypt per 10,000 messages of one
// type and destination, instead of one Decrypt per message. A wrapped key KMS
// refuses as tampered ([ErrTampered]: not a ciphertext of the key and
// context it was presented with) is remembered alike (256 entries, for
// KeyCacheTTL), so copies of one forged header sent under fresh message ids
// cost one Decrypt, not one each; and a message outside the age window is
// refused before its data key is unwrapped. Retired keys are
// dropped, never zeroed in place: a goroutine still encrypting with a key when
// it is retired finishes with the intact key. The plaintext key bytes KMS
// returns are cleared as soon as the cipher is built from them, and those of
// an answer that failed its call (retried after throttling, or lacking a
// field the call needs) at once.
//
// # Errors
//
// Consume-side errors wrap [ErrDecrypt]; produce-side errors wrap
// [ErrEncrypt]. Tampering, context mismatch, a key that does not exist, is
// named by a malformed key ARN, is not usable for decryption or is not one
// DecrypterConfig.KeyIDs names on the consume side, an unknown header
// version, a missing header (unless Accept is AcceptUnprotected), a message over the size limit ([TooLargeError]),
// a message that is already encrypted or signed ([ErrAlreadyEncrypted]), a
// type, destination or application name longer than a header holds (1024
// bytes) and an occurred-at time that is not RFC 3339 can never succeed:
// they are marked with sourceflow.Permanent, so the message is dead-lettered
// without reaching the handler. A key that KMS Decrypt refuses for a reason
// an operator can undo (disabled, pending deletion or otherwise in an
// invalid state, [ErrKeyUnavailable]; access denied, [ErrAccessDenied]) is
// timed as on the produce side below: the message is tried again (the
// transport redelivers it) while the key is refused for less than
// [KeyRefusalGrace], per encryption context and, for a key unavailable, for
// the key whole, with no Decrypt call under it succeeding in between; then
// it is dead-lettered, saying since when the key is refused, so a wrong key
// or IAM deploy does not empty every consuming queue into its dead-letter
// queue at once. Within the grace the error hints when to try again
// (sourceflow.RetryAfter): a quarter of [KeyRefusalGrace] (3m45s), or what
// is left of the grace when less, which cqrs records on the nacked message
// (sourceflow.MetaRetryAfter) and the transports take as the delay of its
// next delivery (awsbus's nack visibility timeout, the in-process
// redelivery of cqrs's PubSubTransport, which sqlbus uses, and
// ChannelTransport; each at most 5 minutes), so their default deliveries (8
// on every transport) span the grace. Idempotency's
// transactional TxRetry, which runs the Decrypter again (the Retry
// middleware, inside it in ConsumeRetry, does not), waits the hint before
// an in-process attempt only when it ends within its MaxElapsed (10 s by
// default), and otherwise returns the error at once. A transport that
// allows fewer than 5 deliveries dead-letters the message on its last one,
// before the grace ends: keep awsbus's MaxReceiveCount and cqrs's
// MaxDeliveries at 5 or more for the whole grace. On sqlbus a pause also
// ends with the message's sqlbus.Config.AckDeadline (30s by default), when
// the table hands the message out again, its deliveries counted on: at
// sqlbus's defaults a refused message is kept for about 3.5 minutes, not
// the grace; an AckDeadline of 4 minutes or more keeps it for the grace
// (that is also how long a message whose instance died waits) with
// MaxDeliveries at its default 8 or more, since each AckDeadline also ends
// a pause and brings one more delivery. A message waiting in process
// (sqlbus; ChannelTransport, synchronous or on an ordered destination)
// holds back the later messages of its destination for that consumer
// meanwhile, those under other keys too, and a synchronous
// ChannelTransport Send waits with it. At most 1024 encryption contexts
// are timed at once: a refusal under a context beyond them (a consumed
// message's type is the sender's to pick) is timed with every other such
// refusal of the key.
// On the produce side an unknown, disabled or
// denied key ([ErrKeyUnavailable], [ErrAccessDenied]) is the Encrypter's
// own, which an operator can fix: it is not permanent there, so messages an
// outbox forwards are retried rather than dead-lettered. A refusal under
// a message's encryption context (application, type, destination) becomes
// permanent, and says since when the key is refused, once GenerateDataKey
// has refused the key under that context for [KeyRefusalGrace] (15
// minutes, the grace an outbox gives a destination without a publisher),
// so a key policy that refuses one message type for good does not hold an
// outbox, which relays in order, for ever; one success under the context
// starts the grace again. A key that is unavailable whole
// ([ErrKeyUnavailable]: disabled, pending deletion or otherwise in an
// invalid state, not found, not usable for encryption (InvalidKeyUsage),
// named by a malformed key ARN (InvalidArn)) fails every context's
// messages, even a context's first refusal, once it has been unavailable
// for the grace without serving a message (no GenerateDataKey call
// succeeded and no message was sealed with a cached data key), rather than
// one context after another; a pause of the grace without any refusal
// starts that run again. An access denied ([ErrAccessDenied]) is judged
// under its own context only: KMS gives the same error for a context a key
// policy's condition excludes as for a key whose grant was revoked, so a
// denied message type never fails another type's messages at once. A key
// denied whole (a revoked grant, a role that lost kms:GenerateDataKey)
// thus holds an outbox that relays in order for one grace per distinct
// encryption context (type, destination) queued: alert on the refusal log
// or on the metric sourceflow.aws.kms.failures rather than wait for the
// dead letters. The Encrypter logs a refused key with its Logger ("KMS
// refuses the key", with the key, destination, type and since when) at
// most once a minute per encryption context, and at once when a context's
// refusals pass the grace; Stats counts the KMS calls that failed
// (GenerateDataKeyFailures, DecryptFailures and DescribeKeyFailures, exported
// by middleware/metrics as sourceflow.aws.kms.failures). An answer lacking a
// field the call needs (GenerateDataKey's wrapped data key; with
// DecrypterConfig.KeyIDs set, Decrypt's KeyId, the key checked against
// them; DescribeKey's key metadata and, resolving KeyIDs, its key ARN) is a
// failed call too, counted as the others: a transient
// [ErrKMS] naming the operation and the field, as an answer with no output
// at all, never a permanent refusal of the message or the key. KMS
// throttling and internal errors are retried with bounded, jittered
// exponential backoff and then returned as [ErrThrottled], which is not
// permanent. No error or log entry contains payload or key bytes.
//
// # Size
//
// After encryption the body as it travels (base64) plus every metadata name,
// type name and value is checked against EncrypterConfig.MaxMessageBytes
// (default [DefaultMaxMessageBytes], 256 KiB, the SNS limit) or a
// per-destination limit, for example [SQSMaxMessageBytes] for queues.
package encryption
