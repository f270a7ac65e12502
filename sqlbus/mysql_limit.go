package sqlbus

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// fits reports why m's row, in an INSERT of its own, is larger than limit
// bytes (0: no limit), or nil when it fits (sqldb.MessageFits).
func fits(m *message.Message, limit int) error { return sqldb.MessageFits(m, limit) }

// rowBytes returns the size of m's row (sqldb.MessageRowBytes).
func rowBytes(m *message.Message) int { return sqldb.MessageRowBytes(m) }

// fitDeadLetter makes dead letter m fit in limit bytes (0: no limit)
// when its row would not: it drops where its handler failed
// (sourceflow.MetaFailedHost and MetaFailedVersion) first, then cuts its
// failure reasons (sourceflow.MetaLastError, then sourceflow.MetaFailure)
// to deadletter.CutReasonBytes, keeping their beginning and their end, saying so,
// and when it still does not fit, to the note saying so alone: every dead
// letter says why it is there, the rest only helps (as awsbus's copy).
// With markers that took its row past the limit the server would refuse
// the dead letter on every try, and the message would be delivered again
// without end. A message stored while the limit was larger (lowered since,
// or a fail-over to a server configured otherwise) may still not fit
// without them: checkedPublisher then copies it on the server.
func fitDeadLetter(m *message.Message, limit int) {
	deadletter.Fit(m.Metadata, func() bool { return fits(m, limit) == nil }, "max_allowed_packet")
}

// fitCopy makes dead letter m, copied on the server, fit in limit bytes
// as fitDeadLetter does, counting its payload as not sent (its metadata is
// the copy's one large parameter: sqldb.ServerCopyFits): a reason quoting
// the payload would otherwise take the copy past the limit too, and the
// message would be delivered again without end. Reasons that fit stay
// whole.
func fitCopy(m *message.Message, limit int) {
	deadletter.Fit(m.Metadata, func() bool { return sqldb.ServerCopyFits(m, limit) == nil }, "max_allowed_packet")
}
