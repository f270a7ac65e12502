// Package encryption is KMS envelope encryption for SourceFlow messages, as
// Watermill middleware that works on any transport.
//
// An [Encrypter] is used on the produce side through its Decorate method (a
// message.PublisherDecorator, phase "Encrypt"); a [Decrypter] on the consume
// side through its Middleware method (a message.HandlerMiddleware, phase
// "Decrypt", inside idempotency and outside retry).
//
// # Format
//
// Each message is encrypted with AES-256-GCM under a data key from KMS
// GenerateDataKey (AES_256), with a fresh random 96-bit nonce. The payload
// becomes the standard (padded) base64 of ciphertext‖tag, so it is valid text
// for SQS and SNS bodies; it is 4/3 the size of the plaintext plus its 16-byte
// tag, rounded up to whole base64 quanta. Metadata
// sourceflow.MetaEncryption holds the base64 of a versioned binary [Header]:
// version, the ARN of the KMS key, the KMS-wrapped data key, the nonce and
// the [EncryptionContext]. The binary header is the GCM additional data, so no
// field of it can be changed without failing authentication. Other metadata
// is not encrypted: keep secrets out of it.
//
// The encryption context binds the application name, the message type
// (metadata sourceflow.MetaType) and the destination: the topic passed to
// Publish, and on the consume side message.SubscribeTopicFromCtx (set by the
// Watermill router). It is passed to KMS on GenerateDataKey and Decrypt and
// compared with the header on receipt, so a body copied to another queue,
// relabelled with another type or sent by another application fails with
// [ErrContextMismatch] (or [ErrTampered] if the header was rewritten too).
// Decrypt never passes a KeyId to KMS: messages encrypted under an old key or
// through an alias that has since moved still decrypt.
//
// # Caches
//
// The Encrypter reuses one data key per (key id, encryption context) until it
// is 5 minutes old, has encrypted 10,000 messages or 1 GiB (all
// configurable). The Decrypter keeps unwrapped keys in an LRU (1000 entries,
// 5 minutes), keyed by a SHA-256 of the wrapped key and the context. Concurrent
// misses on one key make a single KMS call. At default settings one instance
// makes about one GenerateDataKey and one Decrypt per 10,000 messages of one
// type and destination, instead of one Decrypt per message. Retired keys are
// dropped, never zeroed in place: a goroutine still encrypting with a key when
// it is retired finishes with the intact key. The plaintext key bytes KMS
// returns are cleared as soon as the cipher is built from them.
//
// # Errors
//
// Consume-side errors wrap [ErrDecrypt]; produce-side errors wrap
// [ErrEncrypt]. Tampering, context mismatch, an unknown, disabled or denied
// key, an unknown header version, a missing header when RequireEncryption is
// set and a message over the size limit ([TooLargeError]) can never succeed:
// they are marked with sourceflow.Permanent, so the message is dead-lettered
// without reaching the handler. KMS throttling and internal errors are retried
// with bounded, jittered exponential backoff and then returned as
// [ErrThrottled], which is not permanent. No error or log entry contains
// payload or key bytes.
//
// # Size
//
// After encryption the body as it travels (base64) plus every metadata name,
// type name and value is checked against EncrypterConfig.MaxMessageBytes
// (default [DefaultMaxMessageBytes], 256 KiB, the SNS limit) or a
// per-destination limit, for example [SQSMaxMessageBytes] for queues.
package encryption
