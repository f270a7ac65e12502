package encryption

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// ErrDecrypt is reachable with errors.Is from every error the consume side
// returns. Each such error also wraps one of the more specific sentinels
// below; those that no retry can cure are marked with sourceflow.Permanent,
// so the message is dead-lettered and never reaches the handler.
var ErrDecrypt = errors.New("encryption: cannot decrypt message")

// ErrEncrypt is reachable with errors.Is from every error the produce side
// returns, next to a more specific sentinel.
var ErrEncrypt = errors.New("encryption: cannot encrypt message")

// ErrTampered means the ciphertext, its authentication tag, the nonce, the
// header or the wrapped data key was altered (AES-GCM or KMS rejected it).
// Permanent: the message must be inspected in the dead-letter queue.
var ErrTampered = errors.New("ciphertext or header failed authentication")

// ErrContextMismatch means the message was encrypted for another
// destination, message type or application than the one receiving it, for
// example a body copied from another queue. Permanent.
var ErrContextMismatch = errors.New("encryption context does not match")

// ErrKeyUnavailable means KMS cannot use the key: it is disabled, pending
// deletion or otherwise in an invalid state, not found, not a symmetric
// encrypt/decrypt key (InvalidKeyUsage; Encrypter.Check also reads the
// key's usage and spec), or the key ARN is malformed (InvalidArn).
// On the consume side a key that does not exist, a malformed ARN or a key
// not for decryption is permanent for the message at hand; a disabled key
// or one pending deletion is retried until KMS refused it for
// KeyRefusalGrace, then permanent: re-enable the key and redrive the
// dead-letter queue. On the produce side it is not
// permanent: the key is the Encrypter's own, and its messages are retried
// until an operator creates or enables it, or until it was refused under
// their encryption context, or unavailable under any context without
// serving a message, for KeyRefusalGrace.
var ErrKeyUnavailable = errors.New("KMS cannot use the key")

// ErrKeyNotAllowed means a message's data key was wrapped under a KMS key
// that DecrypterConfig.KeyIDs does not name: whoever may send to the
// destination encrypted or signed it with a key of their own. It is decided
// from the key the header names, before any KMS Decrypt call. Permanent,
// unless an allowed id failed to resolve for a passing reason (throttling, a
// KMS error): the message is then tried again. errors.As finds the
// *KeyNotAllowedError that names the key in the Decrypter's error.
var ErrKeyNotAllowed = errors.New("KMS key is not one the decrypter accepts")

// ErrAccessDenied means the caller's credentials may not use the KMS key.
// On the consume side the message is retried until KMS refused the key
// under its encryption context for KeyRefusalGrace, then permanent: fix
// the key policy or IAM role, then redrive. On the produce side the messages are
// retried until the policy or role is fixed, or until the key was refused
// under their encryption context for KeyRefusalGrace: a denial under one
// context never makes another context's refusal permanent, so a key denied
// whole holds an in-order outbox one grace per encryption context queued.
var ErrAccessDenied = errors.New("access to the KMS key is denied")

// ErrNotEncrypted means a Decrypter received a message less protected than
// its DecrypterConfig.Accept lets through: one sent in clear, or one signed
// only where encryption is required. Permanent.
var ErrNotEncrypted = errors.New("message is not encrypted")

// ErrUnsupportedVersion means the encryption header has a format version this
// build does not know, typically a message from a newer producer, or version
// 1 where DecrypterConfig.Version1Until does not read it. Permanent.
var ErrUnsupportedVersion = errors.New("unsupported encryption header version")

// ErrExpired is returned (permanent) for a message older than
// DecrypterConfig.MaxAge, dated more than DecrypterConfig.MaxClockSkew
// ahead, or without an occurred-at time (which a version 2 message
// authenticates):
// a replay outside the window the idempotency store remembers, or one
// whose window cannot be known.
var ErrExpired = errors.New("message is outside the accepted age window")

// ErrThrottled means KMS kept throttling (or failing internally) after the
// configured retries. Not permanent: the message is redelivered later.
var ErrThrottled = errors.New("KMS is throttling requests")

// ErrKMS means a KMS call failed for a reason that may pass (network error,
// cancelled context, unexpected response). Not permanent.
var ErrKMS = errors.New("KMS call failed")

// errNoOutput is the cause, wrapped with ErrKMS and the operation, of a KMS
// call the client answered with neither an output nor an error: a KMSAPI
// other than *kms.Client may. Not permanent, as any unexpected response.
var errNoOutput = errors.New("KMS client returned no output and no error")

// errIncomplete is the cause, wrapped with ErrKMS and the operation, of a
// KMS answer without a field the call needs (a wrapped data key, the key
// that unwrapped one, key metadata): a faulty answer, as one with no output
// at all, not proof that the message or the key is bad. Not permanent.
var errIncomplete = errors.New("KMS answer lacks a field the call needs")

// ErrAlreadyEncrypted means a message given to the Encrypter already carries
// an encryption header (sourceflow.MetaEncryption): it went through an
// encrypting decorator before, or it is a consumed message sent on before
// it was decrypted. Encrypting it again would replace the header its
// payload needs, so the receiver could only remove the outer layer.
// Permanent: publish it through one encrypting decorator, or decrypt it
// first.
var ErrAlreadyEncrypted = errors.New("message is already encrypted or signed")

// ErrTooLarge means the encrypted message would exceed the size limit of its
// destination. The error is a *TooLargeError naming both sizes. Permanent:
// send smaller messages or raise the limit for a destination that allows it.
var ErrTooLarge = errors.New("encrypted message is too large")

// TooLargeError reports an encrypted message that exceeds the size limit of
// its destination. errors.Is(err, ErrTooLarge) holds.
type TooLargeError struct {
	// Destination is the topic or queue the message was published to.
	Destination string
	// Size is the size of the message as it would travel: the base64 body plus
	// every metadata key, value and attribute type name.
	Size int
	// Limit is the limit that applies to Destination.
	Limit int
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %d bytes after encryption exceed the limit of %d bytes for destination %q",
		ErrTooLarge, e.Size, e.Limit, e.Destination)
}

// Unwrap makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ClientPanicError is what the callers of a KMS call (GenerateDataKey,
// Decrypt, DescribeKey) get when the KMS client panicked during it,
// wrapped with ErrKMS (not permanent: their messages are tried again)
// instead of the process ending. Error describes the panic value in one
// line as sourceflow.PanicText does (a struct only by its type, characters
// a log line acts on escaped); the stack is in the Stack field, out of the
// text. The Encrypter or Decrypter whose call panicked logs the stack
// once, at error level, to its Logger ("KMS client panicked", in the stack
// field), however many callers shared the call, and at most once a minute
// per operation: the panics it does not log are counted, and the next line
// says how many (panics_not_logged). Value keeps the value
// whole: do not log it.
type ClientPanicError struct {
	// Value is what the panic was called with.
	Value any
	// Stack is the stack of the panicking goroutine, as runtime/debug.Stack
	// printed it at the moment of recovery.
	Stack []byte
}

// Error describes the panic value in one line.
func (e *ClientPanicError) Error() string {
	return "KMS client panicked: " + sourceflow.PanicText(e.Value)
}
