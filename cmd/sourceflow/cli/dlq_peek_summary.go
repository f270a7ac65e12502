package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// peekSummaryHelp is what dlq peek --help says of --summary.
const peekSummaryHelp = `With --summary peek counts the messages instead of showing them: it reads
up to the queue's depth when it began (at most 100,000: past that, "at
least"), as purge --type counts them, consuming none, and groups them by
type and by reason as sql dead-letters --summary does: the reason's first
line with what differs from one dead letter to the next shown as a mark (the
message's id as <message id>, its entity as <entity>, any other UUID as
<id>), so the dead letters of one fault share a row; a message without a
reason counts under the explanation the table gives. It says how many it read
of the depth SQS counted (a receive that brings only messages already read
ends the read: on a large queue, or a FIFO queue with long message groups,
it may read fewer), and when the first and the last it read entered the
queue (their SQS send times). With -o json it prints
{"service", "queue", "source", "approximate_depth", "read", "name", "kind",
"dead_letters", "at_least", "by_type": [{"type", "count"}], "by_reason":
[{"reason", "count"}], "oldest", "newest"}.`

// dlqSummary is what dlq peek --summary prints (as it is with -o json).
type dlqSummary struct {
	Service string `json:"service"`
	Queue   string `json:"queue"`
	Source  string `json:"source"`
	// Depth is the queue's approximate depth when peek began, visible and
	// in flight; Read how many messages were read.
	Depth int64 `json:"approximate_depth"`
	Read  int   `json:"read"`
	sqlLetterSummary
}

// runPeekSummary is dlq peek --summary on the dead-letter queue q of p.
func (s *session) runPeekSummary(ctx context.Context, out io.Writer, api dlqSQS, p dlqPair, q sqsQueue, f peekFlags) error {
	depth := q.visible + q.inFlight
	limit := int(min(depth, maxScannedLetters))
	t := newLetterTally(true)
	var oldest, newest time.Time
	read, err := 0, error(nil)
	if limit > 0 {
		read, err = peekEach(ctx, api, q, limit, func(d deadLetter) {
			t.add(sqlLetter{MessageID: d.messageID, Type: d.typ, Entity: d.entity, Reason: firstOf(d.reason, noReason)})
			oldest, newest = earliest(oldest, d.queued), latest(newest, d.queued)
		})
	}
	if err != nil {
		return s.boundedFailure(ctx, "dlq peek "+q.name, err, f.checkTimeout)
	}
	sum := dlqSummary{Service: s.plan.Service, Queue: q.name, Source: p.source, Depth: depth, Read: read,
		sqlLetterSummary: tallySummary(q.name, "dead-letter queue", t, read == maxScannedLetters && depth > maxScannedLetters)}
	if !oldest.IsZero() {
		sum.Oldest, sum.Newest = &oldest, &newest
	}
	if f.output == outputJSON {
		return writeJSON(out, sum)
	}
	fmt.Fprintf(out, "Read %d of about %s of dead-letter queue %s of %s, none consumed.\n",
		read, counted(depth, "message", "messages"), q.name, p.source)
	return printLetterSummary(out, sum.sqlLetterSummary, "dead-letter queue "+q.name, "SQS")
}

// checkSummaryFlags refuses flags that show messages beside --summary,
// which counts them.
func checkSummaryFlags(f peekFlags, maxChanged bool) error {
	if f.summary && (maxChanged || f.payload || f.decrypt) {
		return &ExitError{Code: ExitUsage, Err: errors.New(
			"--summary counts the messages up to the queue's depth and shows none: leave out --max, --payload and --decrypt")}
	}
	return nil
}

// earliest is the earlier of a and b, ignoring a zero time.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
