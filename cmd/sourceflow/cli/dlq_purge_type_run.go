package cli

import (
	"context"
	"fmt"
	"io"
)

// purgeType is dlq purge --type: it counts the messages of the queue q by
// type without --yes, and deletes those of f.typ with it.
func (s *session) purgeType(ctx context.Context, out io.Writer, api dlqSQS, p dlqPair, q sqsQueue, f purgeFlags) error {
	limit := int(q.visible + q.inFlight)
	if f.max > 0 {
		limit = f.max
	}
	if limit == 0 {
		fmt.Fprintf(out, "Dead-letter queue %s of %s: %s. Nothing deleted: with --max N purge --type reads up to N "+
			"messages whatever SQS counts.\n", q.name, p.source, noneCounted)
		return nil
	}
	if !f.yes {
		return s.countType(ctx, out, api, p, q, f, limit)
	}
	res, err := newTypePurger(api, q, f.typ, limit).run(ctx)
	kept := int64(0)
	for _, n := range res.kept {
		kept += n
	}
	fmt.Fprintf(out, "Deleted %s of type %s from dead-letter queue %s of %s; %s of other types %s visible again "+
		"(%d read of about %d counted at the start).\n", counted(res.deleted, "message", "messages"), printable(f.typ),
		q.name, p.source, counted(kept, "message", "messages"), agree(kept, "is", "are"), res.read, q.visible+q.inFlight)
	if err != nil {
		return s.boundedFailure(ctx, fmt.Sprintf("dlq purge %s: deleted %d, then stopped", q.name, res.deleted), err, f.checkTimeout)
	}
	if err := res.entriesErr(); err != nil {
		return &ExitError{Code: ExitAWS, Err: fmt.Errorf("dlq purge %s: deleted %d; the others stay: run it again: %w",
			q.name, res.deleted, err)}
	}
	if f.max > 0 && res.read == f.max {
		fmt.Fprintf(out, "Stopped at --max %d; run the command again for more.\n", f.max)
	}
	return nil
}

// countType says how many messages of f.typ purge --type --yes would
// delete, of up to limit messages it reads, and counts those read by type,
// deleting none.
func (s *session) countType(ctx context.Context, out io.Writer, api dlqSQS, p dlqPair, q sqsQueue, f purgeFlags, limit int) error {
	letters, err := peekLetters(ctx, api, q, limit)
	if err != nil {
		return s.boundedFailure(ctx, "dlq purge "+q.name, err, f.checkTimeout)
	}
	byType := map[string]int64{}
	for _, l := range letters {
		byType[l.typ]++
	}
	fmt.Fprintf(out, "Dead-letter queue %s of %s holds about %s, %d in flight; of the %d read, %s of type %s would be deleted.\n",
		q.name, p.source, counted(q.visible+q.inFlight, "message", "messages"), q.inFlight, len(letters),
		counted(byType[f.typ], "message", "messages"), printable(f.typ))
	if err := writeCounts(out, "TYPE", sortedCounts(byType)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "Nothing deleted: add --yes to delete %s (`sourceflow dlq peek -f %s --queue %s` shows %[1]s first).\n",
		agree(byType[f.typ], "it", "them"), fileArg(s.path), q.name)
	return err
}
