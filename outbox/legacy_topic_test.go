package outbox_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// A service upgraded to a defaulted, per-service Topic while the earlier
// releases' default outbox, sourceflow_outbox, still holds a row written
// long ago is told so at Bind, with the count and what to do; a Transport
// that keeps that Topic, or sets another, is not. The test has a schema of
// its own: what other tests or programs left in the shared database's
// sourceflow_outbox does not count.
func TestBindWarnsOfRowsLeftInTheEarlierDefaultOutbox(t *testing.T) {
	d := dialects[0] // PostgreSQL
	db := openPrivate(t, d)
	const legacy = "sourceflow_outbox"
	newBox := func(service, topic string, logs watermill.LoggerAdapter) *outbox.Transport {
		box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: topic, DisableForwarder: true,
			Logger: logs, Transport: &hiccupInner{failEvery: 1 << 62, got: &receipts{first: map[string]int{}}}})
		require.NoError(t, err)
		require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: service}))
		t.Cleanup(func() { assert.NoError(t, box.Close()) })
		return box
	}
	oldLogs := watermill.NewCaptureLogger()
	commitOne(t, d, db, newBox("billing", legacy, oldLogs), "written-by-the-earlier-release")
	backdate(t, d, db, legacy)

	service := uniqueName("billing")
	logs := watermill.NewCaptureLogger()
	newBox(service, "", logs)
	lines := logs.Captured()[watermill.ErrorLogLevel]
	require.Len(t, lines, 1, "the stranded row is reported once, at Bind")
	assert.Equal(t, int64(1), lines[0].Fields["legacy_rows"])
	assert.Equal(t, int64(0), lines[0].Fields["legacy_dead_letters"])
	assert.Equal(t, outbox.TopicFor(service), lines[0].Fields["topic"])
	assert.Equal(t, "1m0s", lines[0].Fields["looked_at_every"], "the line says it comes again while the rows stay")
	assert.ErrorContains(t, lines[0].Err, `run, for each service that wrote to it, an instance with Config.Topic "sourceflow_outbox"`)
	assert.ErrorContains(t, lines[0].Err, "sourceflow sql depth --outbox sourceflow_outbox")

	explicit := uniqueName("explicit")
	newBox(service, explicit, logs)
	assert.Empty(t, oldLogs.Captured()[watermill.ErrorLogLevel], "the Transport that keeps the old Topic forwards it")
	assert.Len(t, logs.Captured()[watermill.ErrorLogLevel], 1, "an explicit Topic is the operator's choice")
}
