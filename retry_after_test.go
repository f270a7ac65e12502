package sourceflow_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestRetryAfter(t *testing.T) {
	assert.NoError(t, sourceflow.RetryAfter(nil, time.Minute))
	base := errors.New("key disabled")
	assert.Equal(t, base, sourceflow.RetryAfter(base, 0), "no delay, no hint")

	hinted := fmt.Errorf("decrypt: %w", sourceflow.RetryAfter(base, 2*time.Minute))
	d, ok := sourceflow.RetryAfterOf(hinted)
	assert.True(t, ok)
	assert.Equal(t, 2*time.Minute, d, "found through wrapping")
	assert.ErrorIs(t, hinted, base)
	assert.Equal(t, "decrypt: key disabled", hinted.Error(), "the hint does not change the text")
	_, ok = sourceflow.RetryAfterOf(base)
	assert.False(t, ok)

	assert.True(t, sourceflow.IsConsumeMarker(sourceflow.MetaRetryAfter), "one delivery's marker, never sent on")
}
