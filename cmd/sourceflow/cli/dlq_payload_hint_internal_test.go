package cli

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A Decrypt call cut short by the command's --timeout names the KMS
// client's endpoint and region and --timeout, not the key's permissions.
func TestDecryptHint_ACallCutShortNamesTheKMSEndpoint(t *testing.T) {
	ended, cancel := context.WithDeadline(t.Context(), time.Now())
	defer cancel()
	v := payloadView{kmsRegion: "eu-west-2", kmsEndpoint: "AWS_ENDPOINT_URL_KMS: http://kms.internal:4566"}
	err := fmt.Errorf("%w: %w: Decrypt: %w", encryption.ErrDecrypt, encryption.ErrKMS,
		&smithy.OperationError{ServiceID: "KMS", OperationName: "Decrypt", Err: context.DeadlineExceeded})

	assert.Equal(t, "KMS did not answer in time: check that the endpoint of region eu-west-2 "+
		"(AWS_ENDPOINT_URL_KMS: http://kms.internal:4566) answers, or allow more time with --timeout", v.decryptHint(ended, err))
}

// A Decrypt call cut short while the command's --timeout had time left
// was ended by the Decrypter's own bound on a KMS call, which --timeout
// does not raise: the advice names the KMS endpoint, not --timeout.
func TestDecryptHint_ACallCutShortWithinTimeoutDoesNotAdviseMoreTimeout(t *testing.T) {
	v := payloadView{kmsRegion: "eu-west-2", kmsEndpoint: "AWS_ENDPOINT_URL_KMS: http://kms.internal:4566"}
	err := fmt.Errorf("%w: %w: Decrypt: %w", encryption.ErrDecrypt, encryption.ErrKMS,
		&smithy.OperationError{ServiceID: "KMS", OperationName: "Decrypt", Err: context.DeadlineExceeded})

	assert.Equal(t, "KMS did not answer in time: check that the endpoint of region eu-west-2 "+
		"(AWS_ENDPOINT_URL_KMS: http://kms.internal:4566) answers", v.decryptHint(t.Context(), err))
}
