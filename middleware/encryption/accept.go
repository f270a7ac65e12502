package encryption

import "fmt"

// Accept is what a message must be for a Decrypter to let it through.
type Accept int

const (
	// AcceptEncrypted lets encrypted messages through only: one signed only
	// or sent in clear is refused. It is the default.
	AcceptEncrypted Accept = iota
	// AcceptSigned lets encrypted and signed-only messages through (see
	// EncrypterConfig.SignOnly); one sent in clear is refused.
	AcceptSigned
	// AcceptUnprotected also lets a message with no encryption header
	// through, unchanged: for the time producers move to encryption, after
	// which it should go. Anyone who may send to the destination can then
	// forge a message.
	AcceptUnprotected
)

// String names a in the words of an error: "encrypted", "encrypted or
// signed", "any".
func (a Accept) String() string {
	switch a {
	case AcceptEncrypted:
		return "encrypted"
	case AcceptSigned:
		return "encrypted or signed"
	case AcceptUnprotected:
		return "any"
	default:
		return fmt.Sprintf("Accept(%d)", int(a))
	}
}

func (a Accept) validate() error {
	if a < AcceptEncrypted || a > AcceptUnprotected {
		return fmt.Errorf("Accept: %d, must be AcceptEncrypted, AcceptSigned or AcceptUnprotected", int(a))
	}
	return nil
}
