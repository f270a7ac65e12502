package sourceflow_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// DefaultRetryPolicy returns a fresh copy: a caller changing what it got
// changes no other caller's defaults.
func TestDefaultRetryPolicyCannotBeChangedByACaller(t *testing.T) {
	p := sourceflow.DefaultRetryPolicy()
	p.MaxRetries, p.MaxElapsed = 0, time.Hour
	want := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: 100 * time.Millisecond, Multiplier: 2,
		MaxInterval: 2 * time.Second, MaxElapsed: 10 * time.Second}
	assert.Equal(t, want, sourceflow.DefaultRetryPolicy())
	assert.NoError(t, sourceflow.DefaultRetryPolicy().Validate())
}
