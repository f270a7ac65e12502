package fieldcheck_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

func TestChecksNameTheFieldAndTheRule(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // empty: valid
	}{
		{"at least, below", fieldcheck.AtLeast("MaxDeliveries", 0, 1), "MaxDeliveries: 0, must be at least 1"},
		{"at least, equal", fieldcheck.AtLeast("MaxDeliveries", 1, 1), ""},
		{"not negative, negative", fieldcheck.NotNegative("Delay", -time.Second), "Delay: -1s, must not be negative"},
		{"not negative, zero", fieldcheck.NotNegative("Delay", time.Duration(0)), ""},
		{"within, above", fieldcheck.Within("WaitTime", 21*time.Second, time.Second, 20*time.Second), "WaitTime: 21s, must be 1s..20s"},
		{"within, below", fieldcheck.Within("Count", 0, 1, 1000), "Count: 0, must be 1..1000"},
		{"within, at the bounds", errors.Join(fieldcheck.Within("Count", 1, 1, 9), fieldcheck.Within("Count", 9, 1, 9)), ""},
		{"positive, zero", fieldcheck.Positive("KeyCacheEntries", 0), "KeyCacheEntries: 0, must be above zero"},
		{"positive, negative", fieldcheck.Positive("KeyCacheTTL", -time.Minute), "KeyCacheTTL: -1m0s, must be above zero"},
		{"positive, above", fieldcheck.Positive("KeyCacheEntries", 1), ""},
		{"required, unset", fieldcheck.Required("Config.DB", false), "Config.DB is required"},
		{"required, set", fieldcheck.Required("Config.DB", true), ""},
		{"typed nil pointer", fieldcheck.NotTypedNil("Config.Clock", any((*time.Location)(nil))), "Config.Clock: nil *time.Location, must be non-nil or left unset for the default"},
		{"typed nil func", fieldcheck.NotTypedNil("Config.Topic", any((func(string) string)(nil))), "Config.Topic: nil func(string) string, must be non-nil or left unset for the default"},
		{"untyped nil", fieldcheck.NotTypedNil("Config.Clock", nil), ""},
		{"set, unset", fieldcheck.Set("Config.SQS", nil), "Config.SQS is required"},
		{"set, typed nil", fieldcheck.Set("Config.SQS", any((*time.Location)(nil))), "Config.SQS: nil *time.Location, must be set"},
		{"set, set", fieldcheck.Set("Config.SQS", any(time.UTC)), ""},
		{"nil slice", fieldcheck.NotTypedNil("Config.Loggers", any([]string(nil))), ""},
		{"set pointer", fieldcheck.NotTypedNil("Config.Clock", any(time.UTC)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				assert.NoError(t, tt.err)
				return
			}
			assert.EqualError(t, tt.err, tt.want)
		})
	}
}
