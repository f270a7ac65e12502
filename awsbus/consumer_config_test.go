package awsbus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// ConsumerConfig.Validate on its own wraps its problems in ErrInvalidConfig,
// reports each value as the user gave it (and what a timeout SQS counts in
// seconds rounds up to), and states NackBackoff's real range.
func TestConsumerConfig_ValidateReportsTheValueGiven(t *testing.T) {
	tests := []struct {
		name string
		cfg  awsbus.ConsumerConfig
		want string
	}{
		{"wait time rounded past the limit", awsbus.ConsumerConfig{WaitTime: 20500 * time.Millisecond},
			"WaitTime: 20.5s (21s in whole seconds), must be 1s..20s"},
		{"wait time whole", awsbus.ConsumerConfig{WaitTime: 21 * time.Second}, "WaitTime: 21s, must be 1s..20s"},
		{"negative wait time", awsbus.ConsumerConfig{WaitTime: -time.Second}, "WaitTime: -1s, must be 1s..20s"},
		{"visibility timeout", awsbus.ConsumerConfig{VisibilityTimeout: 12*time.Hour + time.Millisecond},
			"VisibilityTimeout: 12h0m0.001s (12h0m1s in whole seconds), must be 1s..12h0m0s"},
		{"nack backoff", awsbus.ConsumerConfig{NackBackoff: 13 * time.Hour},
			"NackBackoff: 13h0m0s, must be at most 12h0m0s (a negative value redelivers at once)"},
		{"concurrency", awsbus.ConsumerConfig{MaxConcurrentCalls: -1}, "MaxConcurrentCalls: -1, must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
			assert.Equal(t, "awsbus: invalid configuration: "+tt.want, err.Error())
		})
	}
}

// A negative NackBackoff (redeliver at once) and values that round up into
// range are valid.
func TestConsumerConfig_ValidateAcceptsWhatItDocuments(t *testing.T) {
	for _, cfg := range []awsbus.ConsumerConfig{
		{}, {NackBackoff: -time.Hour}, {NackBackoff: 12 * time.Hour}, {WaitTime: 19500 * time.Millisecond},
		{VisibilityTimeout: 500 * time.Millisecond}, {ShutdownTimeout: 24 * time.Hour},
	} {
		assert.NoError(t, cfg.Validate(), "%+v", cfg)
	}
}

// Config and SubscriberConfig report a consumer problem once under the
// package prefix, not wrapped twice.
func TestConsumerConfig_ProblemsAreWrappedOnceByTheEmbeddingConfig(t *testing.T) {
	cc := awsbus.ConsumerConfig{WaitTime: 20500 * time.Millisecond}
	cfgErr := awsbus.Config{ConsumerConfig: cc}.Validate()
	_, subErr := awsbus.NewSubscriber(awsbus.SubscriberConfig{ConsumerConfig: cc})
	for _, err := range []error{cfgErr, subErr} {
		require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
		assert.Contains(t, err.Error(), "WaitTime: 20.5s (21s in whole seconds), must be 1s..20s")
		assert.Equal(t, 1, strings.Count(err.Error(), "invalid configuration"), err.Error())
	}
}
