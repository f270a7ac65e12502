package middleware_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// Each retry is logged with the correlation id of the message's flow, so an
// operator can find the retries of one flow: the one in the message's context
// (the Correlation middleware puts it there), else the message's own.
func TestRetry_LogsTheCorrelationID(t *testing.T) {
	inContext := message.NewMessage("uuid-1", nil)
	inContext.SetContext(sourceflow.ContextWithCorrelationID(context.Background(), "flow-1"))
	inMetadata := message.NewMessage("uuid-2", nil)
	inMetadata.Metadata.Set(sourceflow.MetaCorrelationID, "flow-2")
	for want, msg := range map[string]*message.Message{"flow-1": inContext, "flow-2": inMetadata} {
		t.Run(want, func(t *testing.T) {
			logger := watermill.NewCaptureLogger()
			retry, err := middleware.NewRetry(middleware.RetryConfig{
				Clock: clocktest.NewStepping(time.Unix(0, 0)), Logger: logger,
				Policy: sourceflow.RetryPolicy{MaxRetries: 1},
			})
			require.NoError(t, err)

			_, err = retry(func(*message.Message) ([]*message.Message, error) {
				return nil, errors.New("store unavailable")
			})(msg)

			require.ErrorIs(t, err, middleware.ErrRetriesExhausted)
			logged := logger.Captured()[watermill.InfoLogLevel]
			require.Len(t, logged, 1)
			assert.Equal(t, want, logged[0].Fields["correlation_id"])
			assert.Equal(t, msg.UUID, logged[0].Fields["message_id"])
		})
	}
}

// The UUID in a retry's line is the sender's: it is shown as
// sourceflow.IDText shows it, cut when oversize and escaped when it holds
// characters a terminal or a log line acts on.
func TestRetry_LogsTheSendersUUIDBounded(t *testing.T) {
	for uuid, want := range map[string]string{
		strings.Repeat("u", 200_000): strings.Repeat("u", 256) + "…(200000 bytes)",
		"m-1\nlevel=INFO msg=forged": `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b]0;owned\a":          `m-1\x1b]0;owned\a`,
	} {
		logger := watermill.NewCaptureLogger()
		retry, err := middleware.NewRetry(middleware.RetryConfig{
			Clock: clocktest.NewStepping(time.Unix(0, 0)), Logger: logger,
			Policy: sourceflow.RetryPolicy{MaxRetries: 1},
		})
		require.NoError(t, err)

		_, err = retry(func(*message.Message) ([]*message.Message, error) {
			return nil, errors.New("store unavailable")
		})(message.NewMessage(uuid, nil))

		require.ErrorIs(t, err, middleware.ErrRetriesExhausted)
		logged := logger.Captured()[watermill.InfoLogLevel]
		require.Len(t, logged, 1)
		assert.Equal(t, want, logged[0].Fields["message_id"], "%.20q", uuid)
	}
}
