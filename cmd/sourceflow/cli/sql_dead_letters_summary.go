package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// sqlLetterSummary is what sql dead-letters --summary prints (as it is
// with --output json).
type sqlLetterSummary struct {
	// Name is the destination or the outbox topic; Kind "destination" or
	// "outbox".
	Name string `json:"name"`
	Kind string `json:"kind"`
	// DeadLetters is how many dead letters were counted; AtLeast says the
	// count stopped at its bound (maxScannedLetters): there are more.
	DeadLetters int64 `json:"dead_letters"`
	AtLeast     bool  `json:"at_least,omitempty"`
	// ByType and ByReason count them by type (sf_type) and by reason as
	// reasonGroup gives it, the most frequent first.
	ByType   []sqlTypeCount   `json:"by_type"`
	ByReason []sqlReasonCount `json:"by_reason"`
	// ByService counts those of a destination that name the service
	// (consumer group) that dead-lettered them, the most frequent first.
	ByService []sqlServiceCount `json:"by_service,omitempty"`
	// Oldest and Newest are when the first and the last dead letter were
	// dead-lettered (their rows written), by the database's clock.
	Oldest *time.Time `json:"oldest,omitempty"`
	Newest *time.Time `json:"newest,omitempty"`

	byType, byReason, byService []nameCount
}

// sqlTypeCount is how many dead letters have a type.
type sqlTypeCount struct {
	Type  string `json:"type"`
	Count int64  `json:"count"`
}

// sqlServiceCount is how many dead letters a service dead-lettered.
type sqlServiceCount struct {
	Service string `json:"service"`
	Count   int64  `json:"count"`
}

// sqlReasonCount is how many dead letters have a reason (see reasonGroup).
type sqlReasonCount struct {
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// summarizeDeadLetters prints the summary of the dead letters of the
// destination or the outbox name on out as f asks, and warns on errOut
// when there are none because it has no table.
func (c *sqlConn) summarizeDeadLetters(ctx context.Context, out, errOut io.Writer, f sqlLettersFlags, name string, isOutbox bool) error {
	s, err := c.letterSummary(ctx, name, isOutbox)
	if err != nil {
		return c.failure("sql dead-letters "+name, err)
	}
	if s.DeadLetters == 0 {
		if err := warnNoTable(ctx, errOut, c, name, isOutbox); err != nil {
			return c.failure("sql dead-letters "+name, err)
		}
	}
	if f.output == outputJSON {
		return writeJSON(out, s)
	}
	return printLetterSummary(out, s, describe(name, isOutbox), c.target.where())
}

// letterSummary counts the dead letters of the destination or the outbox
// name by type and by reason, and reads when the first and the last were
// dead-lettered.
func (c *sqlConn) letterSummary(ctx context.Context, name string, isOutbox bool) (sqlLetterSummary, error) {
	t, err := c.tallyLetters(ctx, name, isOutbox, "", false, true)
	if err != nil {
		return sqlLetterSummary{}, err
	}
	kind := "destination"
	if isOutbox {
		kind = "outbox"
	}
	s := tallySummary(name, kind, t, t.atLeast)
	first, last, found, err := sqldb.WatermillEnds(ctx, c.db, c.target.dialect, deadLetterTable(name, isOutbox))
	if err != nil {
		return sqlLetterSummary{}, err
	}
	if found {
		s.Oldest, s.Newest = &first.At, &last.At
	}
	return s, nil
}

// tallySummary is the summary of the dead letters of kind name that t
// counted; atLeast says there are more than it counted.
func tallySummary(name, kind string, t letterTally, atLeast bool) sqlLetterSummary {
	s := sqlLetterSummary{Name: name, Kind: kind, DeadLetters: t.total, AtLeast: atLeast,
		ByType: []sqlTypeCount{}, ByReason: []sqlReasonCount{}, byType: sortedCounts(t.byType), byReason: sortedCounts(t.byReason),
		byService: sortedCounts(t.byService)}
	for _, nc := range s.byType {
		s.ByType = append(s.ByType, sqlTypeCount{Type: nc.name, Count: nc.count})
	}
	for _, nc := range s.byReason {
		s.ByReason = append(s.ByReason, sqlReasonCount{Reason: nc.name, Count: nc.count})
	}
	for _, nc := range s.byService {
		s.ByService = append(s.ByService, sqlServiceCount{Service: nc.name, Count: nc.count})
	}
	return s
}

// printLetterSummary prints s, the summary of the dead letters of what,
// on where, as text.
func printLetterSummary(w io.Writer, s sqlLetterSummary, what, where string) error {
	fmt.Fprintf(w, "%s%s of %s on %s.\n", atLeastWord(s.AtLeast), counted(s.DeadLetters, "dead letter", "dead letters"), what, where)
	if s.Oldest != nil {
		fmt.Fprintf(w, "Dead-lettered from %s (oldest) to %s (newest).\n", s.Oldest.Format(time.RFC3339), s.Newest.Format(time.RFC3339))
	}
	if s.DeadLetters == 0 {
		return nil
	}
	if err := writeCounts(w, "TYPE", s.byType); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := writeCounts(w, "REASON", s.byReason); err != nil || len(s.byService) == 0 {
		return err
	}
	fmt.Fprintln(w)
	return writeCounts(w, "SERVICE", s.byService)
}
