package encryption

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// A KMS answer that no retry can change (a key reference that names no key,
// a tampered ciphertext) is permanent on the consume side; an unknown one
// is not. A refusal an operator can undo (disabled, pending deletion,
// denied) is permanent there too unless the Decrypter timed it within
// KeyRefusalGrace (inGrace). On the produce side the key is the
// Encrypter's own, which an operator can fix: only a ciphertext answer
// stays permanent there.
func TestClassifyMarksWhatNoRetryCuresPermanent(t *testing.T) {
	for code, want := range map[string]struct{ consume, produce bool }{
		"InvalidArnException":        {true, false},
		"NotFoundException":          {true, false},
		"DisabledException":          {true, false},
		"KMSInvalidStateException":   {true, false},
		"AccessDeniedException":      {true, false},
		"InvalidCiphertextException": {true, true},
		"KMSInternalException":       {false, false},
	} {
		err := classify("DescribeKey", &smithy.GenericAPIError{Code: code, Message: "m"})
		assert.Equal(t, want.consume, isPermanent(ErrDecrypt, err), "consume side: %s", code)
		assert.Equal(t, want.produce, isPermanent(ErrEncrypt, err), "produce side: %s", code)
		assert.False(t, errors.Is(err, ErrThrottled), code)
		assert.False(t, isPermanent(ErrDecrypt, inGrace{err}), "timed within the grace: %s", code)
	}
}

// Every KMS answer that ErrKeyUnavailable stands for (a key disabled,
// pending deletion, not found, not for encryption, or a malformed ARN) is
// reported as a key KMS cannot use, not as one merely unknown or disabled,
// followed by the operation and KMS's own error.
func TestClassifyKeyUnavailableSaysKMSCannotUseTheKey(t *testing.T) {
	for _, code := range []string{"DisabledException", "KMSInvalidStateException", "NotFoundException",
		"InvalidKeyUsageException", "InvalidArnException"} {
		err := classify("GenerateDataKey", &smithy.GenericAPIError{Code: code, Message: "m"})
		assert.ErrorIs(t, err, ErrKeyUnavailable, code)
		assert.Equal(t, "KMS cannot use the key: GenerateDataKey: api error "+code+": m", err.Error())
	}
}
