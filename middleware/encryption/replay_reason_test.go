package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// The reason a message refused for its date is dead-lettered with says
// what is wrong with the date: a message dated ahead of the clock, or not
// dated at all, is not "older than the maximum age".
func TestARefusedDateIsNamedInTheReason(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	now := f.clock.Now()
	tests := map[string]struct {
		msg  *message.Message
		want string
	}{
		"dated ahead": {sealDated(t, f, now.Add(time.Hour)), "in the future, beyond the allowed clock skew"},
		"not dated":   {sealVersion2Undated(t, f, `{"amount":7}`), "carries no occurred-at time"},
		"too old":     {sealDated(t, f, now.Add(-encryption.DefaultMaxAge-time.Hour)), "ago, beyond the maximum age"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := f.dec.Decrypt(context.Background(), testDest, tt.msg)
			require.ErrorIs(t, err, encryption.ErrExpired)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "older than", "only the age says how old the message is")
		})
	}
}
