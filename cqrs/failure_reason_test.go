package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A failure reason too long for the message's metadata is cut on a
// character boundary, and one holding bytes that are not UTF-8 is made
// valid: transports such as SQS refuse metadata values that are not valid
// text, which would keep a dead letter from ever being published.
func TestAFailureReasonRecordedOnTheMessageIsValidUTF8(t *testing.T) {
	tests := map[string]error{
		"long reason cut inside a character":   errors.New("x" + strings.Repeat("é", 600)),
		"reason with bytes that are not UTF-8": errors.New("bad byte \xff in the reason"),
	}
	for name, cause := range tests {
		t.Run(name, func(t *testing.T) {
			app := newOrderApp(t, cqrs.ServiceConfig{})
			doomed := cqrs.NewView[Summary](app.svc, "doomed")
			require.NoError(t, cqrs.Project(doomed, func(context.Context, *Summary, OrderCreated, cqrs.Envelope) error {
				return sourceflow.Permanent(cause)
			}))
			app.start(t)

			_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
			require.NoError(t, err)

			dead := app.transport.DeadLetters()
			require.Len(t, dead, 1)
			reason := dead[0].Message.Metadata.Get(sourceflow.MetaFailure)
			assert.True(t, utf8.ValidString(reason), "reason %q", reason)
			assert.LessOrEqual(t, len(reason), 512)
			assert.Contains(t, reason, "doomed")
			assert.True(t, utf8.ValidString(dead[0].Reason), "dead-letter reason %q", dead[0].Reason)
		})
	}
}
