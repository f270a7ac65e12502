package encryption

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// A KMS answer that no retry can change (a key reference that names no key,
// a tampered ciphertext, a refusal) is permanent on the consume side; an
// unknown one is not. On the produce side the key is the Encrypter's own,
// which an operator can fix: only a ciphertext answer stays permanent there.
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
	}
}
