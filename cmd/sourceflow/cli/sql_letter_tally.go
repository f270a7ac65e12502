package cli

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// errTallied stops a tally that reached maxScannedLetters.
var errTallied = errors.New("tallied as many dead letters as a tally counts")

// letterTally counts dead letters by type and, unless byReason is nil, by
// reason and by the service that dead-lettered them (those that name one),
// each cut to maxGroupKey bytes (groupKey, reasonGroup).
type letterTally struct {
	total int64
	// atLeast says the tally stopped at maxScannedLetters: there are more.
	atLeast   bool
	byType    map[string]int64
	byReason  map[string]int64
	byService map[string]int64
}

// newLetterTally returns an empty tally, counting by reason too when
// reasons is set (purge's dry run prints no reasons: it does not group
// them).
func newLetterTally(reasons bool) letterTally {
	t := letterTally{byType: map[string]int64{}}
	if reasons {
		t.byReason, t.byService = map[string]int64{}, map[string]int64{}
	}
	return t
}

// add counts l.
func (t *letterTally) add(l sqlLetter) {
	t.total++
	t.byType[groupKey(letterType(l))]++
	if t.byReason != nil {
		t.byReason[reasonGroup(l)]++
	}
	if t.byService != nil && l.Service != "" {
		t.byService[groupKey(l.Service)]++
	}
}

// nameCount is a type or a reason and how many dead letters have it.
type nameCount struct {
	name  string
	count int64
}

// tallyLetters counts the dead letters of the destination or the outbox
// name (only those of type typ when only is set), up to maxScannedLetters,
// by type and, with reasons, by reason.
func (c *sqlConn) tallyLetters(ctx context.Context, name string, isOutbox bool, typ string, only, reasons bool) (letterTally, error) {
	t := newLetterTally(reasons)
	err := c.eachLetterPage(ctx, name, isOutbox, func(_ []sqldb.WatermillRow, letters []sqlLetter) error {
		for _, l := range letters {
			if only && !isOfType(l, typ) {
				continue
			}
			if t.total == maxScannedLetters {
				t.atLeast = true
				return errTallied
			}
			t.add(l)
		}
		return nil
	})
	if errors.Is(err, errTallied) {
		err = nil
	}
	return t, err
}

// firstLine is the first line of reason: what a tally groups reasons by
// (a stack or a wrapped error's details follow it).
func firstLine(reason string) string {
	line, _, _ := strings.Cut(reason, "\n")
	return strings.TrimSuffix(line, "\r")
}

// sortedCounts returns the entries of counts, the most frequent first,
// then by name.
func sortedCounts(counts map[string]int64) []nameCount {
	out := make([]nameCount, 0, len(counts))
	for name, n := range counts {
		out = append(out, nameCount{name, n})
	}
	slices.SortFunc(out, func(a, b nameCount) int {
		return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.name, b.name))
	})
	return out
}

// atLeastWord is "at least " when a tally stopped at its bound
// (stopped): there are more.
func atLeastWord(stopped bool) string {
	if stopped {
		return "at least "
	}
	return ""
}
