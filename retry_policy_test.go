package sourceflow_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

func TestRetryPolicy_Validate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*sourceflow.RetryPolicy)
		want   string // empty: valid
	}{
		{"zero takes defaults", func(*sourceflow.RetryPolicy) {}, ""},
		{"doubling", func(p *sourceflow.RetryPolicy) { p.Multiplier = 2 }, ""},
		{"negative initial interval", func(p *sourceflow.RetryPolicy) { p.InitialInterval = -time.Second }, "InitialInterval"},
		{"multiplier below 1", func(p *sourceflow.RetryPolicy) { p.Multiplier = 0.5 }, "Multiplier"},
		{"multiplier NaN", func(p *sourceflow.RetryPolicy) { p.Multiplier = math.NaN() }, "Multiplier"},
		{"multiplier infinite", func(p *sourceflow.RetryPolicy) { p.Multiplier = math.Inf(1) }, "Multiplier"},
		{"max below initial", func(p *sourceflow.RetryPolicy) { p.InitialInterval, p.MaxInterval = time.Second, time.Millisecond }, "MaxInterval"},
		{"negative max elapsed", func(p *sourceflow.RetryPolicy) { p.MaxElapsed = -time.Second }, "MaxElapsed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p sourceflow.RetryPolicy
			tt.mutate(&p)
			err := p.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestRetryPolicy_NextNeverPassesMaxInterval(t *testing.T) {
	p := sourceflow.RetryPolicy{Multiplier: 1e10, MaxInterval: 2 * time.Second}
	assert.NoError(t, p.Validate())
	assert.Equal(t, 2*time.Second, p.Next(time.Second), "a product past what a Duration holds")
	assert.Equal(t, 2*time.Second, p.Next(time.Hour))
	p.Multiplier = 2
	assert.Equal(t, 200*time.Millisecond, p.Next(100*time.Millisecond))
}

func TestRetryPolicy_WithDefaultsNeverConflictsWithASetField(t *testing.T) {
	d := sourceflow.DefaultRetryPolicy()
	p := sourceflow.RetryPolicy{MaxInterval: 50 * time.Millisecond}.WithDefaults(d)
	assert.Equal(t, 50*time.Millisecond, p.InitialInterval, "the default InitialInterval is lowered to the MaxInterval set")
	assert.Equal(t, 50*time.Millisecond, p.MaxInterval)
	assert.NoError(t, p.Validate())

	p = sourceflow.RetryPolicy{MaxInterval: time.Second}.WithDefaults(d)
	assert.Equal(t, d.InitialInterval, p.InitialInterval, "a default below MaxInterval is kept")

	p = sourceflow.RetryPolicy{InitialInterval: 5 * time.Second}.WithDefaults(d)
	assert.Equal(t, 5*time.Second, p.MaxInterval, "the default MaxInterval is raised to the InitialInterval set")
	assert.NoError(t, p.Validate())
}

func TestRetryPolicy_SleepDrawsWithinTheLongestDuration(t *testing.T) {
	p := sourceflow.RetryPolicy{Jitter: true}
	longest := time.Duration(math.MaxInt64)
	for range 20 {
		var got time.Duration
		require.NotPanics(t, func() { got = p.Sleep(longest) })
		assert.GreaterOrEqual(t, got, time.Duration(0))
	}
}
