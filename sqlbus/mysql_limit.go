package sqlbus

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// fits reports why m's row, in an INSERT of its own, is larger than limit
// bytes (0: no limit), or nil when it fits (sqldb.MessageFits).
func fits(m *message.Message, limit int) error { return sqldb.MessageFits(m, limit) }

// rowBytes returns the size of m's row (sqldb.MessageRowBytes).
func rowBytes(m *message.Message) int { return sqldb.MessageRowBytes(m) }

// cutReasonBytes is how much of a reason a dead letter too large for
// max_allowed_packet keeps at first (see fitDeadLetter).
const cutReasonBytes = 256

// fitDeadLetter makes dead letter m fit in limit bytes (0: no limit)
// when its row would not: it drops where its handler failed
// (sourceflow.MetaFailedHost and MetaFailedVersion) first, then cuts its
// failure reasons (sourceflow.MetaLastError, then sourceflow.MetaFailure)
// to cutReasonBytes, keeping their beginning and their end, saying so,
// and when it still does not fit, to the note saying so alone: every dead
// letter says why it is there, the rest only helps (as awsbus's copy).
// With markers that took its row past the limit the server would refuse
// the dead letter on every try, and the message would be delivered again
// without end. A message stored while the limit was larger (lowered since,
// or a fail-over to a server configured otherwise) may still not fit
// without them: checkedPublisher then copies it on the server.
func fitDeadLetter(m *message.Message, limit int) {
	if fits(m, limit) == nil {
		return
	}
	delete(m.Metadata, sourceflow.MetaFailedHost)
	delete(m.Metadata, sourceflow.MetaFailedVersion)
	keys := []string{sourceflow.MetaLastError, sourceflow.MetaFailure}
	whole := make(map[string]string, len(keys))
	for _, key := range keys {
		whole[key] = m.Metadata.Get(key)
	}
	for _, keep := range []int{cutReasonBytes, 0} {
		for _, key := range keys {
			if fits(m, limit) == nil {
				return
			}
			if v := whole[key]; len(v) > keep {
				m.Metadata.Set(key, cutReason(v, keep))
			}
		}
	}
}

// cutReason is reason cut to at most keep bytes, keeping its beginning and
// its end, where the cause is (sqsrules.Reason), followed by a note saying
// how long it was.
func cutReason(reason string, keep int) string {
	kept := sqsrules.Reason(reason, keep)
	note := fmt.Sprintf("(cut from %d bytes: the dead letter must fit in max_allowed_packet)", len(reason))
	if kept == "" {
		return note
	}
	return kept + " " + note
}
