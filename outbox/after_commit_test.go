package outbox

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A row dead-lettered in a poll's transaction is logged and counted once
// that transaction commits: a poll rolled back reads the row again and
// dead-letters it again, so logging or counting it at once would do so
// twice. A row that is no forwarder envelope counts under no destination.
func TestDeadLetterIsLoggedOnceItsTransactionCommits(t *testing.T) {
	db := (&sqldbtest.DB{}).Open(t)
	beginner := afterCommitBeginner{wsql.BeginnerFromStdSQL(db)}
	logs := watermill.NewCaptureLogger()
	var dead deadletter.Counts
	p := deadLetterPublisher{db: db, schema: schemaAdapter(sourceflow.Postgres), topic: "obx", logger: logs, dead: &dead}
	deadLetter := func(end func(wsql.Tx) error) {
		tx, err := beginner.BeginTx(context.Background(), &sql.TxOptions{})
		require.NoError(t, err)
		require.NoError(t, p.publish(tx, deadLetterTopic("obx"), []*message.Message{message.NewMessage("row-1", []byte("{}"))}))
		assert.Empty(t, logs.Captured()[watermill.ErrorLogLevel], "not logged before the commit")
		require.NoError(t, end(tx))
	}

	deadLetter(wsql.Tx.Rollback)
	assert.Empty(t, logs.Captured()[watermill.ErrorLogLevel], "a rolled back dead letter is not logged")
	assert.Empty(t, dead.Snapshot(), "nor counted")

	deadLetter(wsql.Tx.Commit)
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1, "logged once, after the commit")
	assert.Equal(t, "row-1", lines[0].Fields["row_uuid"])
	assert.Equal(t, map[string]int64{deadletter.NoDestination: 1}, dead.Snapshot(), "counted once, after the commit")
}

// A dead letter's reason is logged cut to maxLoggedReasonBytes, on
// character boundaries, keeping its beginning and its end, where the cause
// is, with its whole length.
func TestDeadLetterReasonIsLoggedCut(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	msg := message.NewMessage("row-1", []byte("{}"))
	whole := "publish " + strings.Repeat("é", 2500) + ": the cause" // 5019 bytes
	msg.Metadata.Set(sourceflow.MetaFailure, whole)
	logDeadLetter(logs, "obx", msg)

	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1)
	reason := lines[0].Err.Error()
	assert.True(t, utf8.ValidString(reason), "cut on a character boundary")
	assert.LessOrEqual(t, len(reason), maxLoggedReasonBytes+len(" (5019 bytes)"))
	assert.True(t, strings.HasPrefix(reason, "publish "+strings.Repeat("é", 100)), reason[:40])
	assert.True(t, strings.HasSuffix(reason, strings.Repeat("é", 100)+": the cause (5019 bytes)"), reason[len(reason)-40:])
}
