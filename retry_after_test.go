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

// The edges of a hint: a negative delay is no hint, a hint inside a
// Permanent is still found (markFailure then records none: a permanent
// failure is dead-lettered at once), and of several hints, nested or
// joined, the first in errors.As order wins.
func TestRetryAfterEdges(t *testing.T) {
	base := errors.New("key disabled")
	assert.Equal(t, base, sourceflow.RetryAfter(base, -time.Second), "a negative delay, no hint")
	_, ok := sourceflow.RetryAfterOf(nil)
	assert.False(t, ok)

	perm := sourceflow.Permanent(sourceflow.RetryAfter(base, time.Minute))
	assert.True(t, sourceflow.IsPermanent(perm))
	d, ok := sourceflow.RetryAfterOf(perm)
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d)

	d, _ = sourceflow.RetryAfterOf(sourceflow.RetryAfter(sourceflow.RetryAfter(base, time.Second), time.Hour))
	assert.Equal(t, time.Hour, d, "nested: the outer hint")
	d, _ = sourceflow.RetryAfterOf(errors.Join(sourceflow.RetryAfter(base, time.Second), sourceflow.RetryAfter(base, time.Hour)))
	assert.Equal(t, time.Second, d, "joined: the first")

	huge := sourceflow.RetryAfter(base, time.Duration(1<<63-1))
	d, _ = sourceflow.RetryAfterOf(huge)
	parsed, err := time.ParseDuration(d.String())
	assert.NoError(t, err, "the largest hint's text reads back")
	assert.Equal(t, d, parsed)
}

// RetryAfterHint reads a positive, parsable delay and nothing else; it caps
// nothing, which each transport does with its own bound.
func TestRetryAfterHint(t *testing.T) {
	tests := []struct {
		name  string
		md    map[string]string
		want  time.Duration
		valid bool
	}{
		{"recorded delay", map[string]string{sourceflow.MetaRetryAfter: "2m0s"}, 2 * time.Minute, true},
		{"huge delay, not capped", map[string]string{sourceflow.MetaRetryAfter: "2000000h"}, 2000000 * time.Hour, true},
		{"past what a Duration holds", map[string]string{sourceflow.MetaRetryAfter: "3000000h"}, 0, false},
		{"zero", map[string]string{sourceflow.MetaRetryAfter: "0s"}, 0, false},
		{"negative", map[string]string{sourceflow.MetaRetryAfter: "-5s"}, 0, false},
		{"garbage", map[string]string{sourceflow.MetaRetryAfter: "soon"}, 0, false},
		{"a number without a unit", map[string]string{sourceflow.MetaRetryAfter: "30"}, 0, false},
		{"empty", map[string]string{sourceflow.MetaRetryAfter: ""}, 0, false},
		{"absent", map[string]string{"other": "1s"}, 0, false},
		{"nil metadata", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := sourceflow.RetryAfterHint(tt.md)
			assert.Equal(t, tt.valid, ok)
			assert.Equal(t, tt.want, d)
		})
	}
}
