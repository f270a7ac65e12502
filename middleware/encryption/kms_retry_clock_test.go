package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// TestKMSRetryWaitsOnTheConfiguredClock: the waits between retries of a
// throttled KMS call are asked of the Config's Clock, each as long as the
// backoff says, and the next attempt runs only once that wait has fired.
// The backoff is hours long: on the fake clock the retries run through at
// once, while waiting on the real clock would end at the test's deadline.
func TestKMSRetryWaitsOnTheConfiguredClock(t *testing.T) {
	policy := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Hour, Multiplier: 2, MaxInterval: 4 * time.Hour}
	backoff := []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}
	tests := []struct {
		name  string
		calls func(encryptiontest.Calls) int
		run   func(ctx context.Context, t *testing.T, f *fixture) error
	}{
		{"GenerateDataKey", func(c encryptiontest.Calls) int { return c.GenerateDataKey },
			func(ctx context.Context, _ *testing.T, f *fixture) error {
				f.kms.Throttle(len(backoff), "")
				_, err := f.enc.Encrypt(ctx, testDest, newMsg(testType, []byte("x")))
				return err
			}},
		{"Decrypt", func(c encryptiontest.Calls) int { return c.Decrypt },
			func(ctx context.Context, t *testing.T, f *fixture) error {
				m := f.encrypt(t, []byte("x"))
				f.kms.Throttle(len(backoff), "")
				return f.dec.Decrypt(ctx, testDest, m)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{Retry: policy}, encryption.DecrypterConfig{Retry: policy})
			var callsAtWait []int
			f.clock.OnAfter(func(time.Duration) { callsAtWait = append(callsAtWait, tt.calls(f.kms.Calls())) })
			start := f.clock.Now()
			// A bound on the call, not a timing target: without the fake
			// clock it would wait hours for the first retry.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			require.NoError(t, tt.run(ctx, t, f))
			assert.Equal(t, backoff, f.clock.Waits(), "the waits asked of the configured clock")
			assert.Equal(t, []int{1, 2, 3}, callsAtWait, "each retry runs only after its wait")
			assert.Equal(t, len(backoff)+1, tt.calls(f.kms.Calls()))
			assert.Equal(t, start.Add(7*time.Hour), f.clock.Now(), "the backoff passed on the fake clock")
		})
	}
}
