package sqldbtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DB is a fake database. Every statement succeeds and a query returns no
// rows, except:
//   - a statement whose text contains the text given to HangOn ("*": every
//     statement, BEGIN included) waits until its context ends, then, after
//     Abandon, fails with the context's error;
//   - a statement whose text contains the text given to FailOn, or given
//     the argument given to FailOnArg, fails at once with the error given
//     with it;
//   - a query whose text contains one of OneRow returns one row holding 1;
//   - a query whose text contains a key of Values returns one row holding
//     its value;
//   - a query whose text contains one of Null returns one row holding NULL;
//   - a query whose text contains a key of Rows returns one row holding its
//     values, a column each (a server's report on the connection).
//
// Its methods are safe for concurrent use.
type DB struct {
	// OneRow lists the texts of the queries that return one row holding 1
	// (a lock granted, a row that exists).
	OneRow []string
	// Values maps texts of queries to the value of the one row they return
	// (a server setting).
	Values map[string]int64
	// Null lists the texts of the queries that return one row holding NULL
	// (a MySQL GET_LOCK whose wait the server cut short).
	Null []string
	// Rows maps texts of queries to the values of the one row they return,
	// a column each.
	Rows map[string][]driver.Value
	// Abandon is how long a hanging statement takes to return once its
	// context ended, as a driver does while it cancels it on the server.
	Abandon time.Duration
	// Hanging, when not nil, receives each statement that starts to hang,
	// when it has room.
	Hanging chan string

	mu       sync.Mutex
	hangOn   string
	failOn   string
	failErr  error
	failArg  string
	argErr   error
	ran      []string
	inFlight int
}

// Open returns a *sql.DB on f, closed when the test ends.
func (f *DB) Open(t interface{ Cleanup(func()) }) *sql.DB {
	db := sql.OpenDB(connector{f})
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// HangOn makes the statements containing s hang ("" for none, "*" for all).
func (f *DB) HangOn(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hangOn = s
}

// FailOn makes the statements containing s fail at once with err ("" for
// none, "*" for all), as a database refusing them does.
func (f *DB) FailOn(s string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failOn, f.failErr = s, err
}

// FailOnArg makes the statements given an argument whose text is arg fail
// at once with err ("" for none): one of several statements of the same
// text, such as the lookup of one table among lookups of others.
func (f *DB) FailOnArg(arg string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failArg, f.argErr = arg, err
}

// Ran returns the statements that ran (or run) whose text contains s.
func (f *DB) Ran(s string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, q := range f.ran {
		if strings.Contains(q, s) {
			out = append(out, q)
		}
	}
	return out
}

// Running returns how many statements are in flight.
func (f *DB) Running() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight
}

// run records q, given args, and, when q is to hang, waits for ctx.
func (f *DB) run(ctx context.Context, q string, args []driver.NamedValue) error {
	f.mu.Lock()
	f.ran = append(f.ran, q)
	f.inFlight++
	hang := matches(q, f.hangOn)
	fail, failErr := matches(q, f.failOn), f.failErr
	if !fail && f.failArg != "" && slices.ContainsFunc(args, func(a driver.NamedValue) bool { return fmt.Sprint(a.Value) == f.failArg }) {
		fail, failErr = true, f.argErr
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if fail {
		return failErr
	}
	if !hang {
		return nil
	}
	select {
	case f.Hanging <- q:
	default:
	}
	<-ctx.Done()
	time.Sleep(f.Abandon)
	return ctx.Err()
}

// matches reports whether q is one of the statements s names: "" none, "*"
// all, else those containing s.
func matches(q, s string) bool {
	return s == "*" || (s != "" && strings.Contains(q, s))
}

// rows returns the rows of query q.
func (f *DB) rows(q string) driver.Rows {
	for _, s := range f.Null {
		if strings.Contains(q, s) {
			return &rows{left: 1, values: []driver.Value{nil}}
		}
	}
	for s, v := range f.Values {
		if strings.Contains(q, s) {
			return &rows{left: 1, values: []driver.Value{v}}
		}
	}
	for s, vs := range f.Rows {
		if strings.Contains(q, s) {
			return &rows{left: 1, values: vs}
		}
	}
	for _, s := range f.OneRow {
		if strings.Contains(q, s) {
			return &rows{left: 1, values: []driver.Value{int64(1)}}
		}
	}
	return &rows{values: []driver.Value{nil}}
}
