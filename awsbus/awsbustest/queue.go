package awsbustest

import (
	"crypto/md5" // #nosec G501 -- SQS defines MD5OfMessageBody as the MD5 digest of the body.
	"encoding/hex"
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// dedupWindow is the FIFO deduplication interval.
const dedupWindow = 5 * time.Minute

// stored is one message held by a queue.
type stored struct {
	id        string
	body      string
	attrs     map[string]types.MessageAttributeValue
	group     string
	dedupID   string
	seq       int64
	sentAt    time.Time
	visibleAt time.Time
	firstRecv time.Time
	lastRecv  time.Time // the latest receive; SQS's visibility limit counts from it
	receives  int
	receipt   string
	deleted   bool
}

func (m *stored) inFlight(now time.Time) bool { return m.receives > 0 && m.visibleAt.After(now) }

// queue is one SQS queue.
type queue struct {
	name, url, arn string
	fifo           bool
	attrs          map[string]string
	tags           map[string]string
	msgs           []*stored
	dedup          map[string]dedupEntry
	created        time.Time
	// purgedAt is when the queue was last purged.
	purgedAt time.Time
}

type dedupEntry struct {
	messageID string
	until     time.Time
}

func (q *queue) intAttr(name string, def int) int {
	if v, err := strconv.Atoi(q.attrs[name]); err == nil {
		return v
	}
	return def
}

// redrive returns the dead-letter queue ARN and maxReceiveCount of the
// queue's RedrivePolicy; ok is false when there is none.
func (q *queue) redrive() (arn string, max int, ok bool) {
	raw := q.attrs["RedrivePolicy"]
	if raw == "" {
		return "", 0, false
	}
	var p struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if json.Unmarshal([]byte(raw), &p) != nil || p.DeadLetterTargetArn == "" {
		return "", 0, false
	}
	s := string(p.MaxReceiveCount)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return p.DeadLetterTargetArn, n, true
}

// compact drops deleted messages.
func (q *queue) compact() {
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if !m.deleted {
			kept = append(kept, m)
		}
	}
	clear(q.msgs[len(kept):])
	q.msgs = kept
}

// blockedGroups returns the FIFO groups that have a message in flight.
func (q *queue) blockedGroups(now time.Time) map[string]bool {
	blocked := map[string]bool{}
	if !q.fifo {
		return blocked
	}
	for _, m := range q.msgs {
		if !m.deleted && m.inFlight(now) {
			blocked[m.group] = true
		}
	}
	return blocked
}

// nextWake returns when the earliest invisible message becomes visible; zero
// when no message is waiting to become visible.
func (q *queue) nextWake(now time.Time) time.Time {
	var next time.Time
	for _, m := range q.msgs {
		if !m.deleted && m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, inFlight, delayed int) {
	for _, m := range q.msgs {
		switch {
		case m.deleted:
		case !m.visibleAt.After(now):
			visible++
		case m.receives > 0:
			inFlight++
		default:
			delayed++
		}
	}
	return visible, inFlight, delayed
}

// md5Hex is the digest SQS returns as MD5OfMessageBody and MD5OfBody, which
// clients check against what they sent.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s)) // #nosec G401 -- the checksum SQS defines, not a security measure.
	return hex.EncodeToString(sum[:])
}

func copyAttrs(in map[string]types.MessageAttributeValue) map[string]types.MessageAttributeValue {
	if in == nil {
		return nil
	}
	return maps.Clone(in)
}
