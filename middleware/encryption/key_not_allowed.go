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

// Error implements error.
func (e *KeyNotAllowedError) Error() string {
	if e.NotKeyARN {
		return fmt.Sprintf("%s: the header names %s, not a key ARN, so DecrypterConfig.KeyIDs (%s) cannot be checked",
			ErrKeyNotAllowed, quotedText(e.KeyID), strings.Join(e.KeyIDs, ", "))
	}
	return fmt.Sprintf("%s: the data key was wrapped under %s, which DecrypterConfig.KeyIDs (%s) does not name",
		ErrKeyNotAllowed, quotedText(e.KeyID), strings.Join(e.KeyIDs, ", "))
}

// Unwrap makes errors.Is(err, ErrKeyNotAllowed) hold.
func (e *KeyNotAllowedError) Unwrap() error { return ErrKeyNotAllowed }
