package encryption

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// A KMS answer that no retry can change (a key reference that names no key,
// a tampered ciphertext, a refusal) is permanent; an unknown one is not.
func TestClassifyMarksWhatNoRetryCuresPermanent(t *testing.T) {
	for code, permanent := range map[string]bool{
		"InvalidArnException":        true,
		"NotFoundException":          true,
		"DisabledException":          true,
		"InvalidCiphertextException": true,
		"AccessDeniedException":      true,
		"KMSInternalException":       false,
	} {
		err := classify("DescribeKey", &smithy.GenericAPIError{Code: code, Message: "m"})
		assert.Equal(t, permanent, isPermanent(err), code)
		assert.False(t, errors.Is(err, ErrThrottled), code)
	}
}
