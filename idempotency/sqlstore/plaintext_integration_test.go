//go:build integration

package sqlstore_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// A store opened on the test databases, which are local, checks the
// connection without a warning or a failed check in its log.
func TestOpenOnALocalDatabaseDoesNotWarn(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			logger := watermill.NewCaptureLogger()

			openStore(t, d.dialect, d.env, sqlstore.Config{Logger: logger})

			assert.Empty(t, logger.Captured(), "logged")
		})
	}
}
