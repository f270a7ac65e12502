package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// A failure reason too long for the message's metadata is cut on a
// character boundary, and one holding bytes that are not UTF-8, or
// characters such as NUL that SQS and SNS refuse in attribute values, is
// made valid text: a Pub/Sub that refuses the reason would never take the
// dead letter. Line breaks and tabs are text, and stay.
func TestAFailureReasonRecordedOnTheMessageIsValidText(t *testing.T) {
	tests := map[string]struct {
		cause error
		keep  string // a part of the reason that must stay as it is
	}{
		"long reason cut inside a character":   {errors.New("x" + strings.Repeat("é", 600)), "xé"},
		"reason with bytes that are not UTF-8": {errors.New("bad byte \xff in the reason"), "in the reason"},
		"reason with control characters":       {errors.New("nul \x00, escape \x1b, \uffff\nnext\tline"), "\nnext\tline"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			app := newOrderApp(t, cqrs.ServiceConfig{})
			doomed := cqrs.NewView[Summary](app.svc, "doomed")
			require.NoError(t, cqrs.Project(doomed, func(context.Context, *Summary, OrderCreated, cqrs.Envelope) error {
				return sourceflow.Permanent(tt.cause)
			}))
			app.start(t)

			_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
			require.NoError(t, err)

			dead := app.transport.DeadLetters()
			require.Len(t, dead, 1)
			reason := dead[0].Message.Metadata.Get(sourceflow.MetaFailure)
			assert.True(t, sqsrules.ValidText(reason), "reason %q", reason)
			assert.LessOrEqual(t, len(reason), 512)
			assert.Contains(t, reason, "doomed")
			assert.Contains(t, reason, tt.keep)
			assert.True(t, sqsrules.ValidText(dead[0].Reason), "dead-letter reason %q", dead[0].Reason)
		})
	}
}

// A failure reason too long for the message's metadata keeps its beginning,
// which names the handler, and its end, where the cause is: a long value in
// the middle (a sender's id, an entity id) does not push the cause out.
func TestAFailureReasonTooLongKeepsItsCause(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	doomed := cqrs.NewView[Summary](app.svc, "doomed")
	require.NoError(t, cqrs.Project(doomed, func(context.Context, *Summary, OrderCreated, cqrs.Envelope) error {
		return sourceflow.Permanent(fmt.Errorf("save %q: %w", strings.Repeat("e", 900), errors.New("the store is unreachable")))
	}))
	app.start(t)

	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	for _, reason := range []string{dead[0].Message.Metadata.Get(sourceflow.MetaFailure), dead[0].Reason} {
		assert.LessOrEqual(t, len(reason), 512)
		assert.Contains(t, reason, "doomed")
		assert.True(t, strings.HasSuffix(reason, "the store is unreachable"), "reason %.80q… ends %q", reason, reason[max(0, len(reason)-40):])
	}
}
