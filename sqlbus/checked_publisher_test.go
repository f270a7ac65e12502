package sqlbus

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// newFakePublisher returns the publisher of dialect d on a fake database
// that accepts every statement, as a lenient database would.
func newFakePublisher(t *testing.T, d sourceflow.Dialect) (*sqldbtest.DB, message.Publisher) {
	t.Helper()
	return fakePublisherOn(t, &sqldbtest.DB{OneRow: []string{"GET_LOCK"}}, d)
}

// fakePublisherOn returns the publisher of dialect d on the fake database f.
func fakePublisherOn(t *testing.T, f *sqldbtest.DB, d sourceflow.Dialect) (*sqldbtest.DB, message.Publisher) {
	t.Helper()
	db := f.Open(t)
	schema, _ := adapters(d, db)
	pub, err := publisher(Config{DB: db, Dialect: d}, schema, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	return f, pub
}

// insertedRows returns how many rows the INSERT statements that ran on f
// wrote.
func insertedRows(f *sqldbtest.DB, d sourceflow.Dialect) int {
	row := "(?,?,?)"
	if d == sourceflow.Postgres {
		row = "pg_current_xact_id()"
	}
	n := 0
	for _, q := range f.Ran("INSERT INTO") {
		n += strings.Count(q, row)
	}
	return n
}

// A message whose id is longer than the uuid column, is not valid UTF-8 or
// holds a NUL byte, or whose metadata is not valid UTF-8, cannot be stored
// unchanged: the publish refuses it for good, naming it and why, and
// publishes the messages sent with it.
func TestPublishRefusesAMessageTheTableCannotHoldAndPublishesTheRest(t *testing.T) {
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			f, pub := newFakePublisher(t, d)
			long := message.NewMessage(strings.Repeat("x", 37), []byte("{}"))
			badID := message.NewMessage("id-\xff", []byte("{}"))
			nulID := message.NewMessage("id-\x00", []byte("{}"))
			badMeta := message.NewMessage("bad-metadata", []byte("{}"))
			badMeta.Metadata.Set("note", "caf\xe9")
			good := message.NewMessage(strings.Repeat("é", 36), []byte("{}"))

			err := pub.Publish("orders", long, badID, good, nulID, badMeta)
			require.ErrorIs(t, err, ErrInvalidMessage)
			assert.True(t, sourceflow.IsPermanent(err), "no retry can store them")
			for _, want := range []string{
				`message "` + long.UUID + `": its id is 37 characters long, longer than the 36`,
				`message "id-\xff": its id is not valid UTF-8`,
				`message "id-\x00": its id holds a NUL byte`,
				`message "bad-metadata": metadata "note" is not valid UTF-8`,
			} {
				assert.ErrorContains(t, err, want)
			}
			assert.NotContains(t, err.Error(), good.UUID)
			assert.Equal(t, 1, insertedRows(f, d), "the valid message is published")

			require.ErrorIs(t, pub.Publish("orders", badMeta), ErrInvalidMessage)
			assert.Equal(t, 1, insertedRows(f, d), "nothing more is written")
		})
	}
}

// A dead letter is stored whatever its reason's text: the message was
// stored once, and the reason is recorded as it can be.
func TestPublishStoresADeadLetterWhateverItsReason(t *testing.T) {
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			f, pub := newFakePublisher(t, d)
			dl := message.NewMessage("m-1", []byte("{}"))
			dl.Metadata.Set(sourceflow.MetaFailure, "cannot decode \xff")
			require.NoError(t, pub.Publish(DeadLetterTopic("orders"), dl))
			assert.Equal(t, 1, insertedRows(f, d))
		})
	}
}

// On MySQL a dead letter whose reasons take its row past max_allowed_packet
// has them cut, keeping their beginning and their end, where the cause is,
// saying so, and is stored: the message itself was stored
// once, and a dead letter the server refuses on every try would leave the
// message delivered again without end.
func TestPublishCutsTheReasonsOfADeadLetterOverMaxAllowedPacket(t *testing.T) {
	const limit = 4096
	f, pub := fakePublisherOn(t, &sqldbtest.DB{OneRow: []string{"GET_LOCK"}, Values: map[string]int64{"max_allowed_packet": limit}},
		sourceflow.MySQL)

	dl := message.NewMessage("m-1", []byte(strings.Repeat("p", 2000)))
	dl.Metadata.Set(sourceflow.MetaFailure, "failed 8 deliveries: "+strings.Repeat("r", 3000)+": the cause")
	dl.Metadata.Set(sourceflow.MetaLastError, strings.Repeat("e", 600))
	require.Error(t, fits(dl, limit), "the dead letter does not fit as it comes")
	require.NoError(t, pub.Publish(DeadLetterTopic("orders"), dl))

	assert.NoError(t, fits(dl, limit), "its reasons were cut to fit")
	assert.True(t, strings.HasPrefix(dl.Metadata.Get(sourceflow.MetaFailure), "failed 8 deliveries: rrr"), "the reason's start is kept")
	assert.True(t, strings.HasSuffix(dl.Metadata.Get(sourceflow.MetaFailure),
		"rrr: the cause (cut from 3032 bytes: the dead letter must fit in max_allowed_packet)"),
		"the reason's end is kept, then the note: %q", dl.Metadata.Get(sourceflow.MetaFailure))
	assert.LessOrEqual(t, len(dl.Metadata.Get(sourceflow.MetaFailure)), deadletter.CutReasonBytes+len(" (cut from 3032 bytes: the dead letter must fit in max_allowed_packet)"))
	assert.Equal(t, 1, insertedRows(f, sourceflow.MySQL), "the dead letter is stored")

	small := message.NewMessage("m-2", []byte("{}"))
	small.Metadata.Set(sourceflow.MetaFailure, strings.Repeat("s", 1000))
	require.NoError(t, pub.Publish(DeadLetterTopic("orders"), small))
	assert.Len(t, small.Metadata.Get(sourceflow.MetaFailure), 1000, "a dead letter that fits keeps its reason whole")
}

// A dead letter of a message whose row came close to max_allowed_packet
// does not fit even with its reasons cut to 256 bytes: they are cut to
// nothing but the note, and it fits, as the message did.
func TestPublishCutsTheReasonsOfADeadLetterNearMaxAllowedPacketToTheNote(t *testing.T) {
	const limit = 4096
	_, pub := fakePublisherOn(t, &sqldbtest.DB{OneRow: []string{"GET_LOCK"}, Values: map[string]int64{"max_allowed_packet": limit}},
		sourceflow.MySQL)

	dl := message.NewMessage("m-1", []byte(strings.Repeat("p", 2800)))
	require.NoError(t, fits(dl, limit), "the message fits")
	dl.Metadata.Set(sourceflow.MetaFailure, "failed 8 deliveries: "+strings.Repeat("r", 3000))
	dl.Metadata.Set(sourceflow.MetaLastError, strings.Repeat("e", 600))
	require.NoError(t, pub.Publish(DeadLetterTopic("orders"), dl))

	assert.NoError(t, fits(dl, limit), "its reasons were cut to fit")
	assert.Contains(t, dl.Metadata.Get(sourceflow.MetaFailure), "(cut from 3021 bytes: the dead letter must fit in max_allowed_packet)")
}
