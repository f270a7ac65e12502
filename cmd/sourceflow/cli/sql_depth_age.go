package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// addOldestAhead sets, on each destination row of rows with messages
// ahead, how long ago the oldest of them was written (sqldb.OldestAhead,
// for service's consumer group): a group that is stuck has it grow, where
// a slow one keeps it short. What cannot be read is left unset and its
// error joined.
func addOldestAhead(ctx context.Context, c *sqlConn, service string, rows []sqlDepth) error {
	var errs []error
	for i := range rows {
		r := &rows[i]
		if r.Kind != "destination" || r.Ahead == 0 {
			continue
		}
		age, err := oldestAheadSeconds(ctx, c, r.Name, service)
		errs = append(errs, err)
		r.OldestAheadSeconds = age
	}
	return errors.Join(errs...)
}

// oldestAheadSeconds is how long ago the oldest message of destination
// that service's consumer group has yet to handle was written, in seconds
// (sqldb.OldestAhead); nil when there is none.
func oldestAheadSeconds(ctx context.Context, c *sqlConn, destination, service string) (*int64, error) {
	w, found, err := sqldb.OldestAhead(ctx, c.db, c.target.dialect, sqlbus.Topic(destination), service)
	if err != nil {
		return nil, fmt.Errorf("read the oldest message of destination %s ahead of service %s: %w", destination, service, err)
	}
	if !found {
		return nil, nil
	}
	return ageSeconds(w), nil
}

// ageSeconds is the age of w in whole seconds, none below 0 (the clocks of
// the writer's and the reader's sessions may disagree).
func ageSeconds(w sqldb.Written) *int64 {
	s := int64(max(w.Age(), 0) / time.Second)
	return &s
}

// shownAge is an age in seconds as a table shows it ("1h2m3s"), "-" when
// there is none.
func shownAge(seconds *int64) string {
	if seconds == nil {
		return "-"
	}
	return (time.Duration(*seconds) * time.Second).String()
}

// groupAges returns, for each of groups, the consumer groups of
// destination, how long ago the oldest message it has yet to handle was
// written, in seconds; nil for a group with none ahead. One read through
// the table's key per group with messages ahead.
func groupAges(ctx context.Context, c *sqlConn, destination string, groups []sqlbus.ConsumerGroup) ([]*int64, error) {
	ages := make([]*int64, len(groups))
	for i, g := range groups {
		if g.Ahead == 0 {
			continue
		}
		age, err := oldestAheadSeconds(ctx, c, destination, g.Service)
		if err != nil {
			return nil, err
		}
		ages[i] = age
	}
	return ages, nil
}
