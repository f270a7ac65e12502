package encryption

import (
	"fmt"
	"strings"
)

// KeyNotAllowedError is the error, wrapping ErrKeyNotAllowed, of a message
// whose data key was wrapped under a KMS key DecrypterConfig.KeyIDs does
// not name, or whose header names no key ARN at all. Its fields let a
// caller that fills KeyIDs from a setting of its own (a command-line flag)
// word the refusal with that setting's name; KeyID is the sender's, so
// show it escaped and cut, as Error does.
type KeyNotAllowedError struct {
	// KeyID is the key the data key was wrapped under: as the message's
	// header names it (checked before any KMS call), or as KMS Decrypt
	// reported it (checked again after the call).
	KeyID string
	// NotKeyARN is true when KeyID, the header's, is not a key ARN, so it
	// cannot be checked against KeyIDs at all.
	NotKeyARN bool
	// KeyIDs is DecrypterConfig.KeyIDs, as configured.
	KeyIDs []string
}

// keyNotAllowedFix says what to do about a key refused as not allowed,
// in the words of both ways to configure a decrypter: on its own and
// through awsbus.NewEncryption.
const keyNotAllowedFix = "services that exchange messages must accept each other's key: " +
	"list the sender's key in DecrypterConfig.KeyIDs (on awsbus: EncryptionConfig.Decrypter.KeyIDs), " +
	"or have them share one key (awsbus.Config.KMSKeyID)"

// Error implements error. It names key ARNs only, never key material.
func (e *KeyNotAllowedError) Error() string {
	if e.NotKeyARN {
		return fmt.Sprintf("%s: the header names %s, not a key ARN, so it cannot be checked against the keys this service accepts (%s)",
			ErrKeyNotAllowed, quotedText(e.KeyID), strings.Join(e.KeyIDs, ", "))
	}
	return fmt.Sprintf("%s: the data key was wrapped under %s, a key this service does not accept (it accepts %s); %s",
		ErrKeyNotAllowed, quotedText(e.KeyID), strings.Join(e.KeyIDs, ", "), keyNotAllowedFix)
}

// Unwrap makes errors.Is(err, ErrKeyNotAllowed) hold.
func (e *KeyNotAllowedError) Unwrap() error { return ErrKeyNotAllowed }
