// Package repeatlog bounds the log lines of a failure that repeats while a
// condition lasts (a database or a transport that is down): the first
// failure is logged at once, then at most one line per interval with the
// number of failures since the line before, and the condition's end once,
// with the number of failures it lasted for.
//
// Row counts such a row of failures for a caller that words its own lines
// (the outbox's forwarder). Logger is a watermill.LoggerAdapter that bounds
// the Error lines a library logs while a condition lasts (watermill-sql's
// subscriber logs its failed poll at every retry, about once a second), its
// caller saying when the condition cleared.
//
// It is internal: it only serves the module's own packages.
package repeatlog
