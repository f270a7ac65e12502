package outbox

import (
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A dead letter the database refuses to write fails with its error and
// names this package once: watermill's PoisonQueue middleware returns the
// error to the forwarder as it is. Nothing is counted.
func TestDeadLetterWriteErrorNamesThePackage(t *testing.T) {
	f := &sqldbtest.DB{}
	refused := errors.New("injected: the database refuses the row")
	f.FailOn("INSERT INTO", refused)
	var dead deadletter.Counts
	p := deadLetterPublisher{db: f.Open(t), schema: schemaAdapter(sourceflow.Postgres), topic: "obx", logger: watermill.NopLogger{}, dead: &dead}

	err := p.Publish(deadLetterTopic("obx"), message.NewMessage("row-1", []byte("{}")))

	require.ErrorIs(t, err, refused)
	assert.Regexp(t, `^outbox: dead-letter 1 row\(s\) of "obx": .*injected: the database refuses the row$`, err.Error())
	sqldbtest.NamesPackageOnce(t, "outbox", err)
	assert.Empty(t, dead.Snapshot())
}
